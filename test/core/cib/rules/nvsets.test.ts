import { describe, expect, it } from "vitest";
import {
  formatDateTime,
  orderNvSets,
  parseDateTime,
  sortNvSets,
  unpackNvSetList,
  unpackNvSets,
} from "../../../../core/cib/rules/mod.ts";
import { resolver, walk as walkAll, xml } from "./_xml.ts";

const now = parseDateTime("2005-020T12:30:00Z");
const ctx = { now, localOffset: 0 };

describe("unpackNvSets()", () => {
  it("applies equal-score blocks in reverse document order, first value winning (checked with crm_simulate 2.1.5)", () => {
    const rsc = xml(`<primitive id="A">
      <meta_attributes id="m1"><nvpair id="m1-r" name="target-role" value="Stopped"/><nvpair id="m1-x" name="only1" value="a"/></meta_attributes>
      <meta_attributes id="m2"><nvpair id="m2-r" name="target-role" value="Started"/></meta_attributes>
    </primitive>`);
    const r = unpackNvSets(rsc, "meta_attributes", ctx);
    expect(r.values.get("target-role")).toBe("Started");
    expect(r.values.get("only1")).toBe("a");
    expect(r.applied).toEqual(["m2", "m1"]);
  });

  it("unpackNvSetList() works on blocks already picked out, in the same order", () => {
    const rsc = xml(`<primitive id="A">
      <meta_attributes id="m1"><nvpair id="m1-r" name="target-role" value="Stopped"/></meta_attributes>
      <meta_attributes id="m2" score="-1"><nvpair id="m2-r" name="target-role" value="Started"/><nvpair id="m2-p" name="priority" value="3"/></meta_attributes>
      <meta_attributes id="m3"><nvpair id="m3-r" name="target-role" value="Slave"/></meta_attributes>
    </primitive>`);
    const blocks = rsc.children as ReturnType<typeof xml>[];
    expect(orderNvSets(blocks, {}).map((b) => b.attrs.id)).toEqual(["m3", "m1", "m2"]);
    const r = unpackNvSetList(blocks, ctx, { initial: { priority: "9" } });
    expect(Object.fromEntries(r.values)).toEqual({ priority: "9", "target-role": "Slave" });
    expect(r.applied).toEqual(["m3", "m1", "m2"]);
  });

  it("orders by score, higher first, and overwrite lets later blocks win", () => {
    const rsc = xml(`<primitive id="C">
      <meta_attributes id="low" score="1"><nvpair id="l" name="target-role" value="Stopped"/></meta_attributes>
      <meta_attributes id="high" score="10"><nvpair id="h" name="target-role" value="Started"/></meta_attributes>
      <meta_attributes id="none"><nvpair id="n" name="target-role" value="Slave"/></meta_attributes>
    </primitive>`);
    expect(unpackNvSets(rsc, "meta_attributes", ctx).applied).toEqual(["high", "low", "none"]);
    expect(unpackNvSets(rsc, "meta_attributes", ctx).values.get("target-role")).toBe("Started");
    expect(unpackNvSets(rsc, "meta_attributes", ctx, { overwrite: true }).values.get("target-role")).toBe(
      "Slave",
    );
  });

  it("puts cib-bootstrap-options first (any case) for cluster properties (checked with crm_simulate 2.1.5)", () => {
    const config = xml(`<crm_config>
      <cluster_property_set id="other" score="100"><nvpair id="o" name="stonith-enabled" value="true"/></cluster_property_set>
      <cluster_property_set id="CIB-bootstrap-options"><nvpair id="b" name="stonith-enabled" value="false"/></cluster_property_set>
    </crm_config>`);
    expect(unpackNvSets(config, "cluster_property_set", ctx).values.get("stonith-enabled")).toBe("false");
    expect(
      unpackNvSets(config, "cluster_property_set", ctx, { alwaysFirst: null }).values.get("stonith-enabled"),
    ).toBe("true");
    expect(sortNvSets(config, "cluster_property_set", {}, "other").map((s) => s.attrs.id)).toEqual([
      "other",
      "CIB-bootstrap-options",
    ]);
  });

  it("skips blocks whose rules fail and reports when they will change", () => {
    const node = xml(`<node id="n2" uname="node2">
      <instance_attributes id="ia1"><nvpair id="g2" name="server_group" value="group2"/>
        <rule score="0" id="r1"><date_expression operation="in_range" id="d1" end="2005-001"/></rule></instance_attributes>
      <instance_attributes id="ia2"><nvpair id="g3" name="server_group" value="group3"/>
        <rule score="0" id="r2"><date_expression operation="in_range" id="d2" start="2005-001" end="2005-02-01"/></rule></instance_attributes>
    </node>`);
    const r = unpackNvSets(node, "instance_attributes", ctx);
    expect(Object.fromEntries(r.values)).toEqual({ server_group: "group3" });
    expect(formatDateTime(r.nextChangeTime!)).toBe("2005-02-01 00:00:01Z");
    expect(r.nextChange?.toISOString()).toBe("2005-02-01T00:00:01.000Z");
  });

  it("lets #default remove a value set so far, and starts from initial values", () => {
    const rsc = xml(`<op id="o">
      <meta_attributes id="a" score="2"><nvpair id="a1" name="timeout" value="20s"/></meta_attributes>
      <meta_attributes id="b" score="1"><nvpair id="b1" name="timeout" value="#DEFAULT"/><nvpair id="b2" name="x" value="1"/></meta_attributes>
    </op>`);
    const r = unpackNvSets(rsc, "meta_attributes", ctx, { initial: new Map([["x", "0"], ["y", "9"]]) });
    expect(Object.fromEntries(r.values)).toEqual({ x: "0", y: "9" });
  });

  it("follows id-ref on blocks and nvpairs, and reports unresolved ones", () => {
    const doc = xml(`<configuration>
      <rsc_defaults><meta_attributes id="shared"><nvpair id="p" name="priority" value="5"/></meta_attributes></rsc_defaults>
      <primitive id="A">
        <meta_attributes id-ref="shared"/>
        <meta_attributes id="own"><nvpair id="q" id-ref="p"/><nvpair id="r" id-ref="p" value="7" name="stickiness"/><nvpair id="s" id-ref="nope"/></meta_attributes>
        <meta_attributes id-ref="missing"/>
      </primitive>
    </configuration>`);
    const prim = doc.children.find((c) => c.tag === "primitive") as ReturnType<typeof xml>;
    const r = unpackNvSets(prim, "meta_attributes", { ...ctx, resolveIdRef: resolver(doc) });
    expect(Object.fromEntries(r.values)).toEqual({ priority: "5", stickiness: "7" });
    expect(r.issues.map((i) => [i.code, i.value])).toEqual([["UNRESOLVED_IDREF", "missing"], [
      "UNRESOLVED_IDREF",
      "nope",
    ]]);
  });

  it("takes every child element when no tag is given, and reads a legacy attributes wrapper", () => {
    const el = xml(`<x>
      <utilization id="u"><attributes><nvpair id="c" name="cpu" value="2"/></attributes></utilization>
      <instance_attributes id="i"><nvpair id="m" name="mem" value="4"/></instance_attributes>
    </x>`);
    expect(Object.fromEntries(unpackNvSets(el, undefined, ctx).values)).toEqual({ mem: "4", cpu: "2" });
  });

  it("matches rsc_defaults and op_defaults rules against the resource and operation", () => {
    const defaults = xml(`<rsc_defaults>
      <meta_attributes id="op-unmanaged"><rule id="r1" score="INFINITY"><rsc_expression id="e1" class="ocf" provider="pacemaker" type="Dummy"/></rule>
        <nvpair id="n1" name="is-managed" value="false"/></meta_attributes>
      <meta_attributes id="op-mon"><rule id="r2" score="INFINITY"><op_expression id="e2" name="monitor" interval="10s"/></rule>
        <nvpair id="n2" name="timeout" value="8s"/></meta_attributes>
    </rsc_defaults>`);
    const dummy = { class: "ocf", provider: "pacemaker", type: "Dummy" };
    expect(unpackNvSets(defaults, "meta_attributes", { ...ctx, rsc: dummy }).values.get("is-managed")).toBe(
      "false",
    );
    expect(
      unpackNvSets(defaults, "meta_attributes", { ...ctx, rsc: { ...dummy, provider: "heartbeat" } }).values
        .has("is-managed"),
    ).toBe(false);
    expect(
      unpackNvSets(defaults, "meta_attributes", { ...ctx, op: { name: "monitor", intervalMs: 10000 } }).values
        .get("timeout"),
    ).toBe("8s");
    expect(
      unpackNvSets(defaults, "meta_attributes", { ...ctx, op: { name: "monitor", intervalMs: 20000 } }).values
        .has("timeout"),
    ).toBe(false);
  });
});

