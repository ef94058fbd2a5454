import { describe, expect, it } from "vitest";
import { parseCib } from "../../../core/cib/codec.ts";
import { clusterStatus, renderStatus, withFencing } from "../../../core/status/mod.ts";
import type { ClusterStatus, StatusResource } from "../../../core/status/mod.ts";

interface OpOpts {
  interval?: number;
  status?: number;
  target?: number;
  call?: number;
  at?: number;
  reason?: string;
  id?: string;
}

/** One `lrm_rsc_op` (ids as the controller writes them). */
function op(rsc: string, node: string, operation: string, rc: number, o: OpOpts = {}): string {
  const interval = o.interval ?? 0;
  const target = o.target ?? 0;
  const id = o.id ?? (rc !== target || (o.status ?? 0) !== 0 ? `${rsc}_last_failure_0` : interval > 0 ? `${rsc}_monitor_${interval}` : `${rsc}_last_0`);
  const tk = `1:1:${target}:0b0e5b9e-0000-0000-0000-000000000000`;
  const reason = o.reason !== undefined ? ` exit-reason="${o.reason}"` : "";
  return `<lrm_rsc_op id="${id}" operation_key="${rsc}_${operation}_${interval}" operation="${operation}" crm_feature_set="3.16.2" transition-key="${tk}" transition-magic="${o.status ?? 0}:${rc};${tk}" on_node="${node}" call-id="${o.call ?? 5}" rc-code="${rc}" op-status="${o.status ?? 0}" interval="${interval}" last-rc-change="${o.at ?? 1700000000}" exec-time="1" queue-time="0" op-digest="x"${reason}/>`;
}

function lrm(id: string, rscs: Record<string, [string, string]>): string {
  const items = Object.entries(rscs).map(([rid, [type, ops]]) => {
    const [cls, prov, t] = type.split(":");
    return `<lrm_resource id="${rid}" class="${cls}" provider="${prov}" type="${t}">${ops}</lrm_resource>`;
  });
  return `<lrm id="${id}"><lrm_resources>${items.join("")}</lrm_resources></lrm>`;
}

const DUMMY = "ocf:pacemaker:Dummy";
const REMOTE = "ocf:pacemaker:remote";
const MEMBER = `in_ccm="true" crmd="online" join="member" expected="member"`;

function cib(opts: { props: string; resources: string; status: string; date?: number; constraints?: string }): string {
  return `<cib admin_epoch="0" epoch="3" num_updates="1" validate-with="pacemaker-3.9" have-quorum="1" execution-date="${opts.date ?? 1700000010}">
<configuration><crm_config><cluster_property_set id="cib-bootstrap-options">${opts.props}</cluster_property_set></crm_config>
<nodes><node id="1" uname="h1"/></nodes><resources>${opts.resources}</resources><constraints>${opts.constraints ?? ""}</constraints></configuration>
<status>${opts.status}</status></cib>`;
}

const NO_STONITH = `<nvpair id="o1" name="stonith-enabled" value="false"/>`;
const REMOTE_RSCS = `<primitive id="remote1" class="ocf" provider="pacemaker" type="remote"><instance_attributes id="r1-i"><nvpair id="r1-i-s" name="server" value="10.0.0.9"/><nvpair id="r1-i-r" name="reconnect_interval" value="2s"/></instance_attributes></primitive>
<primitive id="RF1" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="RF3" class="ocf" provider="pacemaker" type="Dummy"/>`;
const PREFERS = `<rsc_location id="l1" rsc="RF1" node="remote1" score="INFINITY"/>`;
const CONN_FAILED = op("remote1", "h1", "monitor", 1, { interval: 30000, status: 4, call: 2, reason: "remote connection is down", at: 1700000005 });
const FAIL_ATTRS = `<transient_attributes id="1"><instance_attributes id="status-1">` +
  `<nvpair id="s1" name="fail-count-remote1#monitor_30000" value="1"/><nvpair id="s2" name="last-failure-remote1#monitor_30000" value="1700000005"/>` +
  `</instance_attributes></transient_attributes>`;
const ON_REMOTE = `<node_state id="remote1" uname="remote1" remote_node="true" in_ccm="false" node_fenced="0">${lrm("remote1", {
  RF1: [DUMMY, op("RF1", "remote1", "start", 0, { call: 4 }) + op("RF1", "remote1", "monitor", 0, { interval: 1000, call: 5 })],
})}</node_state>`;

