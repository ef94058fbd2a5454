import { describe, expect, it } from "vitest";
import { isAtriumError } from "../../../core/errors.ts";
import { Executor, FakeClock, type OperationRecord } from "../../../core/executor/mod.ts";
import type { OperationRequest, OperationResult, PluginContext, ResourceClass } from "../../../core/plugin/mod.ts";

type Handler = (op: OperationRequest, ctx: PluginContext) => Promise<OperationResult>;

function fakeClass(handler: Handler, name = "fake"): ResourceClass & { calls: OperationRequest[] } {
  const calls: OperationRequest[] = [];
  return {
    name,
    calls,
    listAgents: async () => [],
    metadata: async (agent) => ({ agent, parameters: [], actions: [] }),
    exec: (op, ctx) => {
      calls.push(op);
      return handler(op, ctx);
    },
  };
}

/** A handler that takes `ms` of (fake) clock time and returns rc from `rcs` in turn. */
function timed(clock: FakeClock, ms: number, rcs: number[] = [0]): Handler {
  let i = 0;
  return () =>
    new Promise((resolve) => {
      const rc = rcs[Math.min(i++, rcs.length - 1)]!;
      clock.setTimeout(() => resolve({ rc, status: "done", stdout: `run ${i}` }), ms);
    });
}

const agent = { class: "fake", type: "T" };

function setup(handler: (clock: FakeClock) => Handler, opts: { maxConcurrent?: number; killGraceMs?: number } = {}) {
  const clock = new FakeClock(1_000_000);
  const cls = fakeClass(handler(clock));
  const ex = new Executor({ resolveClass: (n) => (n === "fake" ? cls : undefined), clock, ...opts });
  const results: OperationRecord[] = [];
  const changes: OperationRecord[] = [];
  ex.on("result", (r) => results.push(r));
  ex.on("change", (r) => changes.push(r));
  return { clock, cls, ex, results, changes };
}

