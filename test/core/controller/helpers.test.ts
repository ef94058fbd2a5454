import { describe, expect, it } from "vitest";
import { parseCib, serializeCib } from "../../../core/cib/mod.ts";
import type { Cib } from "../../../core/cib/model.ts";
import {
  Controller, describeResource, didFail, expectedRc, IMPLICIT_CONNECTION_RETRY, isRealFailure, opDigest, recheckDelayMs, recordFailure, recordOperation,
  targetRcOf, transitionKey, transitionMagic, withMissingMonitors,
} from "../../../core/controller/mod.ts";
import { schedule } from "../../../core/scheduler/mod.ts";
import { FakeExecutor } from "./_fake_executor.ts";
import { dummyCib, MemoryCib } from "./_fixtures.ts";

describe("operation codes", () => {
  it("formats transition keys and magic as Pacemaker does", () => {
    const k = transitionKey(5, 12, 7, "u-u-i-d");
    expect(k).toBe("12:5:7:u-u-i-d");
    expect(transitionMagic("done", 0, k)).toBe("0:0;12:5:7:u-u-i-d");
    expect(transitionMagic("timeout", 1, k)).toBe("2:1;12:5:7:u-u-i-d");
    expect(targetRcOf(k)).toBe(7);
    expect(targetRcOf("garbage")).toBeUndefined();
  });

  it("expects 7 from probes, 8 from promoted monitors, 0 otherwise", () => {
    expect(expectedRc("monitor", 0)).toBe(7);
    expect(expectedRc("probe", 0)).toBe(7);
    expect(expectedRc("monitor", 10000)).toBe(0);
    expect(expectedRc("monitor", 10000, true)).toBe(8);
    expect(expectedRc("start", 0)).toBe(0);
  });

  it("treats a probe's rc as information, not failure", () => {
    expect(didFail("done", 0, 7)).toBe(true);
    expect(isRealFailure("monitor", 0, "done", 0, 7)).toBe(false);
    expect(isRealFailure("monitor", 0, "done", 1, 7)).toBe(true);
    expect(isRealFailure("monitor", 10000, "done", 7, 0)).toBe(true);
    expect(isRealFailure("start", 0, "timeout", 0, 0)).toBe(true);
    expect(didFail("cancelled", 0, 0)).toBe(false);
  });

  it("computes the op digests found in Pacemaker's CIBs", () => {
    expect(opDigest({}, 0, 20000)).toBe("f2317cad3d54cec5d7d7aa7d0bf35cf8");
    expect(opDigest({ CRM_meta_timeout: "99" }, 10000, 20000)).toBe("4811cef7f7f94e3a35a70be7916cb2fd");
    expect(opDigest({ b: "2", a: "1" }, 0, 1)).toBe(opDigest({ a: "1", b: "2" }, 0, 1));
  });
});

