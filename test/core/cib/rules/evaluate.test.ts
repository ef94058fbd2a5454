import { describe, expect, it } from "vitest";
import {
  evaluateExpression,
  evaluateRule,
  evaluateRules,
  formatDateTime,
  parseDateTime,
  type RuleContext,
} from "../../../../core/cib/rules/mod.ts";
import { xml } from "./_xml.ts";

const NOW = parseDateTime("2005-020T12:30:00Z"); // Thursday 2005-01-20

function ctx(extra: Partial<RuleContext> = {}): RuleContext {
  return { now: NOW, localOffset: 0, ...extra };
}

function expr(attrs: Record<string, string>): ReturnType<typeof xml> {
  return { tag: "expression", attrs: { id: "e", ...attrs }, children: [] };
}

function attrPasses(
  attrs: Record<string, string>,
  nodeAttrs: Record<string, string>,
  extra: Partial<RuleContext> = {},
): boolean {
  return evaluateExpression(expr(attrs), ctx({ nodeAttrs, ...extra })).passed;
}

describe("node attribute expressions", () => {
  it("compares strings case-insensitively by default", () => {
    expect(attrPasses({ attribute: "#uname", operation: "eq", value: "Node1" }, { "#uname": "node1" })).toBe(
      true,
    );
    expect(attrPasses({ attribute: "#uname", operation: "ne", value: "node2" }, { "#uname": "node1" })).toBe(
      true,
    );
    expect(attrPasses({ attribute: "#kind", operation: "eq", value: "remote" }, { "#kind": "cluster" })).toBe(
      false,
    );
    expect(attrPasses({ attribute: "#id", operation: "eq", value: "uuid1" }, { "#id": "uuid1" })).toBe(true);
    expect(attrPasses({ attribute: "#is_dc", operation: "eq", value: "true" }, { "#is_dc": "true" })).toBe(
      true,
    );
    expect(
      attrPasses({ attribute: "#cluster-name", operation: "eq", value: "c1" }, { "#cluster-name": "c1" }),
    ).toBe(true);
    expect(attrPasses({ attribute: "#site-name", operation: "ne", value: "c1" }, { "#site-name": "s2" }))
      .toBe(true);
  });

  it("tests defined and not_defined", () => {
    expect(attrPasses({ attribute: "a", operation: "defined" }, { a: "" })).toBe(true);
    expect(attrPasses({ attribute: "a", operation: "not_defined" }, { b: "1" })).toBe(true);
    expect(attrPasses({ attribute: "a", operation: "not_defined" }, { a: "1" })).toBe(false);
  });

  it("picks integer or number for ordered operations without a type (2.1.5)", () => {
    expect(attrPasses({ attribute: "a", operation: "gt", value: "9" }, { a: "10" })).toBe(true);
    expect(attrPasses({ attribute: "a", operation: "lt", value: "10" }, { a: "9" })).toBe(true);
    expect(attrPasses({ attribute: "a", operation: "gt", value: "3.4" }, { a: "10.4" })).toBe(true);
    expect(attrPasses({ attribute: "a", operation: "gte", value: "10" }, { a: "10.0" })).toBe(true);
    expect(attrPasses({ attribute: "a", operation: "gt", value: "1e1" }, { a: "10" })).toBe(true); // integer: 10 > 1
  });

  it("truncates integers, falls back to strings when a value does not parse", () => {
    expect(attrPasses({ attribute: "a", operation: "eq", type: "integer", value: "3.6" }, { a: "3.4" })).toBe(
      true,
    );
    expect(attrPasses({ attribute: "a", operation: "eq", type: "integer", value: "4.6" }, { a: "3.4" })).toBe(
      false,
    );
    expect(attrPasses({ attribute: "a", operation: "eq", type: "number", value: "3.6" }, { a: "3" })).toBe(
      false,
    );
    expect(attrPasses({ attribute: "a", operation: "gt", type: "number", value: "as10.0" }, { a: "as2.0" }))
      .toBe(true);
    expect(attrPasses({ attribute: "a", operation: "gt", type: "integer", value: "as2" }, { a: "as10" }))
      .toBe(false);
    expect(
      attrPasses({ attribute: "a", operation: "gt", type: "integer", value: "99999999999999999999" }, {
        a: "5",
      }),
    ).toBe(false);
    expect(attrPasses({ attribute: "a", operation: "eq", type: "number", value: "0x10" }, { a: "16" })).toBe(
      true,
    );
    // Pacemaker's underflow check rejects "-0" as a number, so strings are compared
    expect(attrPasses({ attribute: "a", operation: "eq", type: "number", value: "0" }, { a: "-0" })).toBe(
      false,
    );
  });

  it("compares versions part by part", () => {
    expect(attrPasses({ attribute: "v", operation: "gt", type: "version", value: "1.9" }, { v: "1.10" }))
      .toBe(true);
    expect(attrPasses({ attribute: "v", operation: "eq", type: "version", value: "2" }, { v: "2.0" })).toBe(
      true,
    );
    expect(attrPasses({ attribute: "v", operation: "lt", type: "version", value: "2.1.5" }, { v: "2.1.4" }))
      .toBe(true);
    expect(attrPasses({ attribute: "v", operation: "eq", type: "version", value: "1.a" }, { v: "1.a" })).toBe(
      true,
    );
  });

  it("treats an unknown type as equal and reports it", () => {
    const r = evaluateExpression(
      expr({ attribute: "a", operation: "eq", type: "colour", value: "x" }),
      ctx({ nodeAttrs: { a: "y" } }),
    );
    expect(r.passed).toBe(true);
    expect(r.issues.map((i) => i.code)).toEqual(["UNKNOWN_TYPE"]);
    expect(r.issues[0]?.path).toBe("expression[@id='e']/@type");
  });

  it("handles missing values like Pacemaker", () => {
    expect(attrPasses({ attribute: "a", operation: "eq" }, { b: "1" })).toBe(true); // both absent compare equal
    expect(attrPasses({ attribute: "a", operation: "ne", value: "1" }, {})).toBe(true);
    expect(attrPasses({ attribute: "a", operation: "lt", value: "1" }, {})).toBe(false);
    expect(evaluateExpression(expr({ attribute: "a", operation: "eq", value: "1" }), ctx()).passed).toBe(
      false,
    ); // no node
    const noAttr = evaluateExpression(expr({ operation: "eq", value: "1" }), ctx({ nodeAttrs: {} }));
    expect(noAttr.passed).toBe(false);
    expect(noAttr.issues[0]?.code).toBe("MISSING_ATTRIBUTE");
    const badOp = evaluateExpression(
      expr({ attribute: "a", operation: "equals", value: "1" }),
      ctx({ nodeAttrs: { a: "1" } }),
    );
    expect(badOp.passed).toBe(false);
    expect(badOp.issues[0]).toMatchObject({ code: "INVALID_OPERATION", value: "equals" });
    expect(attrPasses({ attribute: "constructor", operation: "defined" }, {})).toBe(false);
  });

  it("reads values from resource params or meta only with match data", () => {
    const e = { attribute: "size", operation: "eq", value: "wanted", "value-source": "param" };
    const match = { params: { wanted: "big" }, meta: { wanted: "small" } };
    expect(attrPasses(e, { size: "big" }, { match })).toBe(true);
    expect(attrPasses({ ...e, "value-source": "meta" }, { size: "small" }, { match })).toBe(true);
    expect(attrPasses(e, { size: "wanted" })).toBe(true); // no match data: literal
    expect(attrPasses(e, { size: "big" }, { match: { meta: {} } })).toBe(false); // no params table
  });

  it("expands rsc-pattern submatches in attribute names", () => {
    const match = { submatches: ["db-east", "east"] };
    expect(
      attrPasses({ attribute: "site-%1", operation: "eq", value: "yes" }, { "site-east": "yes" }, { match }),
    ).toBe(true);
    expect(attrPasses({ attribute: "site-%2x", operation: "defined" }, { "site-x": "1" }, { match })).toBe(
      true,
    );
  });
});

