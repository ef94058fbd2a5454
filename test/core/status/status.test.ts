import { describe, expect, it } from "vitest";
import { parseCib } from "../../../core/cib/codec.ts";
import { clusterStatus, rcText, renderStatus } from "../../../core/status/mod.ts";

function op(rsc: string, node: string, operation: string, rc: number, opts: { interval?: number; status?: number; target?: number; reason?: string; call?: number } = {}): string {
  const interval = opts.interval ?? 0;
  const id = rc !== (opts.target ?? 0) || (opts.status ?? 0) !== 0 ? `${rsc}_last_failure_0` : interval > 0 ? `${rsc}_monitor_${interval}` : `${rsc}_last_0`;
  const reason = opts.reason !== undefined ? ` exit-reason="${opts.reason}"` : "";
  return `<lrm_rsc_op id="${id}" operation_key="${rsc}_${operation}_${interval}" operation="${operation}" crm-debug-origin="t" crm_feature_set="3.16.2" transition-key="1:1:${opts.target ?? 0}:0b0e5b9e-0000-0000-0000-000000000000" transition-magic="0:${rc};1:1:${opts.target ?? 0}:0b0e5b9e-0000-0000-0000-000000000000" on_node="${node}" call-id="${opts.call ?? 5}" rc-code="${rc}" op-status="${opts.status ?? 0}" interval="${interval}" last-rc-change="1700000000" exec-time="1" queue-time="0" op-digest="x"${reason}/>`;
}

function lrm(node: string, rscs: [string, string, string][]): string {
  return `<lrm id="${node}"><lrm_resources>${rscs.map(([id, type, ops]) => `<lrm_resource id="${id}" class="${type.split(":")[0]}"${type.split(":").length === 3 ? ` provider="${type.split(":")[1]}"` : ""} type="${type.split(":").at(-1)}">${ops}</lrm_resource>`).join("")}</lrm_resources></lrm>`;
}

const MEMBER = `in_ccm="true" crmd="online" join="member" expected="member"`;
const CIB = `<cib admin_epoch="0" epoch="7" num_updates="3" validate-with="pacemaker-3.9" execution-date="1700000100">
<configuration><crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"><instance_attributes id="nodes-2"><nvpair id="nodes-2-standby" name="standby" value="on"/></instance_attributes></node><node id="3" uname="n3"/></nodes>
<resources>
 <primitive id="vm1" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="vm1-meta"><nvpair id="vm1-rn" name="remote-node" value="guest1"/></meta_attributes></primitive>
 <primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/>
 <primitive id="off" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="off-m"><nvpair id="off-m-t" name="target-role" value="Stopped"/></meta_attributes></primitive>
 <clone id="c-clone"><primitive id="c" class="ocf" provider="pacemaker" type="Dummy"/></clone>
 <clone id="ms"><meta_attributes id="ms-m"><nvpair id="ms-m-p" name="promotable" value="true"/></meta_attributes><primitive id="s" class="ocf" provider="pacemaker" type="Stateful"/></clone>
 <clone id="gc"><group id="grp"><primitive id="g1" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="g2" class="ocf" provider="pacemaker" type="Dummy"/></group></clone>
 <primitive id="rem1" class="ocf" provider="pacemaker" type="remote"><instance_attributes id="rem1-i"><nvpair id="rem1-i-s" name="server" value="10.0.0.9"/></instance_attributes></primitive>
</resources><constraints/></configuration>
<status>
 <node_state id="1" uname="n1" ${MEMBER}>${lrm("1", [
   ["vm1", "ocf:pacemaker:Dummy", op("vm1", "n1", "start", 0)],
   ["guest1", "ocf:pacemaker:remote", op("guest1", "n1", "start", 0)],
   ["d", "ocf:pacemaker:Dummy", op("d", "n1", "start", 0) + op("d", "n1", "monitor", 7, { interval: 10000, call: 6, reason: "process gone" })],
   ["c", "ocf:pacemaker:Dummy", op("c", "n1", "start", 0)],
   ["s", "ocf:pacemaker:Stateful", op("s", "n1", "promote", 0)],
   ["g1", "ocf:pacemaker:Dummy", op("g1", "n1", "start", 0)],
   ["g2", "ocf:pacemaker:Dummy", op("g2", "n1", "start", 0)],
   ["rem1", "ocf:pacemaker:remote", op("rem1", "n1", "start", 0)],
 ])}</node_state>
 <node_state id="2" uname="n2" ${MEMBER}>${lrm("2", [["c", "ocf:pacemaker:Dummy", op("c", "n2", "start", 0) + op("c", "n2", "monitor", 1, { interval: 5000, status: 2, call: 7 })], ["off", "ocf:pacemaker:Dummy", op("off", "n2", "monitor", 7, { target: 7 })], ["s", "ocf:pacemaker:Stateful", op("s", "n2", "start", 0)], ["g1", "ocf:pacemaker:Dummy", op("g1", "n2", "start", 0)]])}</node_state>
 <node_state id="3" uname="n3" in_ccm="false" crmd="offline" join="down" expected="down"/>
 <node_state id="guest1" uname="guest1" remote_node="true"/>
 <node_state id="rem1" uname="rem1" remote_node="true" in_ccm="true"/>
</status></cib>`;