describe("recheckDelayMs()", () => {
  it("defaults to 15 minutes and follows cluster-recheck-interval", () => {
    expect(recheckDelayMs(dummyCib([]), 0)).toBe(900_000);
    expect(recheckDelayMs(dummyCib([], { props: '<nvpair id="o2" name="cluster-recheck-interval" value="2min"/>' }), 0)).toBe(120_000);
    expect(recheckDelayMs(dummyCib([], { props: '<nvpair id="o2" name="cluster-recheck-interval" value="0"/>' }), 0)).toBeUndefined();
  });

  it("wakes up when a failure expires (last-failure + failure-timeout)", () => {
    const text = serializeCib(dummyCib(["d1"])).replace('<instance_attributes id="d1-ia">',
      '<meta_attributes id="d1-meta"><nvpair id="d1-m1" name="failure-timeout" value="60s"/></meta_attributes><instance_attributes id="d1-ia">');
    const cib = recordFailure(parseCib(text), "node1", "d1", "monitor", 10000, { now: 1_000_000 });
    expect(recheckDelayMs(cib, 1_000_000)).toBe(61_000);
    expect(recheckDelayMs(cib, 1_000_000 + 120_000)).toBe(900_000);
  });

  it("wakes up promptly when a remote connection may be retried (reconnect_interval, else the implicit 5 s)", () => {
    const conn = (ia: string) => `<primitive id="rem1" class="ocf" provider="pacemaker" type="remote"><instance_attributes id="rem1-ia">${ia}</instance_attributes></primitive>`;
    const withRi = recordFailure(dummyCib([], { extraConfig: conn('<nvpair id="rem1-ri" name="reconnect_interval" value="20s"/>') }), "node1", "rem1", "monitor", 30000, { now: 1_000_000 });
    expect(recheckDelayMs(withRi, 1_000_000)).toBe(20_250);
    const implicit = recordFailure(dummyCib([], { extraConfig: conn("") }), "node1", "rem1", "start", 0, { now: 1_000_000, infinity: true });
    expect(IMPLICIT_CONNECTION_RETRY).toBe("5s");
    expect(recheckDelayMs(implicit, 1_000_000)).toBe(5_250);
    expect(recheckDelayMs(implicit, 1_000_000 + 10_000)).toBe(900_000);
  });

  it("wakes up when a date rule changes its result (a location rule's end, inside an and with a node expression)", () => {
    const now = Date.parse("2026-11-25T12:00:00Z");
    const rule = `<rsc_location id="l1" rsc="d1"><rule id="r1" score="100" boolean-op="and">
      <expression id="e1" attribute="#uname" operation="eq" value="nowhere"/>
      <date_expression id="de1" operation="in_range" start="2026-11-25T11:00:00Z" end="2026-11-25T12:10:00Z"/></rule></rsc_location>`;
    const cib = parseCib(serializeCib(dummyCib(["d1"])).replace("<constraints/>", `<constraints>${rule}</constraints>`));
    // end + 1 s, as Pacemaker's in_range: 10 min 1 s from now
    expect(recheckDelayMs(cib, now)).toBe(601_000);
    // once the range is over, nothing time-based is left: the cluster-recheck-interval
    expect(recheckDelayMs(cib, now + 700_000)).toBe(900_000);
  });
});

describe("describeResource()", () => {
  it("describes primitives, anonymous clone instances and implicit guest connections", () => {
    const text = serializeCib(dummyCib(["d1"], {
      extraConfig: `<clone id="cl"><primitive id="c1" class="ocf" provider="heartbeat" type="Dummy"/></clone>
      <primitive id="vm" class="launcher" type="netns"><meta_attributes id="vm-m"><nvpair id="vm-m1" name="remote-node" value="g1"/><nvpair id="vm-m2" name="remote-port" value="3200"/></meta_attributes></primitive>`,
    }));
    const cib = parseCib(text);
    const d1 = describeResource(cib, "d1")!;
    expect(d1).toMatchObject({ kind: "agent", historyId: "d1", agent: { class: "ocf", provider: "pacemaker", type: "Dummy" }, params: { state: "/tmp/d1.state" } });
    expect(d1.op("monitor", 10000)).toEqual({ timeoutMs: 20000, promoted: false });
    expect(describeResource(cib, "c1:2")).toMatchObject({ kind: "agent", historyId: "c1" });
    expect(describeResource(cib, "vm")).toMatchObject({ kind: "launcher", agent: { class: "launcher", type: "netns" } });
    expect(describeResource(cib, "g1")).toMatchObject({ kind: "guest-connection", connection: { node: "g1", port: 3200, container: "vm", connectTimeoutMs: 60000 } });
    expect(describeResource(cib, "nope")).toBeUndefined();
  });
});