describe("Executor", () => {
  it("runs operations on one resource one at a time, in order", async () => {
    let active = 0;
    let maxActive = 0;
    const { clock, ex, results } = setup((c) => async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise<void>((r) => c.setTimeout(r, 100));
      active--;
      return { rc: 0, status: "done" };
    });
    ex.register({ id: "r1", agent });
    ex.exec({ resource: "r1", action: "start", timeoutMs: 1000 });
    ex.exec({ resource: "r1", action: "monitor", timeoutMs: 1000 });
    ex.exec({ resource: "r1", action: "stop", timeoutMs: 1000 });
    expect(ex.history("r1")!.queued).toBe(2);
    await clock.advance(350);
    expect(results.map((r) => r.action)).toEqual(["start", "monitor", "stop"]);
    expect(maxActive).toBe(1);
    expect(results[2]!.queueTimeMs).toBe(200);
    expect(results[0]!.execTimeMs).toBe(100);
  });

  it("keeps one operation per resource when a listener queues more work from a result", async () => {
    let active = 0;
    let maxActive = 0;
    const { clock, ex, results } = setup((c) => async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise<void>((r) => c.setTimeout(r, 10));
      active--;
      return { rc: 0, status: "done" };
    });
    ex.register({ id: "r", agent });
    ex.on("result", (r) => {
      if (r.action === "start") {
        ex.exec({ resource: "r", action: "monitor", timeoutMs: 100 });
        ex.exec({ resource: "r", action: "notify", timeoutMs: 100 });
      }
    });
    ex.exec({ resource: "r", action: "start", timeoutMs: 100 });
    ex.exec({ resource: "r", action: "promote", timeoutMs: 100 });
    await clock.advance(100);
    expect(results.map((r) => r.action)).toEqual(["start", "promote", "monitor", "notify"]);
    expect(maxActive).toBe(1);
  });

  it("runs different resources in parallel up to maxConcurrent and records queue time", async () => {
    let active = 0;
    let maxActive = 0;
    const { clock, ex, results } = setup(
      (c) => async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((r) => c.setTimeout(r, 100));
        active--;
        return { rc: 0, status: "done" };
      },
      { maxConcurrent: 2 },
    );
    for (const id of ["a", "b", "c", "d"]) {
      ex.register({ id, agent });
      ex.exec({ resource: id, action: "start", timeoutMs: 1000 });
    }
    expect(ex.stats()).toMatchObject({ running: 2, queued: 2 });
    await clock.advance(250);
    expect(results).toHaveLength(4);
    expect(maxActive).toBe(2);
    expect(results.map((r) => r.queueTimeMs).sort((x, y) => x - y)).toEqual([0, 0, 100, 100]);
  });

  it("keeps recurring monitors at a fixed rate with no drift", async () => {
    const { clock, ex, results } = setup((c) => timed(c, 7));
    ex.register({ id: "r", agent });
    const t0 = clock.now();
    const callId = ex.exec({ resource: "r", action: "monitor", intervalMs: 1000, timeoutMs: 500 });
    await clock.advance(10_010);
    expect(results).toHaveLength(11);
    expect(results.every((r) => r.callId === callId)).toBe(true);
    expect(results.map((r) => r.scheduledAt - t0)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000]);
    expect(results.map((r) => r.runAt - r.scheduledAt)).toEqual(new Array(11).fill(0));
    expect(results.map((r) => r.run)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ex.recurring("r")).toEqual([expect.objectContaining({ callId, intervalMs: 1000, nextRunAt: t0 + 11_000 })]);
  });

  it("skips missed slots of a recurring operation that overruns its interval", async () => {
    const { clock, ex, results } = setup((c) => timed(c, 2500));
    ex.register({ id: "r", agent });
    const t0 = clock.now();
    ex.exec({ resource: "r", action: "monitor", intervalMs: 1000, timeoutMs: 5000 });
    await clock.advance(9000);
    expect(results.map((r) => r.scheduledAt - t0)).toEqual([0, 3000, 6000]);
  });

  it("waits start-delay before the first run", async () => {
    const { clock, ex, results } = setup((c) => timed(c, 1));
    ex.register({ id: "r", agent });
    const t0 = clock.now();
    ex.exec({ resource: "r", action: "monitor", intervalMs: 1000, startDelayMs: 5000, timeoutMs: 500 });
    await clock.advance(4999);
    expect(results).toHaveLength(0);
    await clock.advance(1);
    expect(ex.history("r")!.running).toBe("monitor");
    await clock.advance(1);
    expect(results).toHaveLength(1);
    expect(results[0]!.runAt - t0).toBe(5000);
    expect(results[0]!.startDelayMs).toBe(5000);
  });

  it("reports only changed recurring results as changes, but every result as a result", async () => {
    const { clock, ex, results, changes } = setup((c) => timed(c, 1, [0, 0, 7, 7, 0]));
    ex.register({ id: "r", agent });
    ex.exec({ resource: "r", action: "monitor", intervalMs: 100, timeoutMs: 50 });
    await clock.advance(450);
    expect(results.map((r) => r.rc)).toEqual([0, 0, 7, 7, 0]);
    expect(changes.map((r) => [r.run, r.rc])).toEqual([[0, 0], [2, 7], [4, 0]]);
    const h = ex.history("r")!;
    expect(h.lastFailure?.rc).toBe(7);
    expect(h.last?.rc).toBe(0);
    expect(h.operations[0]!.rcChangedAt).toBe(results[4]!.runAt + 1);
  });

  it("judges last failure by the expected rc when the controller sends op_target_rc", async () => {
    const { clock, ex } = setup((c) => timed(c, 1, [7, 0, 7]));
    ex.register({ id: "r", agent });
    ex.exec({ resource: "r", action: "monitor", timeoutMs: 50, meta: { op_target_rc: "7" } });
    await clock.advance(5);
    expect(ex.history("r")!.lastFailure).toBeUndefined();
    ex.exec({ resource: "r", action: "monitor", timeoutMs: 50, meta: { op_target_rc: "7" } });
    await clock.advance(5);
    expect(ex.history("r")!.lastFailure?.rc).toBe(0);
    ex.exec({ resource: "r", action: "start", timeoutMs: 50 });
    await clock.advance(5);
    expect(ex.history("r")!.lastFailure?.action).toBe("start");
  });

  it("cancels a recurring operation with a final cancelled record before returning", async () => {
    const { clock, ex, results } = setup((c) => timed(c, 1, [7]));
    ex.register({ id: "r", agent });
    ex.exec({ resource: "r", action: "monitor", intervalMs: 100, timeoutMs: 50, userdata: "u1" });
    await clock.advance(250);
    expect(results).toHaveLength(3);
    expect(ex.cancel("r", "monitor", 100)).toBe(true);
    expect(results[3]).toMatchObject({ status: "cancelled", rc: 7, userdata: "u1", action: "monitor" });
    await clock.advance(1000);
    expect(results).toHaveLength(4);
    expect(ex.cancel("r", "monitor", 100)).toBe(false);
    expect(ex.cancel("nope", "monitor", 100)).toBe(false);
    expect(ex.recurring()).toEqual([]);
  });

  it("cancels a recurring operation while it runs by aborting the class", async () => {
    const { clock, ex, results } = setup(() => (_op, ctx) =>
      new Promise((resolve) => ctx.signal.addEventListener("abort", () => resolve({ rc: 1, status: "error" })))
    );
    ex.register({ id: "r", agent });
    ex.exec({ resource: "r", action: "monitor", intervalMs: 100, timeoutMs: 5000 });
    await clock.advance(10);
    expect(ex.cancel("r", "monitor", 100)).toBe(true);
    await clock.advance(10);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: "cancelled", rc: 0 });
    expect(ex.stats().running).toBe(0);
  });

  it("reports a timeout when the class answers after being aborted", async () => {
    const { clock, ex, results } = setup(() => (_op, ctx) =>
      new Promise((resolve) => ctx.signal.addEventListener("abort", () => resolve({ rc: 0, status: "done", stdout: "partial" })))
    );
    ex.register({ id: "r", agent });
    ex.exec({ resource: "r", action: "start", timeoutMs: 300 });
    await clock.advance(299);
    expect(results).toHaveLength(0);
    await clock.advance(1);
    expect(results[0]).toMatchObject({ status: "timeout", rc: 1, reason: "timed out after 300ms", stdout: "partial" });
  });

  it("gives up on a class that ignores its abort signal after the kill grace", async () => {
    const { clock, ex, results } = setup(() => () => new Promise(() => {}), { killGraceMs: 100 });
    ex.register({ id: "r", agent });
    ex.exec({ resource: "r", action: "start", timeoutMs: 300 });
    await clock.advance(300 + 100 + 1999);
    expect(results).toHaveLength(0);
    await clock.advance(1);
    expect(results[0]).toMatchObject({ status: "timeout", rc: 1 });
    expect(ex.stats().running).toBe(0);
  });

  it("turns a throwing class into an error result", async () => {
    const { clock, ex, results } = setup(() => async () => {
      throw new Error("boom");
    });
    ex.register({ id: "r", agent });
    ex.exec({ resource: "r", action: "start", timeoutMs: 300 });
    await clock.advance(1);
    expect(results[0]).toMatchObject({ status: "error", rc: 1 });
    expect(results[0]!.reason).toContain("boom");
  });

  it("reports not_installed for an unknown resource class", async () => {
    const { clock, ex, results } = setup((c) => timed(c, 1));
    ex.register({ id: "r", agent: { class: "nosuch", type: "X" } });
    ex.exec({ resource: "r", action: "start", timeoutMs: 300 });
    await clock.advance(1);
    expect(results[0]).toMatchObject({ status: "not_installed", rc: 5, reason: 'Resource class "nosuch" is not available' });
  });

  it("marks interval-0 monitors before the first start as probes and passes meta", async () => {
    const { clock, cls, ex, results } = setup((c) => timed(c, 1, [7, 0, 0]));
    ex.register({ id: "r", agent, params: { a: "1" } });
    ex.exec({ resource: "r", action: "monitor", timeoutMs: 300 });
    ex.exec({ resource: "r", action: "start", timeoutMs: 400, meta: { notify: "true" } });
    ex.exec({ resource: "r", action: "monitor", timeoutMs: 300, depth: 10 });
    await clock.advance(10);
    expect(results.map((r) => r.probe)).toEqual([true, false, false]);
    expect(ex.history("r")!.started).toBe(true);
    expect(cls.calls[0]!.meta).toEqual({ timeout: "300", interval: "0", name: "monitor" });
    expect(cls.calls[1]!.meta).toEqual({ notify: "true", timeout: "400", interval: "0", name: "start" });
    expect(cls.calls[2]!.env).toEqual({ OCF_CHECK_LEVEL: "10" });
    expect(cls.calls[0]!.params).toEqual({ a: "1" });
  });

  it("merges a duplicate recurring request into the scheduled one and runs it now", async () => {
    const { clock, ex, results } = setup((c) => timed(c, 1));
    ex.register({ id: "r", agent });
    const first = ex.exec({ resource: "r", action: "monitor", intervalMs: 1000, timeoutMs: 300 });
    await clock.advance(100);
    const second = ex.exec({ resource: "r", action: "monitor", intervalMs: 1000, timeoutMs: 300, callId: 77 });
    expect(second).toBe(77);
    await clock.advance(10);
    expect(results.map((r) => [r.callId, r.run])).toEqual([[first, 0], [77, 0]]);
    expect(ex.recurring("r")).toHaveLength(1);
  });

  it("unregisters a resource with a running operation as in progress and marks its result deleted", async () => {
    const { clock, ex, results } = setup((c) => timed(c, 100));
    ex.register({ id: "r", agent });
    ex.exec({ resource: "r", action: "monitor", intervalMs: 1000, timeoutMs: 500 });
    ex.exec({ resource: "r", action: "stop", timeoutMs: 500 });
    await clock.advance(10);
    expect(ex.unregister("r")).toEqual({ removed: true, inProgress: true });
    expect(results.map((r) => [r.action, r.status, r.deleted])).toEqual([
      ["stop", "cancelled", true],
    ]);
    await clock.advance(200);
    expect(results.map((r) => [r.action, r.status, r.deleted])).toEqual([
      ["stop", "cancelled", true],
      ["monitor", "cancelled", true],
    ]);
    expect(ex.unregister("r")).toEqual({ removed: false, inProgress: false });
    expect(ex.resources()).toEqual([]);
  });

  it("rejects bad requests without changing anything", async () => {
    const { ex } = setup((c) => timed(c, 1));
    ex.register({ id: "r", agent });
    const before = ex.stats();
    expect(() => ex.exec({ resource: "x", action: "start", timeoutMs: 10 })).toThrow(/not registered/);
    try {
      ex.exec({ resource: "x", action: "start", timeoutMs: 10 });
    } catch (e) {
      expect(isAtriumError(e, "EXECUTOR_UNKNOWN_RESOURCE")).toBe(true);
    }
    expect(() => ex.exec({ resource: "r", action: "start", timeoutMs: 0 })).toThrow(RangeError);
    expect(() => ex.exec({ resource: "r", action: "start", timeoutMs: 10, intervalMs: -1 })).toThrow(RangeError);
    expect(() => ex.exec({ resource: "r", action: "st art", timeoutMs: 10 })).toThrow(TypeError);
    expect(() => ex.exec({ resource: "r", action: "start", timeoutMs: 10, params: { a: 1 as unknown as string } })).toThrow(TypeError);
    expect(() => ex.register({ id: "", agent })).toThrow(TypeError);
    expect(() => ex.register({ id: "q", agent: { class: "ocf" } as never })).toThrow(TypeError);
    expect(() => new Executor({ resolveClass: () => undefined, maxConcurrent: 0 })).toThrow(RangeError);
    expect(ex.stats()).toEqual(before);
    expect(ex.resources()).toEqual(["r"]);
  });

  it("keeps delivering events when a listener throws", async () => {
    const { clock, ex, results } = setup((c) => timed(c, 1));
    ex.on("result", () => {
      throw new Error("listener bug");
    });
    ex.register({ id: "r", agent });
    const r = ex.run({ resource: "r", action: "start", timeoutMs: 10 });
    await clock.advance(5);
    expect((await r).rc).toBe(0);
    expect(results).toHaveLength(1);
  });

  it("caches meta-data and shares one request between concurrent callers", async () => {
    let n = 0;
    let fail = true;
    const cls: ResourceClass = {
      name: "fake",
      listAgents: async () => [],
      metadata: async (a) => {
        n++;
        if (fail) {
          fail = false;
          throw new Error("first fails");
        }
        return { agent: a, parameters: [], actions: [{ name: "start", timeoutMs: 20_000 }] };
      },
      exec: async () => ({ rc: 0, status: "done" }),
    };
    const ex = new Executor({ resolveClass: () => cls });
    await expect(ex.metadata(agent)).rejects.toThrow("first fails");
    const [a, b] = await Promise.all([ex.metadata(agent), ex.metadata(agent)]);
    expect(a).toBe(b);
    expect(await ex.metadata(agent)).toBe(a);
    expect(n).toBe(2);
    ex.invalidateMetadata(agent);
    await ex.metadata(agent);
    expect(n).toBe(3);
  });

  it("close() cancels recurring work and kills running operations", async () => {
    const { clock, ex, results } = setup(() => (_op, ctx) =>
      new Promise((resolve) => ctx.signal.addEventListener("abort", () => resolve({ rc: 0, status: "done" })))
    );
    ex.register({ id: "a", agent });
    ex.register({ id: "b", agent });
    ex.exec({ resource: "a", action: "start", timeoutMs: 100_000 });
    ex.exec({ resource: "b", action: "monitor", intervalMs: 1000, timeoutMs: 100_000, startDelayMs: 500 });
    await clock.advance(1);
    await ex.close();
    expect(results.map((r) => [r.resource, r.status]).sort()).toEqual([["a", "cancelled"], ["b", "cancelled"]]);
    expect(() => ex.exec({ resource: "a", action: "start", timeoutMs: 10 })).toThrow(/closed/);
  });
});
