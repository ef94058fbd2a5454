import { describe, expect, it } from "vitest";
import {
  emptyFencerConfig,
  type FenceDevice,
  fenceDevice,
  Fencer,
  type FencerConfig,
  FenceHistory,
  realClock,
  type Topology,
} from "../../../core/fencer/mod.ts";
import { isAtriumError } from "../../../core/errors.ts";
import type { ClusterEvent } from "../../../core/plugin/types.ts";
import { type Call, FAIL, fakeAgent, fakeClock, OK, source } from "./_fake.ts";

function config(devices: FenceDevice[], topology: Topology = { entries: [], issues: [] }, extra: Partial<FencerConfig> = {}): FencerConfig {
  return { ...emptyFencerConfig(), devices, topology, ...extra };
}

function dev(id: string, params: Record<string, string>, agent = "fence_fake", priority = 0, index = 0): FenceDevice {
  return fenceDevice(id, agent, params, { priority, index });
}

function topo(target: string, levels: string[][]): Topology {
  return {
    entries: [{ kind: "name", target, levels: levels.map((d, i) => ({ index: i + 1, devices: d, ids: [`l${i + 1}`] })) }],
    issues: [],
  };
}

const fenceActions = (calls: Call[]) => calls.filter((c) => c.action !== "list" && c.action !== "status").map((c) => `${c.params["id"] ?? ""}${c.action}:${c.target}`);

describe("Fencer host checks", () => {
  it("static-list: pcmk_host_list and pcmk_host_map decide, and the map's plug is passed as the target", async () => {
    const calls: Call[] = [];
    const f = new Fencer({ agents: source(fakeAgent("fence_fake", calls)), localNode: "n0", clock: fakeClock() });
    f.configure(config([
      dev("list", { pcmk_host_list: "n1, n2", id: "list/" }, "fence_fake", 0, 0),
      dev("map", { pcmk_host_map: "n3:plug3;N4=plug4", id: "map/" }, "fence_fake", 0, 1),
    ]));
    expect(await f.capableDevices("n2")).toEqual(["list"]);
    expect(await f.capableDevices("n4")).toEqual(["map"]);
    expect(await f.capableDevices("n9")).toEqual([]);
    const r = await f.fence("n4", "off");
    expect(r.ok).toBe(true);
    expect(r.devices).toEqual(["map"]);
    expect(fenceActions(calls)).toEqual(["map/off:plug4"]);
    const none = await f.fence("n9", "off");
    expect(none.ok).toBe(false);
    expect(none.error).toMatch(/No fence device can off "n9"/);
  });

  it("dynamic-list asks the agent's list once per TTL and falls back to status when list never worked", async () => {
    const calls: Call[] = [];
    const clock = fakeClock();
    const f = new Fencer({ agents: source(fakeAgent("fence_fake", calls, { listOutput: "n1\nn2,n3" })), localNode: "n0", clock, listTtlMs: 1000 });
    f.configure(config([dev("d", {})]));
    expect(await f.capableDevices("n3")).toEqual(["d"]);
    expect(await f.capableDevices("n5")).toEqual([]);
    expect(calls.filter((c) => c.action === "list")).toHaveLength(1);
    clock.t += 1000;
    await f.capableDevices("n1");
    expect(calls.filter((c) => c.action === "list")).toHaveLength(2);

    const calls2: Call[] = [];
    const g = new Fencer({
      agents: source(fakeAgent("fence_fake", calls2, { behave: { list: FAIL, "status:n7": OK, status: { rc: 1, status: "done" } } })),
      localNode: "n0",
      clock: fakeClock(),
    });
    g.configure(config([dev("d", { pcmk_list_retries: "1" })]));
    expect(await g.capableDevices("n7")).toEqual([]); // list failed: not this time
    expect(await g.capableDevices("n7")).toEqual(["d"]); // now through status
    expect(await g.capableDevices("n8")).toEqual([]);
    expect(calls2.map((c) => c.action)).toContain("status");
  });

  it("status and none host checks, and an agent without list defaults to status", async () => {
    const calls: Call[] = [];
    const agent = fakeAgent("fence_fake", calls, { actions: ["on", "off", "reboot", "status"], behave: { "status:n1": { rc: 2, status: "done" }, status: { rc: 1, status: "done" } } });
    const f = new Fencer({ agents: source(agent), localNode: "n0", clock: fakeClock() });
    f.configure(config([dev("s", { pcmk_status_retries: "1" })]));
    expect(await f.capableDevices("n1")).toEqual(["s"]);
    expect(await f.capableDevices("n2")).toEqual([]);
    f.configure(config([dev("any", { pcmk_host_check: "none", pcmk_host_list: "x" })]));
    expect(await f.capableDevices("whatever")).toEqual(["any"]);
    f.configure(config([dev("bad", { pcmk_host_check: "sometimes" })]));
    expect(await f.capableDevices("n1")).toEqual([]);
  });

  it("never picks a device to fence the local node unless self-fencing is allowed", async () => {
    const calls: Call[] = [];
    const f = new Fencer({ agents: source(fakeAgent("fence_fake", calls)), localNode: "n0", clock: fakeClock() });
    f.configure(config([dev("d", { pcmk_host_check: "none" })]));
    expect(await f.capableDevices("N0")).toEqual([]);
    expect(await f.capableDevices("n0", "reboot", true)).toEqual(["d"]);
  });
});