describe("withMissingMonitors()", () => {
  it("adds the recurring monitor of a running resource that has none recorded, and nothing once it is", () => {
    const AGENT = { class: "ocf", provider: "pacemaker", type: "Dummy" };
    // The parameters the resource is configured with: a start recorded with other parameters is a
    // definition change, which the scheduler answers with a restart.
    const PARAMS = { state: "/tmp/d1.state" };
    const now = Date.now();
    let cib = recordOperation(dummyCib(["d1"]), {
      node: "node1", resource: "d1", agent: AGENT, targetRc: 0, params: PARAMS, timeoutMs: 20000,
      result: { resource: "d1", action: "start", intervalMs: 0, callId: 1, rc: 0, status: "done", runAt: now, rcChangedAt: now, execTimeMs: 1, queueTimeMs: 0 },
    });
    const t = schedule(cib, { now: new Date(now) });
    expect(t.actions).toEqual([]);
    const filled = withMissingMonitors(t, cib);
    expect(filled.actions).toEqual([{ id: 0, kind: "monitor", key: "d1_monitor_10000", resource: "d1", node: "node1", interval: 10000, timeout: 20000, inputs: [], runnable: true }]);
    cib = recordOperation(cib, {
      node: "node1", resource: "d1", agent: AGENT, targetRc: 0, params: PARAMS, timeoutMs: 20000,
      result: { resource: "d1", action: "monitor", intervalMs: 10000, callId: 2, rc: 0, status: "done", runAt: now, rcChangedAt: now, execTimeMs: 1, queueTimeMs: 0 },
    });
    expect(withMissingMonitors(schedule(cib, { now: new Date(now) }), cib).actions).toEqual([]);
  });

  it("adds it again when the only trace is a failure from before the last start (a restart whose monitor never ran)", () => {
    const AGENT = { class: "ocf", provider: "pacemaker", type: "Dummy" };
    const PARAMS = { state: "/tmp/d1.state" };
    const now = Date.now();
    const rec = (cib: Cib, action: string, intervalMs: number, callId: number, rc: number, at: number): Cib => recordOperation(cib, {
      node: "node1", resource: "d1", agent: AGENT, targetRc: 0, params: PARAMS, timeoutMs: 20000,
      result: { resource: "d1", action, intervalMs, callId, rc, status: rc === 0 ? "done" : "error", runAt: at, rcChangedAt: at, execTimeMs: 1, queueTimeMs: 0 },
    });
    let cib = rec(rec(dummyCib(["d1"]), "start", 0, 1, 0, now - 10_000), "monitor", 10000, 2, 1, now - 5_000);
    cib = rec(cib, "stop", 0, 3, 0, now - 4_000);
    cib = rec(cib, "start", 0, 4, 0, now - 3_000);
    const t = schedule(cib, { now: new Date(now) });
    const added = withMissingMonitors(t, cib).actions.filter((a) => !t.actions.some((b) => b.id === a.id));
    expect(added.map((a) => a.key)).toEqual(["d1_monitor_10000"]);
  });
});

describe("Controller robustness", () => {
  it("survives a throwing scheduler and schedules again on the next change", async () => {
    const mem = new MemoryCib(dummyCib(["d1"]));
    const errors: string[] = [];
    let calls = 0;
    const ctl = new Controller({
      cib: mem, nodeName: "node1", local: new FakeExecutor(),
      scheduler: (c, now) => {
        calls++;
        if (calls === 1) throw new Error("boom");
        return schedule(c, { now });
      },
      log: { debug() {}, info() {}, warn() {}, error: (m) => errors.push(m) },
    });
    ctl.start();
    await ctl.idle();
    expect(errors).toEqual(["Scheduler failed: boom"]);
    mem.set(dummyCib(["d1"]));
    await new Promise((r) => setTimeout(r, 20));
    await ctl.idle();
    expect(calls).toBeGreaterThanOrEqual(2);
    await ctl.stop();
  });

  it("re-schedules on the recheck timer", async () => {
    const mem = new MemoryCib(dummyCib([], { props: '<nvpair id="o2" name="cluster-recheck-interval" value="30ms"/>' }));
    let calls = 0;
    const ctl = new Controller({ cib: mem, nodeName: "node1", local: new FakeExecutor(), scheduler: (c, now) => { calls++; return schedule(c, { now }); } });
    ctl.start();
    await new Promise((r) => setTimeout(r, 200));
    await ctl.stop();
    expect(calls).toBeGreaterThanOrEqual(3);
    const after = calls;
    await new Promise((r) => setTimeout(r, 80));
    expect(calls).toBe(after);
  });

  it("survives a CIB that refuses every write: the action counts as failed, nothing throws", async () => {
    const mem = new MemoryCib(dummyCib(["d1"]));
    mem.apply = () => Promise.reject(new Error("CIB_INVALID"));
    const errors: string[] = [];
    const local = new FakeExecutor();
    const ctl = new Controller({
      cib: mem, nodeName: "node1", local, scheduler: (c, now) => schedule(c, { now }),
      log: { debug() {}, info() {}, warn() {}, error: (m) => errors.push(m) },
    });
    ctl.start();
    await new Promise((r) => setTimeout(r, 50));
    await ctl.idle();
    expect(local.actions()).toEqual(["start:d1"]);
    expect(errors).toEqual(["Cannot record d1_start_0 on node1: CIB_INVALID"]);
    await ctl.stop();
  });

  it("refuses an empty node name", () => {
    expect(() => new Controller({ cib: new MemoryCib(dummyCib([])), nodeName: "", local: new FakeExecutor(), scheduler: (c, now) => schedule(c, { now }) })).toThrow(TypeError);
  });
});
