import { describe, expect, it } from "vitest";
import { serializeCib } from "../../../core/cib/mod.ts";
import type { Cib } from "../../../core/cib/model.ts";
import {
  failCountName, FEATURE_SET, forgetOperations, markRemoteNode, nodeAttribute, type OpResult, recordFailure, recordOperation,
  transitionKey,
} from "../../../core/controller/mod.ts";
import { schedule } from "../../../core/scheduler/mod.ts";
import { dummyCib } from "./_fixtures.ts";

const AGENT = { class: "ocf", provider: "pacemaker", type: "Dummy" };
const UUID = "0e1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const NOW = new Date("2026-01-01T00:00:00Z");

function res(action: string, intervalMs: number, rc: number, callId: number, userdata: string, status: OpResult["status"] = "done"): OpResult {
  return {
    resource: "d1", action, intervalMs, callId, rc, status, runAt: NOW.getTime(), rcChangedAt: NOW.getTime(),
    execTimeMs: 12, queueTimeMs: 0, userdata,
  };
}

function rec(cib: Cib, action: string, intervalMs: number, callId: number, rc: number, target = 0, status: OpResult["status"] = "done"): Cib {
  return recordOperation(cib, {
    node: "node1", resource: "d1", agent: AGENT, result: res(action, intervalMs, rc, callId, transitionKey(1, callId, target, UUID), status),
    targetRc: target, params: { state: "/tmp/d1.state" }, timeoutMs: 20000,
  });
}

function kinds(t: ReturnType<typeof schedule>): string[] {
  return t.actions.filter((a) => a.runnable).map((a) => `${a.kind}:${a.resource ?? a.node}`);
}