describe("Fencer topology", () => {
  it("tries levels in index order and falls through to the next level when a device fails", async () => {
    const calls: Call[] = [];
    const agent = fakeAgent("fence_fake", calls, { behave: { "off:n1": (req) => (req.params["id"] === "ipmi/" ? FAIL : OK) } });
    const f = new Fencer({ agents: source(agent), localNode: "n0", clock: fakeClock() });
    const devices = [
      dev("ipmi", { pcmk_host_check: "none", id: "ipmi/", pcmk_off_retries: "1" }),
      dev("psu1", { pcmk_host_check: "none", id: "psu1/" }),
      dev("psu2", { pcmk_host_check: "none", id: "psu2/" }),
    ];
    f.configure(config(devices, topo("n1", [["ipmi"], ["psu1", "psu2"]])));
    const r = await f.fence("n1", "off");
    expect(r.ok).toBe(true);
    expect(r.devices).toEqual(["psu1", "psu2"]);
    expect(fenceActions(calls)).toEqual(["ipmi/off:n1", "psu1/off:n1", "psu2/off:n1"]);
    expect(r.attempts.map((a) => [a.device, a.level, a.ok])).toEqual([["ipmi", 1, false], ["psu1", 2, true], ["psu2", 2, true]]);
  });

  it("needs every device of a level, in order; a reboot of a multi-device level is all off then all on", async () => {
    const calls: Call[] = [];
    const agent = fakeAgent("fence_fake", calls, { behave: { "off:n1": (req) => (req.params["id"] === "b/" ? FAIL : OK) } });
    const f = new Fencer({ agents: source(agent), localNode: "n0", clock: fakeClock() });
    const devices = ["a", "b", "c", "d"].map((id) => dev(id, { pcmk_host_check: "none", id: `${id}/`, pcmk_off_retries: "1" }));
    f.configure(config(devices, topo("n1", [["a", "b"], ["c", "d"]])));
    const r = await f.fence("n1", "reboot");
    expect(r.ok).toBe(true);
    expect(fenceActions(calls)).toEqual(["a/off:n1", "b/off:n1", "c/off:n1", "d/off:n1", "c/on:n1", "d/on:n1"]);
    const bad = await f.fence("n1", "off", { client: "other" });
    expect(bad.ok).toBe(true);
    f.configure(config(devices, topo("n1", [["a", "b"], ["missing"]])));
    const fail = await f.fence("n1", "off");
    expect(fail.ok).toBe(false);
    expect(fail.error).toMatch(/level 1: "b" off failed .*level 2: device "missing" is not configured/);
  });

  it("without topology tries capable devices by priority, then configuration order; reboot without reboot support runs off", async () => {
    const calls: Call[] = [];
    const plain = fakeAgent("fence_plain", calls, { actions: ["on", "off", "status"], behave: { off: FAIL } });
    const good = fakeAgent("fence_good", calls);
    const f = new Fencer({ agents: source(plain, good), localNode: "n0", clock: fakeClock() });
    f.configure(config([
      dev("late", { pcmk_host_list: "n1", id: "late/" }, "fence_good", 0, 0),
      dev("first", { pcmk_host_list: "n1", id: "first/", pcmk_off_retries: "1" }, "fence_plain", 5, 1),
      dev("other", { pcmk_host_list: "n2", id: "other/" }, "fence_good", 9, 2),
    ]));
    const r = await f.fence("n1", "reboot");
    expect(r.ok).toBe(true);
    expect(fenceActions(calls)).toEqual(["first/off:n1", "late/reboot:n1"]);
    expect(r.devices).toEqual(["late"]);
  });
});

