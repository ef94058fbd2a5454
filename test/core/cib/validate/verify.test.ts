import { describe, expect, it } from "vitest";
import { parseCib } from "../../../../core/cib/codec.ts";
import { type Finding, formatFinding, isRejected, verifyCib } from "../../../../core/cib/validate/mod.ts";
import { parseIntervalMs } from "../../../../core/cib/validate/_values.ts";

const FENCE = `<primitive id="st" class="stonith" type="fence_dummy"/>`;
const CLEAN = `<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>`;

/** A CIB with two clean nodes (n2 only when `status` is not given), fencing on by default. */
function cib(o: { props?: string; resources?: string; constraints?: string; status?: string; extra?: string; root?: string } = {}): Finding[] {
  const xml = `<cib validate-with="pacemaker-3.7" epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" ${o.root ?? ""}>
  <configuration>
    <crm_config><cluster_property_set id="cps">${o.props ?? ""}</cluster_property_set></crm_config>
    <nodes><node id="1" uname="n1"/></nodes>
    <resources>${o.resources ?? FENCE}</resources>
    <constraints>${o.constraints ?? ""}</constraints>${o.extra ?? ""}
  </configuration>
  <status>${o.status ?? CLEAN}</status>
</cib>`;
  return verifyCib(parseCib(xml));
}
const codes = (fs: Finding[]) => fs.map((f) => f.code);
const nv = (name: string, value: string, id = name) => `<nvpair id="p-${id}" name="${name}" value="${value}"/>`;
const prim = (id: string, inner = "", cls = `class="ocf" provider="heartbeat" type="Dummy"`) => `<primitive id="${id}" ${cls}>${inner}</primitive>`;
const meta = (id: string, pairs: string) => `<meta_attributes id="${id}-meta">${pairs}</meta_attributes>`;
const ops = (list: string) => `<operations>${list}</operations>`;

describe("verifyCib: baseline", () => {
  it("a clean CIB has no findings and is not rejected", () => {
    const f = cib({ resources: FENCE + prim("a") });
    expect(f).toEqual([]);
    expect(isRejected(f)).toBe(false);
  });
  it("formats a finding with location, message and expectation", () => {
    const [f] = cib({ resources: FENCE + prim("a", meta("a", nv("target-role", "Bogus"))) });
    expect(formatFinding(f!)).toMatch(/^error: \/cib\/configuration\/resources\/primitive\[@id='a'\]\/meta_attributes\[@id='a-meta'\]\/nvpair\[@name='target-role'\]: .*"Bogus".*expected Stopped, Started/);
  });
});

describe("operations", () => {
  it("reports a duplicate recurring operation (same name and interval in other units)", () => {
    const f = cib({ resources: FENCE + prim("a", ops(`<op id="m1" name="monitor" interval="10s"/><op id="m2" name="monitor" interval="PT10S"/>`)) });
    expect(codes(f)).toEqual(["DUPLICATE_OPERATION"]);
    expect(f[0]!.value).toBe("m2");
  });
  it("does not report two monitors with different intervals or a non-recurring duplicate", () => {
    expect(cib({ resources: FENCE + prim("a", ops(`<op id="m1" name="monitor" interval="10s"/><op id="m2" name="monitor" interval="11s"/><op id="s1" name="start" interval="0"/><op id="s2" name="start" interval="0s"/>`)) })).toEqual([]);
  });
  it("rejects on-fail=stop for a stop operation and a recurring start", () => {
    const f = cib({ resources: FENCE + prim("a", ops(`<op id="a-stop" name="stop" interval="0" on-fail="stop"/><op id="s" name="start" interval="10s"/>`)) });
    expect(codes(f).sort()).toEqual(["ON_FAIL_NOT_ALLOWED", "OPERATION_CANNOT_RECUR"]);
  });
  it("rejects on-fail=fence while fencing is disabled", () => {
    const f = cib({ props: nv("stonith-enabled", "false"), resources: prim("a", ops(`<op id="m" name="monitor" interval="10s" on-fail="fence"/>`)) });
    expect(codes(f)).toEqual(["ON_FAIL_NEEDS_FENCING"]);
  });
});