/**
 * The walkthrough's CIB once the remote daemon is killed: connection `conn` history on h1.
 * Each state used below was checked with Pacemaker 2.1.5's crm_simulate: connection still
 * started at 1700000006 ("Stop RF1 (remote1) blocked"), stopped at 1700000006 (within
 * reconnect_interval: "Start RF1 (h1)"), stopped at 1700000060 ("Start remote1", "Start RF1
 * (remote1)").
 */
function remoteLost(conn: string, date?: number): ClusterStatus {
  return clusterStatus(parseCib(cib({
    props: NO_STONITH,
    resources: REMOTE_RSCS,
    constraints: PREFERS,
    date,
    status: `<node_state id="1" uname="h1" ${MEMBER}>${lrm("1", { remote1: [REMOTE, conn + CONN_FAILED], RF3: [DUMMY, op("RF3", "h1", "start", 0, { call: 3 })] })}${FAIL_ATTRS}</node_state>${ON_REMOTE}`,
  })));
}

function res(s: ClusterStatus, id: string): StatusResource {
  return s.resources.find((r) => r.id === id)!;
}

const LOST_WORDS = "lost (connection monitor failed), not fenced: fencing is disabled (stonith-enabled=false)";

describe("blocked resources: a remote node lost with fencing disabled", () => {
  it("while the failed connection is still recorded as started: its resources are blocked where they are", () => {
    const s = remoteLost(op("remote1", "h1", "start", 0, { call: 1, at: 1699999990 }), 1700000006);
    const n = s.nodes.find((x) => x.name === "remote1")!;
    expect(n).toMatchObject({ online: false, fencing_state: "disabled", lost_cause: "connection monitor failed", unusable_reason: LOST_WORDS });
    const r = res(s, "RF1");
    expect(r).toMatchObject({ active_on: ["remote1"], blocked: true, blocked_cause: "node-lost", blocked_node: "remote1" });
    expect(r.blocked_reason).toBe(
      "cannot be recovered: its node remote1 was lost (connection monitor failed) and cannot be fenced (stonith-enabled=false), " +
        "so the cluster cannot know whether it stopped; it stays where it was until remote1 returns " +
        "(\"atrium resource cleanup remote1\" retries the connection now)",
    );
    expect(res(s, "RF3")).toMatchObject({ blocked: false });
    expect(res(s, "RF3").blocked_reason).toBeUndefined();
    const t = renderStatus(s);
    expect(t).toContain(`Lost Nodes:\n  * remote1: ${LOST_WORDS}`);
    expect(t).toContain("Blocked Resources:\n  * RF1 (on remote1): cannot be recovered: its node remote1 was lost");
    expect(t).not.toContain("RF3 (");
    expect(t).toContain("* RemoteOFFLINE: [ remote1 ]");
  });

  it("once the connection is stopped: the history it last had is kept, and RF1 (wanted there) is blocked", () => {
    const s = remoteLost(op("remote1", "h1", "stop", 0, { call: 3, at: 1700000006 }), 1700000060);
    const r = res(s, "RF1");
    expect(r).toMatchObject({ active_on: [], role: "Stopped", last_known_active_on: ["remote1"], blocked: true, blocked_cause: "node-lost" });
    expect(r.blocked_reason).toMatch(/^cannot be recovered: it was last known active on remote1, which was lost \(connection monitor failed\) and cannot be fenced \(stonith-enabled=false\)/);
    expect(renderStatus(s)).toContain("* RF1 (last known on remote1): cannot be recovered");
    const json = JSON.parse(JSON.stringify(s));
    expect(json.nodes[1].unusable_reason).toBe(LOST_WORDS);
    expect(json.resources.map((x: StatusResource) => x.blocked)).toEqual([false, true, false]);
  });

  it("when the scheduler starts it elsewhere meanwhile (Pacemaker does, within reconnect_interval): a warning, not blocked", () => {
    const s = remoteLost(op("remote1", "h1", "stop", 0, { call: 3, at: 1700000006 }), 1700000006);
    const r = res(s, "RF1");
    expect(r.blocked).toBe(false);
    expect(r.last_known_active_on).toEqual(["remote1"]);
    expect(r.warning).toBe("may also still be active on remote1: remote1 was lost (connection monitor failed) and was not fenced (stonith-enabled=false)");
    expect(renderStatus(s)).toContain("Resource Warnings:\n  * RF1: may also still be active on remote1");
  });

  it("a remote node stopped cleanly (history erased) is not lost, even with an old connection failure", () => {
    const s = clusterStatus(parseCib(cib({
      props: NO_STONITH,
      resources: REMOTE_RSCS,
      status: `<node_state id="1" uname="h1" ${MEMBER}>${lrm("1", { remote1: [REMOTE, op("remote1", "h1", "stop", 0, { call: 3 }) + CONN_FAILED] })}</node_state><node_state id="remote1" uname="remote1" remote_node="true" in_ccm="false"/>`,
    })));
    // reconnect_interval does not make the old failure expired (only failure-timeout does).
    expect(s.failed_actions.map((f) => f.resource)).toEqual(["remote1"]);
    expect(s.nodes.find((x) => x.name === "remote1")!.unusable_reason).toBeUndefined();
    expect(s.resources.some((r) => r.blocked)).toBe(false);
    expect(renderStatus(s)).not.toMatch(/Lost Nodes|Blocked Resources|Resource Warnings/);
  });
});

