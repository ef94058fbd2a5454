import { describe, expect, it } from "vitest";
import { parseCib, serializeCib } from "../../../../core/cib/codec.ts";
import { constraints, findById, nodes, nvValues, primitives } from "../../../../core/cib/query.ts";
import { nodeStates, transientAttributes, lrmResources } from "../../../../core/cib/query_status.ts";
import {
  cleanupResource,
  clearResource,
  createResource,
  deleteResource,
  disableResource,
  enableResource,
  locationConstraint,
  addClusterNode,
  markNodeMember,
  moveResource,
  parseAgentSpec,
  removeNode,
  setNodeStandby,
  setProperty,
} from "../../../../core/cib/edit/mod.ts";
import { isAtriumError } from "../../../../core/errors.ts";
import type { Cib } from "../../../../core/cib/model.ts";

const BASE = `<cib admin_epoch="0" epoch="3" num_updates="0" validate-with="pacemaker-3.9">
<configuration><crm_config/><nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
<resources>
 <primitive id="vm1" class="launcher" type="netns"><meta_attributes id="vm1-meta"><nvpair id="vm1-rn" name="remote-node" value="guest1"/></meta_attributes></primitive>
 <primitive id="rem1" class="ocf" provider="pacemaker" type="remote"/>
 <group id="g"><primitive id="ga" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="gb" class="ocf" provider="pacemaker" type="Dummy"/></group>
 <clone id="c-clone"><primitive id="c" class="ocf" provider="pacemaker" type="Dummy"/></clone>
</resources>
<constraints>
 <rsc_colocation id="col" rsc="ga" with-rsc="c-clone" score="INFINITY"/>
 <rsc_order id="ord"><resource_set id="s1"><resource_ref id="c"/><resource_ref id="vm1"/></resource_set></rsc_order>
</constraints></configuration>
<status>
 <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
  <transient_attributes id="1"><instance_attributes id="status-1"><nvpair id="s1f" name="fail-count-ga#start_0" value="1"/><nvpair id="s1o" name="other" value="x"/></instance_attributes></transient_attributes>
  <lrm id="1"><lrm_resources><lrm_resource id="ga" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="ga_last_0" operation="start" rc-code="1" op-status="0" call-id="3" interval="0"/></lrm_resource>
  <lrm_resource id="c:0" class="ocf" provider="pacemaker" type="Dummy"/></lrm_resources></lrm>
 </node_state>
 <node_state id="3" uname="n3" in_ccm="false" crmd="offline" join="down" expected="down"/>
</status></cib>`;

function base(): Cib {
  return parseCib(BASE);
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isAtriumError(e)) return e.code;
    return (e as Error).name;
  }
  return "none";
}

describe("createResource", () => {
  it("creates a primitive with pcs-style ids for params, meta and ops", () => {
    const next = createResource(base(), {
      id: "web",
      agent: "ocf:heartbeat:apache",
      params: { configfile: "/etc/a.conf" },
      meta: { "target-role": "Stopped" },
      ops: [{ name: "monitor", interval: "10s", timeout: "20s" }],
    });
    const p = findById(next, "web", "primitive")!;
    expect(p.attrs).toMatchObject({ class: "ocf", provider: "heartbeat", type: "apache" });
    expect(nvValues(p, "instance_attributes").get("configfile")).toBe("/etc/a.conf");
    expect(findById(next, "web-monitor-interval-10s")?.attrs).toMatchObject({ name: "monitor", interval: "10s", timeout: "20s" });
    expect(findById(next, "web-meta_attributes")).toBeDefined();
  });
  it("accepts launcher:netns and class:type forms, refuses bad specs and taken ids", () => {
    expect(parseAgentSpec("launcher:netns")).toEqual({ class: "launcher", type: "netns" });
    expect(parseAgentSpec("systemd:nginx@1.service")).toEqual({ class: "systemd", type: "nginx@1.service" });
    expect(() => parseAgentSpec("ocf:Dummy")).toThrow(/needs a provider/);
    expect(() => parseAgentSpec("lsb:x:y")).toThrow(/takes no provider/);
    expect(() => parseAgentSpec("Dummy")).toThrow(/class:provider:type/);
    expect(code(() => createResource(base(), { id: "ga", agent: "ocf:pacemaker:Dummy" }))).toBe("CIB_ID_IN_USE");
    expect(code(() => createResource(base(), { id: "1bad", agent: "ocf:pacemaker:Dummy" }))).toBe("TypeError");
    expect(() => createResource(base(), { id: "x", agent: "ocf:pacemaker:Dummy", ops: [{ name: "monitor", interval: "often" }] })).toThrow(/interval "often"/);
  });
  it("never changes its input", () => {
    const cib = base();
    const before = serializeCib(cib);
    createResource(cib, { id: "web", agent: "ocf:heartbeat:apache" });
    expect(serializeCib(cib)).toBe(before);
  });
});