describe("resources", () => {
  it("rejects Promoted target-role outside a promotable clone, accepts it inside", () => {
    expect(codes(cib({ resources: FENCE + prim("a", meta("a", nv("target-role", "Promoted"))) }))).toEqual(["TARGET_ROLE_NOT_PROMOTABLE"]);
    const inside = `<clone id="c">${meta("c", nv("promotable", "true"))}${prim("a", meta("a", nv("target-role", "Unpromoted")))}</clone>`;
    expect(cib({ resources: FENCE + inside })).toEqual([]);
  });
  it("ignores #default values as Pacemaker does", () => {
    expect(cib({ resources: FENCE + prim("a", meta("a", nv("target-role", "#default"))) })).toEqual([]);
  });
  it("warns about deprecated restart-type and group ordered=false", () => {
    const f = cib({ resources: FENCE + `<group id="g">${meta("g", nv("ordered", "false"))}${prim("a", meta("a", nv("restart-type", "restart")))}</group>` });
    expect(codes(f).sort()).toEqual(["DEPRECATED_GROUP_META", "DEPRECATED_RESTART_TYPE"]);
    expect(f.every((x) => x.severity === "warning")).toBe(true);
  });
  it("warns that requires=fencing needs fencing", () => {
    const f = cib({ props: nv("stonith-enabled", "false"), resources: prim("a", meta("a", nv("requires", "fencing"))) });
    expect(codes(f)).toEqual(["REQUIRES_FENCING_DISABLED"]);
  });
  it("warns that lsb clones cannot be globally unique", () => {
    const c = `<clone id="c">${meta("c", nv("globally-unique", "true"))}${prim("l", "", `class="lsb" type="foo"`)}</clone>`;
    expect(codes(cib({ resources: FENCE + c }))).toEqual(["CLONE_CANNOT_BE_UNIQUE"]);
  });
});

describe("constraints", () => {
  it("reports unknown references, an invalid kind and require-all", () => {
    const f = cib({
      resources: FENCE + prim("a") + prim("b"),
      constraints: `<rsc_colocation id="c1" rsc="a" with-rsc="zz" score="INFINITY"/><rsc_order id="o1" first="a" then="b" kind="Sometimes"/><rsc_order id="o2" first="a" then="b" require-all="false"/>`,
    });
    expect(codes(f)).toEqual(["UNKNOWN_REFERENCE", "INVALID_ORDER_KIND", "DEPRECATED_REQUIRE_ALL"]);
    expect(f[0]!.location).toBe("/cib/configuration/constraints/rsc_colocation[@id='c1']/@with-rsc");
  });
  it("accepts tags and templates as references, rejects colocating two tags", () => {
    const tags = `<tags><tag id="t1"><obj_ref id="a"/></tag><tag id="t2"><obj_ref id="b"/></tag></tags>`;
    expect(cib({ resources: FENCE + prim("a") + prim("b"), extra: tags, constraints: `<rsc_location id="l" rsc="t1" node="n1" score="10"/>` })).toEqual([]);
    expect(codes(cib({ resources: FENCE + prim("a") + prim("b"), extra: tags, constraints: `<rsc_colocation id="c" rsc="t1" with-rsc="t2" score="10"/>` }))).toEqual(["COLOCATION_OF_TAGS"]);
  });
  it("warns about symmetrical with kind Serialize and rejects a bad influence", () => {
    const f = cib({ resources: FENCE + prim("a") + prim("b"), constraints: `<rsc_order id="o" first="a" then="b" kind="Serialize" symmetrical="true"/><rsc_colocation id="c" rsc="a" with-rsc="b" score="1" influence="maybe"/>` });
    expect(codes(f)).toEqual(["SYMMETRICAL_SERIALIZE", "INVALID_BOOLEAN"]);
  });
});

describe("cluster properties and schema", () => {
  it("rejects fencing enabled without a fencing device, unless a watchdog is configured", () => {
    expect(codes(cib({ resources: prim("a") }))).toEqual(["NO_FENCING_DEVICE"]);
    expect(cib({ props: nv("have-watchdog", "true"), resources: prim("a") })).toEqual([]);
  });
  it("reports an invalid option value and the deprecated poweroff", () => {
    expect(codes(cib({ props: nv("no-quorum-policy", "panic") + nv("stonith-action", "poweroff") }))).toEqual(["INVALID_CLUSTER_OPTION", "DEPRECATED_VALUE"]);
  });
  it("warns when schema validation is disabled", () => {
    const xml = `<cib validate-with="none" epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config/><nodes/><resources>${FENCE}</resources><constraints/></configuration><status/></cib>`;
    expect(codes(verifyCib(parseCib(xml)))).toEqual(["SCHEMA_VALIDATION_DISABLED"]);
  });
});