describe("blocked resources: an unclean cluster node with fencing enabled", () => {
  const FENCE = `<primitive id="fence1" class="stonith" type="fence_dummy"/>`;
  const text = cib({
    props: `<nvpair id="o1" name="stonith-enabled" value="true"/>`,
    resources: `${FENCE}<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/>`,
    status: `<node_state id="1" uname="h1" ${MEMBER}>${lrm("1", { fence1: ["stonith:x:fence_dummy", op("fence1", "h1", "start", 0)] })}</node_state>` +
      `<node_state id="2" uname="h2" in_ccm="false" crmd="offline" join="down" expected="member">${lrm("2", { d: [DUMMY, op("d", "h2", "start", 0)] })}</node_state>`,
  }).replace(`<node id="1" uname="h1"/>`, `<node id="1" uname="h1"/><node id="2" uname="h2"/>`).replace(`class="stonith" provider="x"`, `class="stonith"`);
  const s = clusterStatus(parseCib(text));

  it("waits for fencing: the node and its resource say so", () => {
    const n = s.nodes.find((x) => x.name === "h2")!;
    expect(n).toMatchObject({ state: "unclean", fencing_state: "scheduled" });
    expect(n.unusable_reason).toBe("lost (it left the cluster without a clean shutdown), waiting for fencing");
    expect(res(s, "d")).toMatchObject({ blocked: true, blocked_cause: "node-lost", blocked_node: "h2" });
    expect(res(s, "d").blocked_reason).toBe("recovers after h2 is fenced: its node h2 was lost (it left the cluster without a clean shutdown); fencing is scheduled");
  });

  const entry = { id: "1", target: "h2", action: "reboot", origin: "h1", client: "controller", delegate: "h1", devices: ["fence1"], startedAt: "2026-01-01T00:00:00.000Z" };

  it("follows the fencer's history: in progress, then failed", () => {
    const pending = withFencing(s, [{ ...entry, state: "pending" }]);
    expect(pending.nodes.find((x) => x.name === "h2")!.unusable_reason).toBe("lost (it left the cluster without a clean shutdown), fencing in progress");
    expect(res(pending, "d").blocked_reason).toMatch(/^recovers after h2 is fenced: .*; fencing is in progress$/);
    const failed = withFencing(s, [{ ...entry, state: "failed", error: "no route to host", endedAt: "2026-01-01T00:00:05.000Z" }]);
    const n = failed.nodes.find((x) => x.name === "h2")!;
    expect(n.fencing_state).toBe("failed");
    expect(n.unusable_reason).toBe("lost (it left the cluster without a clean shutdown), fencing failed (no route to host)");
    expect(res(failed, "d").blocked_reason).toContain("cannot be recovered until h2 is fenced: its node h2 was lost (it left the cluster without a clean shutdown) and fencing failed (no route to host)");
    expect(renderStatus(failed)).toContain("* h2: lost (it left the cluster without a clean shutdown), fencing failed (no route to host)");
    // The cached status itself is not changed.
    expect(res(s, "d").blocked_reason).toMatch(/fencing is scheduled$/);
  });
});