describe("deleteResource", () => {
  it("removes a group member and the constraints naming it", () => {
    const next = deleteResource(base(), "ga");
    expect(findById(next, "ga", "primitive")).toBeUndefined();
    expect(findById(next, "g", "group")).toBeDefined();
    expect(findById(next, "col")).toBeUndefined();
    expect(findById(next, "ord")).toBeDefined();
  });
  it("removes a clone with its only member and the set refs of it", () => {
    const next = deleteResource(base(), "c");
    expect(findById(next, "c-clone")).toBeUndefined();
    expect(findById(next, "col")).toBeUndefined();
    const ord = findById(next, "ord")!;
    expect(serializeCib(ord, { pretty: false })).not.toContain('"c"');
    expect(serializeCib(ord, { pretty: false })).toContain('"vm1"');
  });
  it("refuses an unknown resource", () => {
    expect(code(() => deleteResource(base(), "nope"))).toBe("CIB_NOT_FOUND");
  });
});

describe("target-role, move and clear", () => {
  it("disable then enable sets target-role in place", () => {
    let next = disableResource(base(), "c-clone");
    expect(nvValues(findById(next, "c-clone")!, "meta_attributes").get("target-role")).toBe("Stopped");
    next = enableResource(next, "c-clone");
    expect(nvValues(findById(next, "c-clone")!, "meta_attributes").get("target-role")).toBe("Started");
    expect(serializeCib(next).match(/name="target-role"/g)?.length).toBe(1);
  });
  it("move writes cli-prefer with INFINITY, replaces it, clear removes it", () => {
    let next = moveResource(base(), "g", "n2");
    next = moveResource(next, "g", "guest1");
    const locs = constraints(next, "rsc_location");
    expect(locs.map((l) => l.attrs)).toEqual([{ id: "cli-prefer-g", rsc: "g", role: "Started", node: "guest1", score: "INFINITY" }]);
    next = clearResource(next, "g");
    expect(constraints(next, "rsc_location")).toEqual([]);
    expect(code(() => moveResource(base(), "g", "n9"))).toBe("CIB_NOT_FOUND");
    expect(clearResource(next, "g")).toBe(next);
  });
});

describe("cleanupResource", () => {
  it("removes history and fail-count attributes of a resource", () => {
    const next = cleanupResource(base(), "g");
    const ns = nodeStates(next)[0]!;
    expect(lrmResources(ns).map((r) => r.attrs.id)).toEqual(["c:0"]);
    expect([...transientAttributes(ns).keys()]).toEqual(["other"]);
  });
  it("matches clone instances and can be limited to a node", () => {
    expect(lrmResources(nodeStates(cleanupResource(base(), "c-clone"))[0]!).map((r) => r.attrs.id)).toEqual(["ga"]);
    expect(cleanupResource(base(), "ga", { node: "n3" })).toEqual(base());
    expect(code(() => cleanupResource(base(), "ga", { node: "n9" }))).toBe("CIB_NOT_FOUND");
  });
});

describe("locationConstraint", () => {
  it("prefers with a score, avoids negates, and updates in place", () => {
    let next = locationConstraint(base(), { rsc: "ga", node: "n1", score: "50" });
    expect(constraints(next, "rsc_location")[0]!.attrs).toEqual({ id: "location-ga-n1-50", rsc: "ga", node: "n1", score: "50" });
    next = locationConstraint(next, { rsc: "ga", node: "n1", kind: "avoids" });
    expect(constraints(next, "rsc_location").map((l) => l.attrs.score)).toEqual(["-INFINITY"]);
    expect(() => locationConstraint(base(), { rsc: "ga", node: "n1", score: "lots" })).toThrow(/expected an integer/);
  });
});