describe("status", () => {
  it("warns about node state of an unconfigured node and an active orphan", () => {
    const orphan = `<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources>
      <lrm_resource id="gone" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="gone_last_0" operation="start" call-id="3" rc-code="0" op-status="0" interval="0" transition-key="1:2:0:abc"/></lrm_resource>
      <lrm_resource id="stopped" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="stopped_last_0" operation="stop" call-id="4" rc-code="0" op-status="0" interval="0" transition-key="1:2:0:abc"/></lrm_resource>
    </lrm_resources></lrm></node_state><node_state id="9" uname="n9" in_ccm="true" crmd="online" join="member" expected="member"/>`;
    const f = cib({ status: orphan });
    expect(codes(f)).toEqual(["ACTIVE_ORPHAN", "UNKNOWN_NODE_STATE"]);
    expect(f[0]!.value).toBe("gone");
    expect(f[1]!.value).toBe("n9");
  });
});

describe("fencing prediction", () => {
  it("warns when a member left the cluster unexpectedly", () => {
    const f = cib({ status: `<node_state id="1" uname="n1" in_ccm="false" crmd="offline" join="down" expected="member"/>` });
    expect(codes(f)).toEqual(["NODE_NEEDS_FENCING"]);
    expect(f[0]!.message).toContain("no longer part of the cluster");
  });
  it("accepts a node that left cleanly", () => {
    expect(cib({ status: `<node_state id="1" uname="n1" in_ccm="false" crmd="offline" join="down" expected="down"/>` })).toEqual([]);
  });
  it("warns about an unseen node only while startup-fencing is on and fencing enabled", () => {
    expect(codes(cib({ status: "" }))).toEqual(["NODE_NEEDS_FENCING"]);
    expect(cib({ status: "", props: nv("startup-fencing", "false") })).toEqual([]);
    expect(cib({ status: "", props: nv("stonith-enabled", "false"), resources: "" })).toEqual([]);
  });
  const failedStop = (onFail?: string) => ({
    resources: FENCE + prim("a", onFail === undefined ? "" : ops(`<op id="a-stop" name="stop" interval="0" on-fail="${onFail}"/>`)),
    status: `<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources>
      <lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_last_0" operation="stop" call-id="5" rc-code="1" op-status="0" interval="0" transition-key="1:2:0:abc"/></lrm_resource>
    </lrm_resources></lrm></node_state>`,
  });
  it("warns that a failed stop fences the node by default, not with on-fail=block", () => {
    expect(codes(cib(failedStop()))).toEqual(["NODE_NEEDS_FENCING"]);
    expect(cib(failedStop("block"))).toEqual([]);
  });
  it("warns about a deadman ticket that is not granted", () => {
    const status = `<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources>
      <lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_last_0" operation="start" call-id="5" rc-code="0" op-status="0" interval="0" transition-key="1:2:0:abc"/></lrm_resource>
    </lrm_resources></lrm></node_state>`;
    const constraints = `<rsc_ticket id="t" rsc="a" ticket="T" loss-policy="fence"/>`;
    expect(codes(cib({ resources: FENCE + prim("a"), constraints, status }))).toEqual(["NODE_NEEDS_FENCING"]);
    expect(cib({ resources: FENCE + prim("a"), constraints, status: status + `<tickets><ticket_state id="T" granted="true"/></tickets>` })).toEqual([]);
  });
});

describe("parseIntervalMs", () => {
  it("parses Pacemaker interval syntax", () => {
    expect(parseIntervalMs("10")).toBe(10_000);
    expect(parseIntervalMs("500ms")).toBe(500);
    expect(parseIntervalMs("2min")).toBe(120_000);
    expect(parseIntervalMs("PT1M30S")).toBe(90_000);
    expect(parseIntervalMs("P10S")).toBe(10_000);
    expect(parseIntervalMs(undefined)).toBe(0);
    expect(parseIntervalMs("soon")).toBeUndefined();
  });
});