describe("blocked resources: unmanaged", () => {
  const one = (props: string, meta: string): ClusterStatus => clusterStatus(parseCib(cib({
    props,
    resources: `<primitive id="d" class="ocf" provider="pacemaker" type="Dummy">${meta}</primitive><primitive id="e" class="ocf" provider="pacemaker" type="Dummy"/>`,
    status: `<node_state id="1" uname="h1" ${MEMBER}>${lrm("1", { d: [DUMMY, op("d", "h1", "start", 0)] })}</node_state>`,
  })));

  it("is-managed=false", () => {
    const s = one(NO_STONITH, `<meta_attributes id="d-m"><nvpair id="d-m-1" name="is-managed" value="false"/></meta_attributes>`);
    expect(res(s, "d")).toMatchObject({ managed: false, blocked: true, blocked_cause: "unmanaged" });
    expect(res(s, "d").blocked_reason).toBe("not managed (is-managed=false): the cluster does not start, stop or recover it until is-managed is true again");
    expect(res(s, "e").blocked).toBe(false);
  });

  it("maintenance-mode", () => {
    const s = one(`${NO_STONITH}<nvpair id="o2" name="maintenance-mode" value="true"/>`, "");
    for (const id of ["d", "e"]) expect(res(s, id)).toMatchObject({ blocked: true, blocked_cause: "maintenance-mode" });
    expect(renderStatus(s)).toContain(`* d (on h1): not managed: the cluster is in maintenance mode (maintenance-mode=true); "atrium property set maintenance-mode=false" ends it`);
  });
});

describe("failed actions: probes", () => {
  const s = clusterStatus(parseCib(cib({
    props: NO_STONITH,
    resources: ["a", "b", "c", "p1", "p2", "p5", "p6", "pt", "m"].map((id) => `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy"/>`).join(""),
    status: `<node_state id="1" uname="h1" ${MEMBER}>${lrm("1", {
      a: [DUMMY, op("a", "h1", "monitor", 0, { target: 7 })],
      b: [DUMMY, op("b", "h1", "monitor", 8, { target: 7 })],
      c: [DUMMY, op("c", "h1", "monitor", 7, { target: 0 })],
      p1: [DUMMY, op("p1", "h1", "monitor", 1, { target: 7 })],
      p2: [DUMMY, op("p2", "h1", "monitor", 2, { target: 7 })],
      p5: [DUMMY, op("p5", "h1", "monitor", 5, { target: 7 })],
      p6: [DUMMY, op("p6", "h1", "monitor", 6, { target: 7 })],
      pt: [DUMMY, op("pt", "h1", "monitor", 0, { target: 7, status: 2 })],
      m: [DUMMY, op("m", "h1", "start", 0, { call: 4 }) + op("m", "h1", "monitor", 0, { interval: 10000, target: 7, call: 6 })],
    })}</node_state>`,
  })));

  it("a probe that found the resource running, promoted or stopped is not a failure", () => {
    const listed = s.failed_actions.map((f) => f.resource);
    for (const id of ["a", "b", "c"]) expect(listed).not.toContain(id);
    expect(renderStatus(s)).not.toMatch(/\* a monitor|expected 7/);
  });

  it("real failures still show: probe rc 1/2/5/6, a timed-out probe, rc 0 of a recurring monitor expected 7", () => {
    expect(s.failed_actions.map((f) => `${f.resource} ${f.rc} ${f.status}`).sort()).toEqual([
      "m 0 complete", "p1 1 complete", "p2 2 complete", "p5 5 complete", "p6 6 complete", "pt 0 timed out",
    ]);
  });
});

describe("blocked resources: a guest node whose container failed", () => {
  const s = clusterStatus(parseCib(cib({
    props: NO_STONITH,
    resources: `<primitive id="vm1" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="vm1-m"><nvpair id="vm1-m-r" name="remote-node" value="guest1"/></meta_attributes></primitive>` +
      `<primitive id="g" class="ocf" provider="pacemaker" type="Dummy"/>`,
    constraints: `<rsc_location id="lg" rsc="g" node="guest1" score="INFINITY"/>`,
    status: `<node_state id="1" uname="h1" ${MEMBER}>${lrm("1", {
      vm1: [DUMMY, op("vm1", "h1", "start", 0, { call: 2 }) + op("vm1", "h1", "monitor", 7, { interval: 10000, call: 3, reason: "gone" })],
      guest1: [REMOTE, op("guest1", "h1", "start", 0, { call: 4 })],
    })}</node_state><node_state id="guest1" uname="guest1" remote_node="true">${lrm("guest1", { g: [DUMMY, op("g", "guest1", "start", 0, { call: 2 })] })}</node_state>`,
  })));

  it("says the container is restarted first", () => {
    const n = s.nodes.find((x) => x.name === "guest1")!;
    expect(n).toMatchObject({ kind: "guest", fencing_state: "container", lost_cause: "container vm1 monitor failed" });
    expect(n.unusable_reason).toBe("lost (container vm1 monitor failed), not fenced: recovered by restarting its container vm1");
    const g = res(s, "g");
    expect(g).toMatchObject({ blocked: true, blocked_cause: "node-lost", blocked_node: "guest1" });
    expect(g.blocked_reason).toMatch(/^recovers after guest node guest1 is recovered: .*guest1 was lost \(container vm1 monitor failed\); its container vm1 is restarted first$/);
  });
});