describe("node edits", () => {
  it("standby writes nodes-ID-standby, unstandby removes it", () => {
    let next = setNodeStandby(base(), "n1", true);
    expect(findById(next, "nodes-1-standby")?.attrs).toMatchObject({ name: "standby", value: "on" });
    next = setNodeStandby(next, "n1", false);
    expect(findById(next, "nodes-1-standby")).toBeUndefined();
    expect(findById(next, "nodes-1")).toBeUndefined();
  });
  it("standby of a guest node creates its node entry", () => {
    const next = setNodeStandby(base(), "guest1", true);
    const n = nodes(next).find((x) => x.attrs.uname === "guest1")!;
    expect(n.attrs).toMatchObject({ id: "guest1", type: "remote" });
    expect(nvValues(n, "instance_attributes").get("standby")).toBe("on");
  });
  it("remove drops the node entry and its node_state, refuses remote and guest nodes in use", () => {
    const next = removeNode(markNodeMember(base(), "n2"), "n2");
    expect(nodes(next).map((n) => n.attrs.uname)).toEqual(["n1"]);
    expect(nodeStates(next).map((n) => n.attrs.uname)).toEqual(["n1", "n3"]);
    expect(nodeStates(removeNode(base(), "n3")).map((n) => n.attrs.uname)).toEqual(["n1"]);
    expect(code(() => removeNode(base(), "guest1"))).toBe("NODE_IN_USE");
    expect(code(() => removeNode(base(), "rem1"))).toBe("NODE_IN_USE");
    expect(code(() => removeNode(base(), "n9"))).toBe("CIB_NOT_FOUND");
    const freed = deleteResource(setNodeStandby(base(), "guest1", true), "vm1");
    expect(nodes(removeNode(freed, "guest1")).map((n) => n.attrs.uname)).toEqual(["n1", "n2"]);
  });
  it("remove refuses a cluster node that hosts a guest's container or a remote connection", () => {
    const op = (rsc: string) =>
      `<lrm_resource id="${rsc}" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="${rsc}_last_0" operation_key="${rsc}_start_0" operation="start" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="2" rc-code="0" op-status="0" interval="0" on_node="n2"/></lrm_resource>`;
    const hosting = (rscs: string[]) => parseCib(BASE.replace(
      '<node_state id="3"',
      `<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="2"><lrm_resources>${rscs.map(op).join("")}</lrm_resources></lrm></node_state><node_state id="3"`,
    ));
    expect(() => removeNode(hosting(["vm1"]), "n2")).toThrow(/hosts guest node "guest1" \(resource "vm1"\)/);
    expect(() => removeNode(hosting(["rem1"]), "n2")).toThrow(/hosts remote node "rem1"/);
    expect(code(() => removeNode(hosting(["vm1"]), "n2"))).toBe("NODE_IN_USE");
    const next = removeNode(deleteResource(hosting(["vm1"]), "vm1"), "n2");
    expect(nodeStates(next).map((n) => n.attrs.uname)).toEqual(["n1", "n3"]);
  });
});

describe("membership", () => {
  it("adds a cluster node once and marks it member or down", () => {
    const added = addClusterNode(base(), "n4");
    expect(addClusterNode(added, "n4")).toBe(added);
    expect(addClusterNode(base(), "guest1")).toEqual(base());
    let next = markNodeMember(added, "n4");
    expect(nodeStates(next).at(-1)!.attrs).toMatchObject({ id: "n4", uname: "n4", in_ccm: "true", crmd: "online", join: "member" });
    next = markNodeMember(next, "n4", false);
    expect(nodeStates(next).at(-1)!.attrs).toMatchObject({ in_ccm: "false", crmd: "offline", join: "down" });
    expect(markNodeMember(next, "n4", false)).toBe(next);
    expect(code(() => markNodeMember(base(), "n9"))).toBe("CIB_NOT_FOUND");
  });
});

describe("setProperty", () => {
  it("sets, updates and removes in cib-bootstrap-options", () => {
    let next = setProperty(base(), "stonith-enabled", "false");
    expect(findById(next, "cib-bootstrap-options-stonith-enabled")?.attrs.value).toBe("false");
    next = setProperty(next, "stonith-enabled", "true");
    expect(findById(next, "cib-bootstrap-options-stonith-enabled")?.attrs.value).toBe("true");
    next = setProperty(next, "stonith-enabled", "");
    expect(findById(next, "cib-bootstrap-options-stonith-enabled")).toBeUndefined();
    expect(() => setProperty(base(), "bad name", "1")).toThrow(/property name "bad name"/);
    expect(primitives(next).length).toBe(primitives(base()).length);
  });
});