describe("#role expressions", () => {
  const role = (operation: string, r?: RuleContext["role"], value?: string) =>
    evaluateExpression(
      expr({ attribute: "#role", operation, ...(value ? { value } : {}) }),
      ctx(r ? { role: r } : {}),
    ).passed;
  it("matches roles as Pacemaker 2.1.5 does", () => {
    expect(role("eq", "Promoted", "Master")).toBe(true);
    expect(role("eq", "Unpromoted", "Unpromoted")).toBe(true);
    expect(role("eq", undefined, "Started")).toBe(false);
    expect(role("defined", "Unpromoted")).toBe(true);
    expect(role("defined", "Started")).toBe(false);
    expect(role("not_defined", "Started")).toBe(true);
    expect(role("ne", "Started", "Promoted")).toBe(false);
    expect(role("ne", "Unpromoted", "Promoted")).toBe(true);
  });
});

describe("rsc_expression and op_expression", () => {
  const rsc = (a: string, r?: RuleContext["rsc"]) =>
    evaluateExpression(xml(`<rsc_expression id="x" ${a}/>`), ctx(r ? { rsc: r } : {})).passed;
  const dummy = { class: "ocf", provider: "pacemaker", type: "Dummy" };
  it("matches class, provider and type", () => {
    expect(rsc('class="ocf" provider="pacemaker" type="Dummy"', dummy)).toBe(true);
    expect(rsc('class="ocf" provider="heartbeat" type="Dummy"', dummy)).toBe(false);
    expect(rsc('class="ocf" type="Dummy"', dummy)).toBe(false); // no provider only matches provider-less agents
    expect(rsc('class="systemd" type="httpd"', { class: "systemd", type: "httpd" })).toBe(true);
    expect(rsc('type="Dummy" provider="pacemaker"', dummy)).toBe(true);
    expect(rsc('class="ocf" provider="pacemaker" type="Dummy"')).toBe(false);
  });
  const op = (a: string, o?: RuleContext["op"]) =>
    evaluateExpression(xml(`<op_expression id="x" ${a}/>`), ctx(o ? { op: o } : {}));
  it("matches operation name and interval", () => {
    expect(op('name="monitor"', { name: "monitor", intervalMs: 10000 }).passed).toBe(true);
    expect(op('name="monitor" interval="10s"', { name: "monitor", intervalMs: 10000 }).passed).toBe(true);
    expect(op('name="monitor" interval="10000ms"', { name: "monitor", intervalMs: 10000 }).passed).toBe(true);
    expect(op('name="monitor" interval="PT10S"', { name: "monitor", intervalMs: 10000 }).passed).toBe(true);
    expect(op('name="monitor" interval="20s"', { name: "monitor", intervalMs: 10000 }).passed).toBe(false);
    expect(op('name="start"', { name: "monitor", intervalMs: 0 }).passed).toBe(false);
    expect(op('name="monitor"').passed).toBe(false);
    const bad = op('name="monitor" interval="soon"', { name: "monitor", intervalMs: 0 });
    expect(bad.passed).toBe(false);
    expect(bad.issues[0]).toMatchObject({ code: "INVALID_INTERVAL", value: "soon" });
  });
});