describe("recordOperation()", () => {
  it("writes lrm_rsc_op entries with Pacemaker's ids and attributes", () => {
    let cib = dummyCib(["d1"]);
    cib = rec(cib, "start", 0, 3, 0);
    cib = rec(cib, "monitor", 10000, 4, 0);
    const xml = serializeCib(cib);
    expect(xml).toContain('<lrm id="1">');
    expect(xml).toMatch(/<lrm_resource id="d1" type="Dummy" class="ocf" provider="pacemaker">/);
    expect(xml).toContain(`<lrm_rsc_op id="d1_last_0" operation_key="d1_start_0" operation="start" crm-debug-origin="do_update_resource" crm_feature_set="${FEATURE_SET}" transition-key="3:1:0:${UUID}" transition-magic="0:0;3:1:0:${UUID}" exit-reason="" on_node="node1" call-id="3" rc-code="0" op-status="0" interval="0" last-rc-change="1767225600" exec-time="12" queue-time="0" op-digest=`);
    expect(xml).toContain('id="d1_monitor_10000" operation_key="d1_monitor_10000" operation="monitor"');
  });

  it("records a failed recurring monitor as last_failure_0 only (as pcmk__create_history_xml does)", () => {
    let cib = rec(rec(dummyCib(["d1"]), "start", 0, 3, 0), "monitor", 10000, 4, 0);
    cib = rec(cib, "monitor", 10000, 4, 7);
    const xml = serializeCib(cib);
    expect(xml).toMatch(/id="d1_last_failure_0" operation_key="d1_monitor_10000"[^>]*transition-magic="0:7;/);
    expect(xml).toMatch(/id="d1_monitor_10000"[^>]*rc-code="0"/);
    expect(xml).toMatch(/id="d1_last_0" operation_key="d1_start_0"/);
  });

  it("records a failed one-shot under both last_failure_0 and last_0 with the exit reason", () => {
    const cib = recordOperation(dummyCib(["d1"]), {
      node: "node1", resource: "d1", agent: AGENT, targetRc: 0, params: {}, timeoutMs: 20000,
      result: { ...res("start", 0, 1, 9, transitionKey(2, 9, 0, UUID)), reason: "boom" },
    });
    const xml = serializeCib(cib);
    expect(xml).toMatch(/id="d1_last_failure_0" operation_key="d1_start_0"[^>]*exit-reason="boom"/);
    expect(xml).toMatch(/id="d1_last_0" operation_key="d1_start_0"[^>]*rc-code="1"/);
  });

  it("uses the empty-parameters digest Pacemaker writes", () => {
    const cib = recordOperation(dummyCib(["d1"]), {
      node: "node1", resource: "d1", agent: AGENT, targetRc: 7, params: {}, timeoutMs: 20000, result: res("monitor", 0, 7, 1, transitionKey(1, 1, 7, UUID)),
    });
    expect(serializeCib(cib)).toContain('op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"');
  });

  it("forgets recurring entries", () => {
    let cib = rec(rec(dummyCib(["d1"]), "start", 0, 3, 0), "monitor", 10000, 4, 0);
    cib = forgetOperations(cib, "node1", "d1", ["d1_monitor_10000"]);
    expect(serializeCib(cib)).not.toContain("d1_monitor_10000");
  });
});

describe("recorded status round-trips through the scheduler", () => {
  it("a recorded start (and monitor) means no new start", () => {
    let cib = dummyCib(["d1"]);
    expect(kinds(schedule(cib, { now: NOW }))).toEqual(["start:d1", "monitor:d1"]);
    cib = rec(rec(cib, "start", 0, 3, 0), "monitor", 10000, 4, 0);
    expect(kinds(schedule(cib, { now: NOW }))).toEqual([]);
    expect(schedule(cib, { now: NOW }).current.d1).toEqual([{ node: "node1", role: "Started" }]);
  });

  it("a failed recurring monitor leads to stop + start (recovery)", () => {
    let cib = rec(rec(dummyCib(["d1"]), "start", 0, 3, 0), "monitor", 10000, 4, 0);
    cib = rec(cib, "monitor", 10000, 4, 7);
    cib = recordFailure(cib, "node1", "d1", "monitor", 10000, { now: NOW.getTime() });
    const t = schedule(cib, { now: NOW });
    expect(kinds(t)).toEqual(["stop:d1", "start:d1", "monitor:d1"]);
    expect(t.summary).toContainEqual(expect.objectContaining({ action: "recover", resource: "d1" }));
    // recovery carried out: stop, start, monitor recorded -> nothing more to do
    cib = rec(cib, "stop", 0, 5, 0);
    cib = forgetOperations(cib, "node1", "d1", ["d1_monitor_10000"]);
    cib = rec(cib, "start", 0, 6, 0);
    cib = rec(cib, "monitor", 10000, 7, 0);
    expect(kinds(schedule(cib, { now: NOW }))).toEqual([]);
  });

  it("counts failures in fail-count and last-failure node attributes", () => {
    let cib = dummyCib(["d1"], { extraConfig: "" });
    cib = rec(rec(cib, "start", 0, 3, 0), "monitor", 10000, 4, 7);
    cib = recordFailure(cib, "node1", "d1", "monitor", 10000, { now: NOW.getTime() });
    expect(nodeAttribute(cib, "node1", failCountName("d1", "monitor", 10000))).toBe("1");
    cib = recordFailure(cib, "node1", "d1", "monitor", 10000, { now: NOW.getTime() });
    expect(nodeAttribute(cib, "node1", "fail-count-d1#monitor_10000")).toBe("2");
    expect(serializeCib(cib)).toContain('<nvpair id="status-1-fail-count-d1.monitor_10000" name="fail-count-d1#monitor_10000" value="2"/>');
    expect(serializeCib(cib)).toContain('name="last-failure-d1#monitor_10000" value="1767225600"');
  });

  it("a failed start sets the fail count to INFINITY and bans the node", () => {
    let cib = dummyCib(["d1"]);
    cib = rec(cib, "start", 0, 3, 1);
    cib = recordFailure(cib, "node1", "d1", "start", 0, { now: NOW.getTime(), infinity: true });
    expect(nodeAttribute(cib, "node1", "fail-count-d1#start_0")).toBe("INFINITY");
    const t = schedule(cib, { now: NOW });
    expect(kinds(t)).toEqual(["stop:d1"]);
  });

  it("marks remote nodes up and down", () => {
    let cib = markRemoteNode(dummyCib([]), "guest1", true);
    expect(serializeCib(cib)).toMatch(/<node_state id="guest1" uname="guest1" remote_node="true"[^>]*in_ccm="true"/);
    cib = markRemoteNode(cib, "guest1", false);
    expect(serializeCib(cib)).toMatch(/remote_node="true" crm-debug-origin="remote_node_down" in_ccm="false" node_fenced="0"/);
  });
});
