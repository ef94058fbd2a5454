import { describe, expect, it } from "vitest";
import type { AtriumError } from "../../../core/errors.ts";
import { type ClusterEvent, definePlugin, type PluginContext } from "../../../core/plugin/mod.ts";
import { Registry } from "../../../core/plugin/registry.ts";

function rc(name: string, exec?: () => Promise<unknown>) {
  return {
    name,
    listAgents: async () => [],
    metadata: async () => {
      throw new Error("no metadata today");
    },
    exec: (exec ?? (async () => ({ rc: 0, status: "done" }))) as never,
  };
}

function event(sequence: number, kind: ClusterEvent["kind"] = "resource"): ClusterEvent {
  return { kind, sequence, timestamp: "2026-01-01T00:00:00.000000Z" };
}

async function refusal(p: Promise<unknown>): Promise<AtriumError> {
  const e = await p.then(() => undefined, (x) => x);
  expect(e, "expected a refusal").toBeDefined();
  return e as AtriumError;
}

describe("Registry", () => {
  it("picks one winner by name and refuses a second plugin's resource class, naming both", async () => {
    const r = new Registry();
    await r.register(definePlugin({ name: "a", version: "1", apiVersions: [1], resourceClasses: [rc("ocf")] }));
    const e = await refusal(r.register(definePlugin({ name: "b", version: "1", apiVersions: [1], resourceClasses: [rc("ocf")] })));
    expect(e.code).toBe("PLUGIN_CONFLICT");
    expect(e.plugin).toBe("b");
    expect(e.hook).toBe("register");
    expect(e.message).toBe('Cannot register resource class "ocf" of plugin "b": plugin "a" already provides it');
    expect(r.plugins().map((p) => p.name)).toEqual(["a"]);
  });

  it("refuses duplicate launchers, fence agents and plugin names, and registers nothing of the refused plugin", async () => {
    const r = new Registry();
    const launcher = {
      name: "netns", capabilities: { migrate: false, console: false },
      start: async () => ({}) as never, stop: async () => {}, status: async () => "running" as const,
      address: async () => ({ host: "h", port: 1 }), recover: async () => true,
    };
    const fence = { name: "fence_x", metadata: async () => ({}) as never, run: async () => ({ rc: 0, status: "done" as const }) };
    await r.register({ name: "p1", version: "1", apiVersions: [1], launchers: [launcher], fenceAgents: [fence] });
    const l = await refusal(r.register({ name: "p2", version: "1", apiVersions: [1], resourceClasses: [rc("lsb")], launchers: [launcher] }));
    expect(l.code).toBe("PLUGIN_CONFLICT");
    expect(l.message).toContain('launcher "netns" of plugin "p2": plugin "p1"');
    expect(r.resourceClass("lsb")).toBeUndefined();
    const f = await refusal(r.register({ name: "p3", version: "1", apiVersions: [1], fenceAgents: [fence] }));
    expect(f.message).toContain('fence agent "fence_x" of plugin "p3": plugin "p1"');
    const p = await refusal(r.register({ name: "p1", version: "2", apiVersions: [1] }));
    expect(p.message).toContain('plugin "p1" of plugin "p1"');
    const self = await refusal(r.register({ name: "p4", version: "1", apiVersions: [1], resourceClasses: [rc("x"), rc("x")] }));
    expect(self.code).toBe("PLUGIN_CONFLICT");
    expect(self.message).toContain("it already provides one of that name");
  });

  it("refuses a plugin with no supported API version, naming its versions and the host's", async () => {
    const r = new Registry();
    const e = await refusal(r.register({ name: "future", version: "3.0.0", apiVersions: [2, 3] }));
    expect(e.code).toBe("PLUGIN_API_UNSUPPORTED");
    expect(e.plugin).toBe("future");
    expect(e.hook).toBe("load");
    expect(e.message).toBe('Cannot load plugin "future" 3.0.0: it supports plugin API versions [2, 3], this host supports [1]');
    const ok = await r.register({ name: "both", version: "1", apiVersions: [1, 2] });
    expect(ok.apiVersion).toBe(1);
  });

  it("refuses malformed definitions saying which field and what was expected", async () => {
    const r = new Registry();
    const cases: [unknown, RegExp][] = [
      [{ version: "1", apiVersions: [1] }, /field "name" must be a string, got undefined/],
      [{ name: "x", version: 1, apiVersions: [1] }, /field "version" must be a string, got the number 1/],
      [{ name: "x", version: "1", apiVersions: [] }, /field "apiVersions" must be a non-empty array/],
      [{ name: "x", version: "1", apiVersions: ["1"] }, /field "apiVersions\[0\]" must be a number/],
      [{ name: "x", version: "1", apiVersions: [1], resourceClasses: [{ name: "ocf", listAgents() {}, metadata() {} }] },
        /field "resourceClasses\[0\]\.exec" must be a function, got undefined/],
      [{ name: "x", version: "1", apiVersions: [1], notifiers: {} }, /field "notifiers" must be an array, got an object/],
      [{ name: "x", version: "1", apiVersions: [1], fenceAgents: [{ name: "fence_p", list() {} }] },
        /field "fenceAgents\[0\]\.get" must be a function/],
      [{ name: "bad name!", version: "1", apiVersions: [1] }, /field "name" must be letters, digits/],
      ["plugin", /default export is the string "plugin", expected an object/],
      [null, /default export is null/],
      [[], /default export is an array/],
    ];
    for (const [def, re] of cases) {
      const e = await refusal(r.register(def, { source: "./p.js" }));
      expect(e.code).toBe("PLUGIN_MALFORMED");
      expect(e.message).toMatch(re);
      expect(e.hook).toBe("load");
      expect(e.plugin).toBeTruthy();
    }
    expect(r.plugins()).toEqual([]);
  });

  it("stamps plugin and hook on errors thrown by hooks, keeping a plugin's own AtriumError code", async () => {
    const r = new Registry();
    const { AtriumError } = await import("../../../core/errors.ts");
    await r.register({
      name: "p", version: "1", apiVersions: [1], resourceClasses: [rc("ocf")],
      launchers: [{
        name: "kvm", capabilities: { migrate: true, console: false },
        start: () => {
          throw new AtriumError("GUEST_START_FAILED", "no such domain");
        },
        stop: async () => {}, status: async () => "running", address: async () => ({ host: "h", port: 1 }),
        recover: async () => true,
      }],
    });
    const ctx = r.context();
    const m = await refusal(r.resourceClass("ocf")!.metadata({ class: "ocf", type: "Dummy" }, ctx));
    expect(m.code).toBe("PLUGIN_HOOK_FAILED");
    expect([m.plugin, m.hook]).toEqual(["p", "metadata"]);
    expect(m.message).toBe('Plugin "p" failed in resource class "ocf" hook "metadata": no metadata today');
    const s = await refusal(r.launcher("kvm")!.start({} as never, ctx));
    expect([s.code, s.plugin, s.hook]).toEqual(["GUEST_START_FAILED", "p", "start"]);
  });

  it("turns a throwing or malformed exec into an error result, never a throw", async () => {
    const r = new Registry();
    await r.register({
      name: "p", version: "1", apiVersions: [1],
      resourceClasses: [rc("throws", () => Promise.reject(new Error("boom"))), rc("junk", async () => "ok")],
    });
    const op = { resource: "r1", agent: { class: "throws", type: "t" }, action: "start", intervalMs: 0, timeoutMs: 1000, params: {}, meta: {} };
    const a = await r.resourceClass("throws")!.exec(op, r.context());
    expect(a).toMatchObject({ rc: 1, status: "error" });
    expect(a.reason).toContain('Plugin "p" resource class "throws" exec of "start" threw: boom');
    const b = await r.resourceClass("junk")!.exec(op, r.context());
    expect(b).toMatchObject({ rc: 1, status: "error" });
    expect(b.reason).toContain("expected a result");
  });

  it("fans events out to every accepting notifier without blocking, reporting failures with the plugin's name", async () => {
    const errors: AtriumError[] = [];
    const r = new Registry({ onError: (e) => errors.push(e) });
    const got: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    await r.register({ name: "slow", version: "1", apiVersions: [1], notifiers: [{ name: "s", notify: async (e: ClusterEvent) => {
      await gate;
      got.push(`slow ${e.sequence}`);
    } }] });
    await r.register({ name: "bad", version: "1", apiVersions: [1], notifiers: [{
      name: "b",
      accepts: (e: ClusterEvent) => {
        if (e.sequence === 2) throw new Error("filter broke");
        return true;
      },
      notify: async () => {
        throw new Error("endpoint down");
      },
    }] });
    await r.register({ name: "picky", version: "1", apiVersions: [1], notifiers: [{
      name: "p", accepts: (e: ClusterEvent) => e.kind === "fencing", notify: async (e: ClusterEvent) => void got.push(`picky ${e.sequence}`),
    }] });
    expect(r.notifyAll(event(1))).toBe(2);
    expect(r.notifyAll(event(2, "fencing"))).toBe(2);
    expect(got).toEqual([]); // returned before any delivery ran
    await new Promise((res) => setTimeout(res, 10));
    expect(got).toEqual(["picky 2"]); // the slow notifier blocks only itself
    release();
    await r.idle();
    expect(got).toEqual(["picky 2", "slow 1", "slow 2"]);
    expect(errors.map((e) => [e.code, e.plugin, e.hook])).toEqual([
      ["PLUGIN_HOOK_FAILED", "bad", "accepts"],
      ["PLUGIN_HOOK_FAILED", "bad", "notify"],
    ]);
    expect(errors[1]!.message).toContain("endpoint down");
  });

  it("abandons a delivery at the timeout and drops the oldest event beyond the queue limit", async () => {
    const errors: AtriumError[] = [];
    const r = new Registry({ onError: (e) => errors.push(e), notifyTimeoutMs: 20, notifyQueueLimit: 2 });
    let aborted = 0;
    await r.register({ name: "hang", version: "1", apiVersions: [1], notifiers: [{ name: "h", notify: (_e: ClusterEvent, ctx: PluginContext) =>
      new Promise<void>(() => ctx.signal.addEventListener("abort", () => aborted++)) }] });
    for (let i = 1; i <= 4; i++) r.notifyAll(event(i));
    await r.idle();
    // notifyAll returns before any delivery starts: 3 pushes out 1, 4 pushes out 2
    expect(errors.filter((e) => e.code === "PLUGIN_NOTIFY_OVERFLOW").map((e) => e.details?.["sequence"])).toEqual([1, 2]);
    expect(errors.filter((e) => e.code === "PLUGIN_HOOK_FAILED").length).toBe(2);
    expect(errors.find((e) => e.code === "PLUGIN_HOOK_FAILED")!.message).toContain("timed out after 20ms");
    expect(aborted).toBe(2);
  });

  it("runs setup once with the config, teardowns in reverse order on close, and refuses a failing setup", async () => {
    const calls: string[] = [];
    const r = new Registry({ onError: () => {} });
    await r.register({ name: "one", version: "1", apiVersions: [1], setup: async (config: unknown, ctx: PluginContext) => {
      calls.push(`setup one ${JSON.stringify(config)} ${ctx.runtime}`);
      return async () => void calls.push("teardown one");
    } }, { config: { x: 1 } });
    await r.register({ name: "two", version: "1", apiVersions: [1], setup: async () => async () => {
      calls.push("teardown two");
      throw new Error("teardown broke");
    } });
    const e = await refusal(r.register({ name: "three", version: "1", apiVersions: [1], resourceClasses: [rc("c3")], setup: async () => {
      throw new Error("no permission");
    } }));
    expect([e.code, e.plugin, e.hook]).toEqual(["PLUGIN_SETUP_FAILED", "three", "setup"]);
    expect(e.message).toBe('Cannot set up plugin "three": no permission');
    expect(r.resourceClass("c3")).toBeUndefined();
    const odd = await refusal(r.register({ name: "four", version: "1", apiVersions: [1], setup: async () => 42 as never }));
    expect(odd.message).toContain("setup returned the number 42");
    const errs = await r.close();
    expect(calls).toEqual([`setup one {"x":1} ${(globalThis as { Deno?: unknown }).Deno ? "deno" : "node"}`, "teardown two", "teardown one"]);
    expect(errs.map((x) => [x.plugin, x.hook])).toEqual([["two", "teardown"]]);
    expect(await r.close()).toEqual([]);
    const closed = await refusal(r.register({ name: "late", version: "1", apiVersions: [1] }));
    expect(closed.code).toBe("REGISTRY_CLOSED");
  });

  it("serves fence agents from providers after the plugins' own agents", async () => {
    const r = new Registry();
    const agent = (name: string, rcode: number) => ({ name, metadata: async () => ({}) as never, run: async () => ({ rc: rcode, status: "done" as const }) });
    await r.register({ name: "own", version: "1", apiVersions: [1], fenceAgents: [agent("fence_ipmilan", 0)] });
    await r.register({ name: "bridge", version: "1", apiVersions: [1], fenceAgents: [{
      name: "fence-agents",
      list: async () => ["fence_ipmilan", "fence_virsh"],
      get: async (n: string) => (n === "fence_virsh" || n === "fence_ipmilan" ? agent(n, 5) : undefined),
    }] });
    const ctx = r.context();
    expect(await r.fenceAgentNames(ctx)).toEqual(["fence_ipmilan", "fence_virsh"]);
    expect((await (await r.fenceAgent("fence_ipmilan"))!.run({ action: "monitor", params: {}, timeoutMs: 1 }, ctx)).rc).toBe(0);
    expect((await (await r.fenceAgent("fence_virsh"))!.run({ action: "monitor", params: {}, timeoutMs: 1 }, ctx)).rc).toBe(5);
    expect(await r.fenceAgent("fence_none")).toBeUndefined();
    expect(r.plugins()[1]!.fenceAgentProviders).toEqual(["fence-agents"]);
  });
});