describe("Fencer delays, timeouts and retries", () => {
  it("waits the requested delay once, plus each device's base and random delay", async () => {
    const calls: Call[] = [];
    const clock = fakeClock();
    const f = new Fencer({ agents: source(fakeAgent("fence_fake", calls, { behave: { "off:n1": (r) => (r.params["id"] === "a/" ? FAIL : OK) } })), localNode: "n0", clock, random: () => 0.5 });
    f.configure(config([
      dev("a", { pcmk_host_check: "none", id: "a/", pcmk_delay_base: "n1:2s;n2:1s", pcmk_off_retries: "1" }, "fence_fake", 0, 0),
      dev("b", { pcmk_host_check: "none", id: "b/", pcmk_delay_base: "1s", pcmk_delay_max: "3s" }, "fence_fake", 0, 1),
    ]));
    const r = await f.fence("n1", "off", { delayMs: 5000 });
    expect(r.ok).toBe(true);
    expect(clock.sleeps).toEqual([7000, 2000]);
    expect(r.attempts.map((a) => a.delayMs)).toEqual([7000, 2000]);
    clock.sleeps.length = 0;
    await f.fence("n1", "on");
    expect(clock.sleeps).toEqual([]); // no delays for "on"
    await f.fence("n1", "off", { delayMs: -1, client: "x" });
    expect(clock.sleeps).toEqual([]); // -1 disables device delays
  });

  it("times out a hanging agent at pcmk_<action>_timeout and moves on", async () => {
    const calls: Call[] = [];
    const f = new Fencer({
      agents: source(fakeAgent("fence_fake", calls, { behave: { "off:n1": (r) => (r.params["id"] === "slow/" ? "hang" : OK) } })),
      localNode: "n0",
      clock: realClock,
    });
    f.configure(config([
      dev("slow", { pcmk_host_check: "none", id: "slow/" }, "fence_fake", 1, 0),
      dev("fast", { pcmk_host_check: "none", id: "fast/" }, "fence_fake", 0, 1),
    ]));
    const t0 = Date.now();
    const r = await f.fence("n1", "off", { timeoutMs: 80 });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.ok).toBe(true);
    expect(r.attempts[0]).toMatchObject({ device: "slow", status: "timeout", tries: 1, ok: false });
    expect(r.attempts[1]).toMatchObject({ device: "fast", ok: true });
    expect(calls[0]!.timeoutMs).toBe(80);
  });

  it("retries a failing action up to pcmk_<action>_retries tries and tells the agent to try once", async () => {
    const calls: Call[] = [];
    const clock = fakeClock();
    const f = new Fencer({
      agents: source(fakeAgent("fence_fake", calls, { behave: { off: (_r, n) => (n < 3 ? FAIL : OK), reboot: FAIL } })),
      localNode: "n0",
      clock,
    });
    f.configure(config([dev("d", { pcmk_host_check: "none", pcmk_off_retries: "3", pcmk_off_timeout: "90s" })]));
    const r = await f.fence("n1", "off");
    expect(r.ok).toBe(true);
    expect(r.attempts[0]!.tries).toBe(3);
    expect(clock.sleeps).toEqual([1000, 1000]); // a second between tries
    expect(calls.every((c) => c.params["pcmk_off_retries"] === "1")).toBe(true);
    expect(calls.map((c) => c.timeoutMs)).toEqual([90_000, 89_000, 88_000]); // what is left of the timeout
    const rb = await f.fence("n1", "reboot");
    expect(rb.ok).toBe(false);
    expect(rb.attempts[0]!.tries).toBe(2); // the default
    expect(rb.error).toMatch(/power switch said no/);
    // no retry once 70% of the timeout is spent
    f.configure(config([dev("d", { pcmk_host_check: "none", pcmk_reboot_retries: "5", pcmk_reboot_timeout: "1" })]));
    expect((await f.fence("n1", "reboot", { client: "z" })).attempts[0]!.tries).toBe(2);
  });

  it("turns a throwing agent into a failed attempt", async () => {
    const f = new Fencer({ agents: source(fakeAgent("fence_fake", [], { behave: { off: "throw" } })), localNode: "n0", clock: fakeClock() });
    f.configure(config([dev("d", { pcmk_host_check: "none" })]));
    const r = await f.fence("n1", "off");
    expect(r.ok).toBe(false);
    expect(r.attempts[0]).toMatchObject({ status: "error", reason: "agent exploded" });
  });
});