describe("blocked resources: a failed stop with fencing disabled", () => {
  const s = clusterStatus(parseCib(cib({
    props: NO_STONITH,
    resources: `<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="d-m"><nvpair id="d-m-t" name="target-role" value="Stopped"/></meta_attributes></primitive>`,
    status: `<node_state id="1" uname="h1" ${MEMBER}>${lrm("1", { d: [DUMMY, op("d", "h1", "start", 0, { call: 2 }) + op("d", "h1", "stop", 1, { call: 3, reason: "stuck" })] })}</node_state>`,
  })));

  it("stays blocked until cleaned up, and says how", () => {
    expect(res(s, "d")).toMatchObject({ blocked: true, blocked_cause: "stop-failed", blocked_node: "h1", active_on: ["h1"] });
    expect(res(s, "d").blocked_reason).toBe(
      "cannot be recovered: its stop failed on h1 (error: stuck) and the cluster cannot fence the node for it; " +
        "it stays blocked until you make sure it is stopped there and run \"atrium resource cleanup d --node h1\"",
    );
    expect(s.nodes[0]!.unusable_reason).toBeUndefined();
  });
});

describe("blocked resources: what the scheduler cannot do", () => {
  const s = clusterStatus(parseCib(cib({
    props: NO_STONITH,
    resources: `<primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="b" class="ocf" provider="pacemaker" type="Dummy"/>`,
    constraints: `<rsc_location id="la" rsc="a" node="h1" score="-INFINITY"/><rsc_order id="o" first="a" then="b" kind="Mandatory"/>`,
    status: `<node_state id="1" uname="h1" ${MEMBER}>${lrm("1", { a: [DUMMY, op("a", "h1", "monitor", 7, { target: 7 })], b: [DUMMY, op("b", "h1", "monitor", 7, { target: 7 })] })}</node_state>`,
  })));

  it("a start that waits for a resource that cannot start", () => {
    expect(res(s, "a").blocked).toBe(false);
    expect(res(s, "b")).toMatchObject({ blocked: true, blocked_cause: "scheduler", blocked_node: "h1" });
    expect(res(s, "b").blocked_reason).toBe("its start on h1 cannot run now: the scheduler marks it blocked because an action it depends on cannot run (look at what it is ordered after or colocated with)");
  });
});

describe("expired failures are not listed (as crm_mon)", () => {
  it("lists a failure younger than failure-timeout, hides an older one, never hides a failed stop", () => {
    const now = Math.floor(Date.now() / 1000);
    const rsc = `<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="d-m"><nvpair id="d-ft" name="failure-timeout" value="60s"/></meta_attributes></primitive>`;
    const hist = (at: number, task = "monitor", interval = 10_000) =>
      `<lrm id="1"><lrm_resources><lrm_resource id="d" class="ocf" provider="pacemaker" type="Dummy">` +
      `<lrm_rsc_op id="d_last_failure_0" operation_key="d_${task}_${interval}" operation="${task}" transition-key="1:1:0:x" call-id="4" rc-code="1" op-status="0" interval="${interval}" last-rc-change="${at}" last-run="${at}"/>` +
      `</lrm_resource></lrm_resources></lrm>`;
    const at = (t: number, task?: string, interval?: number) =>
      clusterStatus(parseCib(cib({ props: NO_STONITH, resources: rsc, status: `<node_state id="1" uname="h1" ${MEMBER}>${hist(t, task, interval)}</node_state>` })));
    expect(at(now - 30).failed_actions.map((f) => f.resource)).toEqual(["d"]);
    expect(at(now - 120).failed_actions).toEqual([]);
    expect(at(now - 120, "stop", 0).failed_actions.map((f) => f.action)).toEqual(["stop"]);
  });
});