// The CIB below was run through `crm_simulate -S -x rules.xml -t "2005-020T12:30:03"` (Pacemaker
// 2.1.5, TZ=UTC). Each primitive is stopped by a meta_attributes block whose rule probes one
// corner of rule evaluation; crm_simulate started exactly R1, R3, R5, R7, R9 and R13 (their rules fail).
const QUIRKS = `<cib admin_epoch="0" epoch="1" num_updates="1" validate-with="none" have-quorum="1">
  <configuration>
    <crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="node1"/></nodes>
    <resources><primitive id="R1" class="ocf" provider="pacemaker" type="Dummy">
  <meta_attributes id="R1-m"><rule id="R1-r" score="0"><rsc_expression id="R1e" class="ocf" type="Dummy"/></rule><nvpair id="R1-tr" name="target-role" value="Stopped"/></meta_attributes>
</primitive><primitive id="R2" class="ocf" provider="pacemaker" type="Dummy">
  <meta_attributes id="R2-m"><rule id="R2-r" score="0"><date_expression id="R2e" operation="gt" start="2005-020T12:00+05:00"/></rule><nvpair id="R2-tr" name="target-role" value="Stopped"/></meta_attributes>
</primitive><primitive id="R3" class="ocf" provider="pacemaker" type="Dummy">
  <meta_attributes id="R3-m"><rule id="R3-r" score="0"><date_expression id="R3e" operation="date_spec"><date_spec id="R3s" hours="x" weekdays="6"/></date_expression></rule><nvpair id="R3-tr" name="target-role" value="Stopped"/></meta_attributes>
</primitive><primitive id="R4" class="ocf" provider="pacemaker" type="Dummy">
  <meta_attributes id="R4-m"><rule id="R4-r" score="0"><date_expression id="R4e" operation="date_spec"><date_spec id="R4s" hours="x"/></date_expression></rule><nvpair id="R4-tr" name="target-role" value="Stopped"/></meta_attributes>
</primitive><primitive id="R5" class="ocf" provider="pacemaker" type="Dummy">
  <meta_attributes id="R5-m"><rule id="R5-r" score="0"><expression id="R5e" attribute="nosuch" operation="eq"/></rule><nvpair id="R5-tr" name="target-role" value="Stopped"/></meta_attributes>
</primitive><primitive id="R6" class="ocf" provider="pacemaker" type="Dummy">
  <meta_attributes id="R6-m"><rule id="R6-r" score="0"><date_expression id="R6e" operation="in_range" start="junk" end="2005-030"/></rule><nvpair id="R6-tr" name="target-role" value="Stopped"/></meta_attributes>
</primitive><primitive id="R7" class="ocf" provider="pacemaker" type="Dummy">
  <meta_attributes id="R7-m"><rule id="R7-r" score="0"><date_expression id="R7e" operation="between" start="2005-001"/></rule><nvpair id="R7-tr" name="target-role" value="Stopped"/></meta_attributes>
</primitive><primitive id="R8" class="ocf" provider="pacemaker" type="Dummy">
  <meta_attributes id="R8-m"><rule id="R8-r" score="0"><date_expression id="R8e" operation="in_range" start="2004-12-20"><duration id="R8d" months="1" hours="13"/></date_expression></rule><nvpair id="R8-tr" name="target-role" value="Stopped"/></meta_attributes>
</primitive><primitive id="R9" class="ocf" provider="pacemaker" type="Dummy">
  <meta_attributes id="R9-m"><rule id="R9-r" score="0"><date_expression id="R9e" operation="date_spec"><date_spec id="R9s" moon="4"/></date_expression></rule><nvpair id="R9-tr" name="target-role" value="Stopped"/></meta_attributes>
</primitive><primitive id="R10" class="ocf" provider="pacemaker" type="Dummy">
  <meta_attributes id="R10-m"><rule id="R10-r" score="0"><date_expression id="R10e" operation="date_spec"><date_spec id="R10s" weeks="3" weekyears="2005" yeardays="20" monthdays="20" months="1" years="2005" minutes="30" seconds="0-5"/></date_expression></rule><nvpair id="R10-tr" name="target-role" value="Stopped"/></meta_attributes>
</primitive><primitive id="R11" class="ocf" provider="pacemaker" type="Dummy">
  <meta_attributes id="R11-m"><rule id="R11-r" score="0"/><nvpair id="R11-tr" name="target-role" value="Stopped"/></meta_attributes></primitive><primitive id="R12" class="ocf" provider="pacemaker" type="Dummy">
  <meta_attributes id="R12-m"><rule id-ref="nonexistent"/><nvpair id="R12-tr" name="target-role" value="Stopped"/></meta_attributes></primitive><primitive id="R13" class="ocf" provider="pacemaker" type="Dummy">
  <meta_attributes id="R13-m"><rule id="R13-r" score="0" boolean-op="or"/><nvpair id="R13-tr" name="target-role" value="Stopped"/></meta_attributes></primitive></resources>
    <constraints/>
  </configuration>
  <status><node_state id="n1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"/></status>
</cib>`;

describe("rule corner cases agree with crm_simulate 2.1.5", () => {
  it("applies exactly the blocks whose rules Pacemaker found passing", () => {
    const doc = xml(QUIRKS);
    const now = parseDateTime("2005-020T12:30:03", { localOffset: 0 });
    const started: string[] = [];
    for (const p of [...walkAll(doc)].filter((e) => e.tag === "primitive")) {
      const r = unpackNvSets(p, "meta_attributes", { now, localOffset: 0, resolveIdRef: resolver(doc) });
      if (r.values.get("target-role") !== "Stopped") started.push(p.attrs.id!);
    }
    expect(started).toEqual(["R1", "R3", "R5", "R7", "R9", "R13"]);
  });
});
