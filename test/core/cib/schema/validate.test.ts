import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { parseCib } from "../../../../core/cib/codec.ts";
import {
  Bool,
  Duration,
  type OpOut,
  OpSchema,
  Port,
  type PrimitiveOut,
  PrimitiveSchema,
  Score,
  validateStructure,
} from "../../../../core/cib/schema/mod.ts";

function cibWith(resources: string, extra = ""): string {
  return `<cib epoch="1"><configuration><crm_config/><nodes/><resources>${resources}</resources>` +
    `<constraints/>${extra}</configuration><status/></cib>`;
}

describe("scalar forms", () => {
  it.each(
    [
      [Score, ["INFINITY", "+INFINITY", "-INFINITY", "-infinity", "100", "-5", " 7 "], ["abc", "1.5", ""]],
      [Bool, ["true", "FALSE", "yes", "no", "on", "off", "y", "n", "1", "0"], ["maybe", "2", ""]],
      [Duration, ["10", "10s", "5min", "1h", "500ms", "PT30S", "P10S", "P1D", "1.5s"], [
        "bad",
        "P",
        "10 parsecs",
        "",
      ]],
      [Port, ["1", "3121", "65535"], ["0", "65536", "x", "-1"]],
    ] as const,
  )("%# accepts Pacemaker's spellings and rejects others", (schema, good, bad) => {
    for (const s of good) expect(v.safeParse(schema, s).success, s).toBe(true);
    for (const s of bad) expect(v.safeParse(schema, s).success, s).toBe(false);
  });
});

describe("validateStructure()", () => {
  it("validateStructure() accepts unknown elements and attributes and opaque ACLs", () => {
    const cib = parseCib(cibWith(
      `<primitive id="a" class="ocf" provider="pacemaker" type="Dummy" x-extra="1"><x-thing foo="bar"/></primitive>`,
      `<acls><acl_target id="t"><role/></acl_target><whatever/></acls>`,
    ));
    expect(validateStructure(cib)).toEqual([]);
  });

  it("validateStructure() reports missing and malformed attributes with XPath-like locations", () => {
    const cib = parseCib(
      cibWith(
        `<primitive id="a" class="ocf" type="Dummy">` +
          `<meta_attributes id="a-meta"><nvpair id="a-rp" name="remote-port" value="70000"/><nvpair name="x" value="1"/></meta_attributes>` +
          `<operations><op id="a-mon" name="monitor" interval="abc"/></operations></primitive>` +
          `<primitive id="it's"/>`,
        `<fencing-topology><fencing-level id="fl" index="0" devices="d" target="n1"/></fencing-topology>`,
      ).replace(
        "<constraints/>",
        `<constraints><rsc_location id="l" rsc="a" node="n" score="lots"/></constraints>`,
      ),
    );
    const issues = validateStructure(cib);
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    const prim = "/cib/configuration/resources/primitive[@id='a']";
    expect(byPath[prim]).toMatchObject({
      severity: "error",
      expected: 'the attributes "provider" when class is "ocf"',
    });
    expect(byPath[`${prim}/meta_attributes[@id='a-meta']/nvpair[@id='a-rp']/@value`]).toMatchObject({
      severity: "error",
      value: "70000",
      expected: "a port number (1-65535)",
    });
    expect(byPath[`${prim}/meta_attributes[@id='a-meta']/nvpair[2]`]).toMatchObject({
      severity: "error",
      message: 'Missing one of the attributes "id", "id-ref"',
    });
    expect(byPath[`${prim}/operations/op[@id='a-mon']/@interval`]).toMatchObject({
      severity: "warning",
      value: "abc",
      message:
        'Invalid value "abc" of attribute "interval": expected a duration (e.g. 10s, 5min, 1h, 500ms or ISO 8601 PT30S)',
    });
    expect(byPath[`/cib/configuration/resources/primitive[@id="it's"]`]).toMatchObject({ severity: "error" });
    expect(byPath["/cib/configuration/fencing-topology/fencing-level[@id='fl']/@index"]).toMatchObject({
      severity: "error",
      value: "0",
      expected: "a positive integer",
    });
    expect(byPath["/cib/configuration/constraints/rsc_location[@id='l']/@score"]).toMatchObject({
      severity: "error",
      value: "lots",
    });
    expect(issues).toHaveLength(7);
  });

  it("validateStructure() checks rules nested in rules and missing ids", () => {
    const cib = parseCib(cibWith(
      `<primitive id="a" class="lsb" type="x"><meta_attributes id="m"><rule id="r1" boolean-op="and">` +
        `<rule id="r2"><expression id="e1" operation="eq" value="1"/></rule>` +
        `<date_expression id="d1" operation="date_spec"><date_spec id="ds" hours="9-17" weekdays="x"/></date_expression>` +
        `</rule></meta_attributes></primitive>`,
    ));
    const issues = validateStructure(cib);
    expect(issues.map((i) => [i.path, i.severity])).toEqual([
      [
        "/cib/configuration/resources/primitive[@id='a']/meta_attributes[@id='m']/rule[@id='r1']/rule[@id='r2']/expression[@id='e1']/@attribute",
        "error",
      ],
      [
        "/cib/configuration/resources/primitive[@id='a']/meta_attributes[@id='m']/rule[@id='r1']/date_expression[@id='d1']/date_spec[@id='ds']/@weekdays",
        "error",
      ],
    ]);
    expect(issues[0]!.message).toBe('Missing attribute "attribute"');
  });

  it("validateStructure() flags a bad version counter", () => {
    const issues = validateStructure(parseCib(`<cib epoch="x"/>`));
    expect(issues).toEqual([{
      path: "/cib/@epoch",
      value: "x",
      expected: "a non-negative integer",
      message: 'Invalid value "x" of attribute "epoch": expected a non-negative integer',
      severity: "error",
    }]);
  });

  it("schema output types describe the known attributes", () => {
    const p: PrimitiveOut = v.parse(PrimitiveSchema, {
      tag: "primitive",
      attrs: { id: "a", class: "lsb", type: "x" },
      children: [],
    });
    expect(p.attrs.class).toBe("lsb");
    const op: OpOut = v.parse(OpSchema, {
      tag: "op",
      attrs: { id: "o", name: "monitor", interval: "10s", zz: "kept" },
      children: [],
    });
    expect(op.attrs.zz).toBe("kept");
  });
});