describe("Fencer requests", () => {
  it("merges concurrent requests of different clients for the same target and action", async () => {
    const calls: Call[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const agent = fakeAgent("fence_fake", calls);
    const slow = { ...agent, run: async (req: Parameters<typeof agent.run>[0], ctx: Parameters<typeof agent.run>[1]) => (await gate, agent.run(req, ctx)) };
    const f = new Fencer({ agents: source(slow), localNode: "n0", clock: fakeClock() });
    f.configure(config([dev("d", { pcmk_host_check: "none" })]));
    const a = f.fence("n1", "reboot", { origin: "n0", client: "controller" });
    const b = f.fence("N1", "reboot", { origin: "n2", client: "cli" });
    const c = f.fence("n1", "off", { client: "cli" });
    release();
    const [ra, rb, rc] = await Promise.all([a, b, c]);
    expect(ra.ok && rb.ok && rc.ok).toBe(true);
    expect(rb.mergedInto).toBe(ra.id);
    expect(rc.mergedInto).toBeUndefined();
    expect(calls.filter((x) => x.action === "reboot")).toHaveLength(1);
    expect(f.history.get(ra.id)?.merged).toEqual([rb.id]);
    expect(f.history.get(rb.id)).toMatchObject({ state: "success", origin: "n2", client: "cli", devices: ["d"] });
  });

  it("does not merge requests of the same client and runs one action per device at a time", async () => {
    let running = 0;
    let most = 0;
    const calls: Call[] = [];
    const base = fakeAgent("fence_fake", calls, { actions: ["on", "off", "status"] });
    const agent = {
      ...base,
      run: async (req: Parameters<typeof base.run>[0], ctx: Parameters<typeof base.run>[1]) => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return base.run(req, ctx);
      },
    };
    const f = new Fencer({ agents: source(agent), localNode: "n0", clock: fakeClock() });
    f.configure(config([dev("d", { pcmk_host_check: "none", pcmk_off_timeout: "7" })]));
    const [a, b] = await Promise.all([f.fence("n1", "reboot", { client: "c" }), f.fence("n1", "reboot", { client: "c" })]);
    expect(a.ok && b.ok).toBe(true);
    expect(a.mergedInto ?? b.mergedInto).toBeUndefined();
    expect(most).toBe(1);
    // the agent has no reboot: reboot runs as off, with the off timeout
    expect(calls.map((c) => [c.action, c.timeoutMs])).toEqual([["off", 7000], ["off", 7000]]);
  });

  it("refuses guest nodes with FENCE_GUEST_NODE, fences remote nodes, rejects bad arguments", async () => {
    const calls: Call[] = [];
    const f = new Fencer({ agents: source(fakeAgent("fence_fake", calls)), localNode: "n0", clock: fakeClock() });
    f.configure(config([dev("d", { pcmk_host_check: "none" })]));
    for (const kind of ["container", "guest"] as const) {
      let err: unknown;
      try {
        f.fence("guest1", "reboot", { kind });
      } catch (e) {
        err = e;
      }
      expect(isAtriumError(err, "FENCE_GUEST_NODE")).toBe(true);
      expect((err as Error).message).toBe(`Cannot fence guest node "guest1" through fence devices: a guest is fenced by recovering its container, which the controller does`);
    }
    expect(calls).toHaveLength(0);
    expect(f.history.list()).toHaveLength(0);
    expect((await f.fence("remote1", "off", { kind: "remote" })).ok).toBe(true);
    expect(() => f.fence("", "off")).toThrow(TypeError);
    expect(() => f.fence("n1", "status" as never)).toThrow(/expected reboot, off or on/);
    expect(() => f.fence("n1", "off", { timeoutMs: 0 })).toThrow(RangeError);
  });

  it("keeps a bounded, serializable history and emits fencing events", async () => {
    const events: ClusterEvent[] = [];
    const clock = fakeClock();
    const f = new Fencer({
      agents: source(fakeAgent("fence_fake", [], { behave: { "off:bad": FAIL } })),
      localNode: "n0",
      clock,
      history: new FenceHistory({ limit: 2 }),
      onEvent: (e) => events.push(e),
    });
    f.configure(config([dev("d", { pcmk_host_check: "none", pcmk_off_retries: "1" })]));
    const r1 = await f.fence("n1", "reboot", { origin: "n2", client: "controller", reason: "lost" });
    await f.fence("bad", "off");
    await f.fence("n3", "off");
    const list = f.history.list();
    expect(list.map((e) => e.target)).toEqual(["bad", "n3"]);
    expect(list[0]).toMatchObject({ action: "off", state: "failed", delegate: "n0", origin: "n0", client: "n0", devices: ["d"] });
    expect(list[0]!.startedAt).toBe(new Date(clock.t).toISOString());
    expect(f.history.list({ target: "N3" })).toHaveLength(1);
    expect(f.history.list({ state: "failed" })).toHaveLength(1);
    expect(events.map((e) => [e.kind, e.node, e.task, e.rc, e.sequence])).toEqual([
      ["fencing", "n1", "reboot", 0, 1],
      ["fencing", "bad", "off", 1, 2],
      ["fencing", "n3", "off", 0, 3],
    ]);
    expect(events[0]!.desc).toBe("Operation reboot of n1 by n0 for controller@n2: OK");
    expect(r1).toMatchObject({ ok: true, reason: "lost", state: "success" });
    const json = JSON.parse(JSON.stringify(f.history.toJSON()));
    const back = FenceHistory.fromJSON(json);
    expect(back.list()).toEqual(list);
    expect(() => FenceHistory.fromJSON({ version: 1, entries: [{ id: 1 }] })).toThrow(/entries\[0\]\.id 1 is not a string/);
    expect(() => FenceHistory.fromJSON({ version: 2 })).toThrow(TypeError);
    const pending = FenceHistory.fromJSON({ version: 1, entries: [{ ...list[1], state: "pending", endedAt: undefined }] });
    expect(pending.list()[0]).toMatchObject({ state: "failed", error: "interrupted" });
  });

  it("reports the devices that make unfencing necessary; on runs through every automatic-unfencing device", async () => {
    const calls: Call[] = [];
    const auto = fakeAgent("fence_auto", calls, { automatic: true, behave: { "on:n2": (r) => (r.params["id"] === "2" ? FAIL : OK) } });
    const noOn = fakeAgent("fence_noon", calls, { actions: ["off", "reboot", "status"] });
    const f = new Fencer({ agents: source(auto, noOn), localNode: "n0", clock: fakeClock() });
    f.configure(config([
      dev("noon", { pcmk_host_check: "none" }, "fence_noon", 10, 0),
      dev("auto", { pcmk_host_check: "none", id: "1" }, "fence_auto", 0, 1),
      fenceDevice("prov", "fence_noon", { pcmk_host_check: "none" }, { provides: "unfencing", index: 2 }),
      dev("auto2", { pcmk_host_list: "n1 n2", id: "2", pcmk_on_retries: "1" }, "fence_auto", 0, 3),
    ]));
    expect(await f.unfencingDevices()).toEqual(["auto", "prov", "auto2"]);
    const r = await f.fence("n1", "on");
    expect(r).toMatchObject({ ok: true, devices: ["auto", "auto2"] });
    expect(calls.filter((c) => c.action === "on").map((c) => c.agent)).toEqual(["fence_auto", "fence_auto"]);
    const bad = await f.fence("n2", "on");
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/Unfencing needs "auto2"/);
  });
});