describe("rules", () => {
  const uname = (v: string) => `<expression id="u-${v}" attribute="#uname" operation="eq" value="${v}"/>`;
  const node1 = { nodeAttrs: { "#uname": "node1", weight: "25" } };

  it("combines with and (default) and or, and nests", () => {
    expect(evaluateRule(xml(`<rule id="r">${uname("node1")}${uname("node2")}</rule>`), ctx(node1)).passed)
      .toBe(false);
    expect(
      evaluateRule(xml(`<rule id="r" boolean-op="or">${uname("node1")}${uname("node2")}</rule>`), ctx(node1))
        .passed,
    ).toBe(true);
    const nested = xml(
      `<rule id="r" boolean-op="and">${uname("node1")}<rule id="r2" boolean-op="or">${
        uname("x")
      }<date_expression id="d" operation="gt" start="2005-001"/></rule></rule>`,
    );
    expect(evaluateRule(nested, ctx(node1)).passed).toBe(true);
  });

  it("short-circuits, so skipped date expressions do not set the next change", () => {
    const r = xml(
      `<rule id="r">${uname("node2")}<date_expression id="d" operation="lt" end="2006-001"/></rule>`,
    );
    const res = evaluateRule(r, ctx(node1));
    expect(res.passed).toBe(false);
    expect(res.nextChange).toBeUndefined();
    const or = evaluateRule(
      xml(
        `<rule id="r" boolean-op="or"><date_expression id="d" operation="lt" end="2006-001"/><date_expression id="d2" operation="gt" start="2007-001"/></rule>`,
      ),
      ctx(),
    );
    expect(or.passed).toBe(true);
    expect(formatDateTime(or.nextChangeTime!)).toBe("2006-01-01 00:00:00Z");
  });

  it("gives the earliest next change of the evaluated expressions", () => {
    const r = xml(
      '<rule id="r"><date_expression id="a" operation="lt" end="2006-001"/><date_expression id="b" operation="in_range" start="2005-001" end="2005-02-01"/></rule>',
    );
    expect(formatDateTime(evaluateRule(r, ctx()).nextChangeTime!)).toBe("2005-02-01 00:00:01Z");
  });

  it("treats empty rules as Pacemaker does and reports them", () => {
    const and = evaluateRule(xml('<rule id="r"/>'), ctx());
    expect(and.passed).toBe(true);
    expect(and.issues[0]).toMatchObject({ code: "EMPTY_RULE", path: "rule[@id='r']" });
    expect(evaluateRule(xml('<rule id="r" boolean-op="or"/>'), ctx()).passed).toBe(false);
    const unknown = evaluateRule(xml('<rule id="r"><magic id="m"/></rule>'), ctx());
    expect(unknown.passed).toBe(false);
    expect(unknown.issues[0]).toMatchObject({
      code: "UNKNOWN_EXPRESSION",
      path: "rule[@id='r']/magic[@id='m']",
    });
  });

  it("follows id-ref, and passes an unresolved one as Pacemaker does", () => {
    const doc = xml(
      `<c><rule id="shared" score="7">${
        uname("node1")
      }</rule><rule id-ref="shared"/><rule id-ref="nope"/></c>`,
    );
    const [, ref, missing] = doc.children as ReturnType<typeof xml>[];
    const resolveIdRef = (
      id: string,
      tag: string,
    ) => (id === "shared" && tag === "rule" ? doc.children[0] as ReturnType<typeof xml> : undefined);
    const ok = evaluateRule(ref!, ctx({ ...node1, resolveIdRef }));
    expect(ok).toMatchObject({ passed: true, score: 7 });
    expect(evaluateRule(ref!, ctx({ nodeAttrs: { "#uname": "node2" }, resolveIdRef })).passed).toBe(false);
    const m = evaluateRule(missing!, ctx({ resolveIdRef }));
    expect(m.passed).toBe(true);
    expect(m.unresolvedIdRef).toBe("nope");
    expect(ok.unresolvedIdRef).toBeUndefined();
    expect(m.issues[0]).toMatchObject({ code: "UNRESOLVED_IDREF", value: "nope" });
  });

  it("returns the score from score or score-attribute", () => {
    expect(evaluateRule(xml(`<rule id="r" score="INFINITY">${uname("node1")}</rule>`), ctx(node1)).score)
      .toBe(1000000);
    expect(evaluateRule(xml(`<rule id="r" score="-INFINITY">${uname("node1")}</rule>`), ctx(node1)).score)
      .toBe(-1000000);
    expect(evaluateRule(xml(`<rule id="r" score="5000000">${uname("node1")}</rule>`), ctx(node1)).score).toBe(
      1000000,
    );
    expect(
      evaluateRule(xml(`<rule id="r" score-attribute="weight">${uname("node1")}</rule>`), ctx(node1)).score,
    ).toBe(25);
    expect(
      evaluateRule(xml(`<rule id="r" score-attribute="missing">${uname("node1")}</rule>`), ctx(node1)).score,
    ).toBe(-1000000);
    expect(evaluateRule(xml(`<rule id="r">${uname("node1")}</rule>`), ctx(node1)).score).toBe(0);
    expect(
      evaluateRule(
        xml(`<rule id="r" score="red">${uname("node1")}</rule>`),
        ctx({ ...node1, healthScores: { red: -7 } }),
      ).score,
    ).toBe(-7);
    const sub = ctx({ nodeAttrs: { "#uname": "node1", "w-db": "3" }, match: { submatches: ["db1", "db"] } });
    expect(evaluateRule(xml(`<rule id="r" score-attribute="w-%1">${uname("node1")}</rule>`), sub).score).toBe(
      3,
    );
  });

  it("returns the rule role, canonical, and flags an invalid one", () => {
    expect(
      evaluateRule(xml(`<rule id="r" role="Master" score="1">${uname("node1")}</rule>`), ctx(node1)).role,
    ).toBe("Promoted");
    expect(
      evaluateRule(xml(`<rule id="r" role="unpromoted" score="1">${uname("node1")}</rule>`), ctx(node1)).role,
    ).toBe("Unpromoted");
    const bad = evaluateRule(xml(`<rule id="r" role="Boss" score="1">${uname("node1")}</rule>`), ctx(node1));
    expect(bad.role).toBeUndefined();
    expect(bad.invalidRole).toBe("Boss");
    expect(bad.issues[0]).toMatchObject({ code: "INVALID_ROLE", path: "rule[@id='r']/@role" });
  });

  it("evaluateRules passes with no rule or any passing rule", () => {
    expect(
      evaluateRules(
        xml('<instance_attributes id="ia"><nvpair id="n" name="a" value="1"/></instance_attributes>'),
        ctx(),
      ).passed,
    ).toBe(true);
    const two = xml(
      '<lifetime id="l"><rule id="a"><date_expression id="d1" operation="lt" end="2005-001"/></rule><rule id="b"><date_expression id="d2" operation="gt" start="2005-001"/></rule></lifetime>',
    );
    expect(evaluateRules(two, ctx()).passed).toBe(true);
    const none = xml(
      '<lifetime id="l"><rule id="a"><date_expression id="d1" operation="lt" end="2005-001"/></rule></lifetime>',
    );
    expect(evaluateRules(none, ctx()).passed).toBe(false);
  });

  it("accepts a Date as now", () => {
    const r = xml('<rule id="r"><date_expression id="d" operation="gt" start="2005-020T12:00:00Z"/></rule>');
    expect(evaluateRule(r, { now: new Date("2005-01-20T12:30:00Z"), localOffset: 0 }).passed).toBe(true);
    expect(evaluateRule(r, { now: new Date("2005-01-20T11:30:00Z"), localOffset: 0 }).passed).toBe(false);
  });
});