describe("clusterStatus", () => {
  const s = clusterStatus(parseCib(CIB));

  it("lists nodes with kind, online, standby and a guest's host", () => {
    expect(s.warnings).toEqual([]);
    const by = Object.fromEntries(s.nodes.map((n) => [n.name, n]));
    expect(by.n1).toMatchObject({ kind: "cluster", online: true, standby: false });
    expect(by.n2).toMatchObject({ kind: "cluster", online: true, standby: true });
    expect(by.n3).toMatchObject({ kind: "cluster", online: false, standby: false });
    expect(by.guest1).toMatchObject({ kind: "guest", online: true, host: "n1", container: "vm1" });
    expect(by.rem1).toMatchObject({ kind: "remote", online: true, standby: false });
  });

  it("lists resources with role and nodes; a clone once with every node", () => {
    const by = Object.fromEntries(s.resources.map((r) => [r.id, r]));
    expect(by.d).toMatchObject({ agent: "ocf:pacemaker:Dummy", role: "Started", active_on: ["n1"] });
    expect(by["c-clone"]).toMatchObject({ role: "Started", active_on: ["n1", "n2"], primitive: "c" });
    expect(s.resources.filter((r) => r.id === "c" || r.id === "c-clone").length).toBe(1);
    expect(by.off).toMatchObject({ role: "Stopped", active_on: [], target_role: "Stopped" });
    expect(by.ms).toMatchObject({ role: "Promoted", active_on: ["n1", "n2"], roles: { n1: "Promoted", n2: "Unpromoted" } });
    expect(by.g1).toMatchObject({ group: "grp", clone: "gc", active_on: ["n1", "n2"] });
    expect(by.g2).toMatchObject({ group: "grp", clone: "gc", active_on: ["n1"] });
    expect(by.rem1).toMatchObject({ agent: "ocf:pacemaker:remote", role: "Started", active_on: ["n1"] });
  });

  it("lists failed actions with reasons in words", () => {
    const f = s.failed_actions.map((x) => `${x.resource} ${x.node} ${x.action} ${x.interval} ${x.rc} ${x.status}`).sort();
    expect(f).toEqual(["c n2 monitor 5000 1 timed out", "d n1 monitor 10000 7 complete"]);
    const mon = s.failed_actions.find((x) => x.resource === "d")!;
    expect(mon.reason).toBe("not running: process gone");
    expect(mon.time).toBe("2023-11-14T22:13:20.000Z");
  });

  it("renders crm_mon-style text", () => {
    const t = renderStatus(s);
    expect(t).toContain("* Online: [ n1 ]");
    expect(t).toContain("* Node n2: standby");
    expect(t).toContain("* OFFLINE: [ n3 ]");
    expect(t).toContain("* GuestOnline: [ guest1@n1 ]");
    expect(t).toContain("* RemoteOnline: [ rem1 ]");
    expect(t).toMatch(/ms\t\(ocf:pacemaker:Stateful\):\t Promoted: \[ n1 \] Unpromoted: \[ n2 \]/);
    expect(t).toContain("* Resource Group: gc (group grp):");
    expect(t).toMatch(/c-clone\t\(ocf:pacemaker:Dummy\):\t Started: \[ n1 n2 \]/);
    expect(t).toMatch(/off \(disabled\)\t\(ocf:pacemaker:Dummy\):\t Stopped/);
    expect(t).toContain("d monitor (every 10s) on n1 failed: not running: process gone (rc=7, status complete)");
  });

  it("matches the JSON contract keys", () => {
    const json = JSON.parse(JSON.stringify(s));
    for (const n of json.nodes) for (const k of ["name", "kind", "online", "standby"]) expect(n).toHaveProperty(k);
    for (const r of json.resources) for (const k of ["id", "agent", "role", "active_on"]) expect(r).toHaveProperty(k);
    for (const f of json.failed_actions) {
      for (const k of ["resource", "node", "action", "interval", "rc", "status", "reason", "time"]) expect(f).toHaveProperty(k);
    }
  });
});

describe("rcText", () => {
  it("uses Pacemaker's OCF words but its own spelling of the degraded codes", () => {
    expect([0, 9, 190, 191, 42].map(rcText)).toEqual([
      "ok", "promoted (failed)", "degraded", "degraded (promoted)", "unknown exit code 42",
    ]);
  });
});
