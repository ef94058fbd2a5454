import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  addSeconds,
  evaluateExpression,
  evaluateRule,
  formatDateTime,
  parseDateTime,
  type RuleContext,
} from "../../../../core/cib/rules/mod.ts";
import { walk, xml } from "./_xml.ts";

const NOW = parseDateTime("2005-020T12:30:00Z"); // Thursday 2005-01-20

function ctx(extra: Partial<RuleContext> = {}): RuleContext {
  return { now: NOW, localOffset: 0, ...extra };
}

describe("date expressions", () => {
  const date = (attrs: Record<string, string>, children: string = "", extra: Partial<RuleContext> = {}) =>
    evaluateExpression(
      xml(
        `<date_expression id="d" ${
          Object.entries(attrs).map(([k, v]) => `${k}="${v}"`).join(" ")
        }>${children}</date_expression>`,
      ),
      ctx(extra),
    );

  it("in_range before, within and after, with the next change", () => {
    const before = date({ operation: "in_range", start: "2005-021", end: "2005-030" });
    expect(before.passed).toBe(false);
    expect(formatDateTime(before.nextChangeTime!)).toBe("2005-01-21 00:00:00Z");
    const within = date({ start: "2005-001", end: "2005-020T13:00:00Z" }); // operation defaults to in_range
    expect(within.passed).toBe(true);
    expect(within.nextChange?.toISOString()).toBe("2005-01-20T13:00:01.000Z");
    const after = date({ operation: "in_range", end: "2005-001" });
    expect(after.passed).toBe(false);
    expect(after.nextChange).toBeUndefined();
    expect(date({ operation: "in_range", start: "2005-001" }).passed).toBe(true);
  });

  it("in_range with a duration element", () => {
    const d = '<duration id="du" months="1" hours="12"/>';
    expect(date({ operation: "in_range", start: "2004-12-31" }, d).passed).toBe(true);
    const r = date({ operation: "in_range", start: "2004-12-20" }, d);
    expect(r.passed).toBe(false); // ends 2005-01-20 12:00
    expect(
      date({ operation: "in_range", start: "2004-12-20" }, '<duration id="du" months="1" hours="13"/>')
        .passed,
    ).toBe(true);
  });

  it("gt and lt", () => {
    const gt = date({ operation: "gt", start: "2005-020T12:30:00Z" });
    expect(gt.passed).toBe(false); // equal is not greater
    expect(formatDateTime(gt.nextChangeTime!)).toBe("2005-01-20 12:30:01Z");
    expect(date({ operation: "gt", start: "2005-020T12:29:59Z" }).passed).toBe(true);
    const lt = date({ operation: "lt", end: "2005-020T12:30:01Z" });
    expect(lt.passed).toBe(true);
    expect(formatDateTime(lt.nextChangeTime!)).toBe("2005-01-20 12:30:01Z");
    expect(date({ operation: "lt", end: "2005-020T12:30:00Z" }).passed).toBe(false);
    expect(date({ operation: "GT", start: "2005-001" }).passed).toBe(true); // operations ignore case
  });

  it("reports bad dates and operations, and fails like Pacemaker", () => {
    const bad = date({ operation: "gt", start: "2005-13-01" });
    expect(bad.passed).toBe(false);
    expect(bad.issues[0]).toMatchObject({
      code: "INVALID_DATE",
      path: "date_expression[@id='d']/@start",
      value: "2005-13-01",
    });
    const partly = date({ operation: "in_range", start: "junk", end: "2005-030" });
    expect(partly.passed).toBe(true); // the bad start is treated as absent
    const op = date({ operation: "between", start: "2005-001" });
    expect(op.passed).toBe(false);
    expect(op.issues[0]).toMatchObject({ code: "INVALID_OPERATION", value: "between" });
    expect(date({ operation: "in_range" }).passed).toBe(false);
    expect(date({ operation: "lt", start: "2005-001" }).passed).toBe(false);
  });

  it("uses the runtime or given local offset for dates written without one", () => {
    // 12:00 at -05:00 is 17:00Z, after now (12:30Z)
    expect(date({ operation: "gt", start: "2005-020T12:00" }, "", { localOffset: -18000 }).passed).toBe(
      false,
    );
    expect(date({ operation: "gt", start: "2005-020T12:00" }, "", { localOffset: 0 }).passed).toBe(true);
  });

  it("date_spec fields and their next change", () => {
    const spec = (a: string, extra: Partial<RuleContext> = {}) =>
      date({ operation: "date_spec" }, `<date_spec id="s" ${a}/>`, extra);
    expect(spec('hours="12"').passed).toBe(true);
    expect(formatDateTime(spec('hours="12"').nextChangeTime!)).toBe("2005-01-20 13:00:00Z");
    expect(spec('hours="9-16" weekdays="1-5"').passed).toBe(true);
    expect(spec('weekdays="6-7"').passed).toBe(false);
    expect(formatDateTime(spec('weekdays="6-7"').nextChangeTime!)).toBe("2005-01-22 00:00:00Z");
    expect(spec('monthdays="20" months="1" years="2005" yeardays="20"').passed).toBe(true);
    expect(spec('weeks="3" weekyears="2005"').passed).toBe(true);
    expect(spec('minutes="0-29"').passed).toBe(false);
    expect(formatDateTime(spec('minutes="0-29"').nextChangeTime!)).toBe("2005-01-20 13:00:00Z");
    expect(spec('hours="13-"').passed).toBe(false);
    expect(spec('hours="-12"').passed).toBe(true);
    expect(formatDateTime(spec('years="2007"').nextChangeTime!)).toBe("2007-01-01 00:00:00Z");
    expect(formatDateTime(spec('months="3"').nextChangeTime!)).toBe("2005-03-01 00:00:00Z");
    expect(spec('hours="12"', { dateSpecNextChange: false }).nextChange).toBeUndefined();
  });

  it("date_spec moon phases (9-16 style ranges)", () => {
    // 2005-01-25 was a full moon: phase 4
    const full = evaluateExpression(
      xml('<date_expression id="d" operation="date_spec"><date_spec id="s" moon="4"/></date_expression>'),
      ctx({ now: parseDateTime("2005-01-25T12:00:00Z") }),
    );
    expect(full.passed).toBe(true);
    const newMoon = evaluateExpression(
      xml('<date_expression id="d" operation="date_spec"><date_spec id="s" moon="0"/></date_expression>'),
      ctx({ now: parseDateTime("2005-01-25T12:00:00Z") }),
    );
    expect(newMoon.passed).toBe(false);
  });

  it("ignores unparsable date_spec fields and a missing date_spec", () => {
    const r = date({ operation: "date_spec" }, '<date_spec id="s" hours="x" weekdays="6"/>');
    expect(r.passed).toBe(false);
    expect(r.issues[0]).toMatchObject({ code: "INVALID_DATE_SPEC", value: "x" });
    expect(date({ operation: "date_spec" }, '<date_spec id="s" hours="9-16x"/>').passed).toBe(true);
    expect(date({ operation: "date_spec" }).passed).toBe(true);
  });
});

describe("date rules agree with crm_rule 2.1.5 (fixtures/crm_rule_dates.json)", () => {
  const f = JSON.parse(readFileSync(new URL("./fixtures/crm_rule_dates.json", import.meta.url), "utf8")) as {
    cib: string;
    rules: string[];
    results: Record<string, string>;
  };
  const cib = xml(f.cib);
  const rules = new Map([...walk(cib)].filter((e) => e.tag === "rule").map((e) => [e.attrs.id as string, e]));

  it("passes exactly where crm_rule says the rule is in effect", () => {
    const mismatches: string[] = [];
    let n = 0;
    for (const [date, codes] of Object.entries(f.results)) {
      const now = parseDateTime(date, { localOffset: 0 });
      const rc = codes.split(" ");
      f.rules.forEach((id, i) => {
        const r = evaluateRule(rules.get(id)!, { now, localOffset: 0, dateSpecNextChange: false });
        n++;
        if (r.passed !== (rc[i] === "0")) {
          mismatches.push(`${id} at ${date}: crm_rule rc ${rc[i]}, passed ${r.passed}`);
        }
      });
    }
    expect(n).toBeGreaterThan(3000);
    expect(mismatches).toEqual([]);
  });

  it("flips exactly at nextChange and not a second before", () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const date of Object.keys(f.results)) {
      const now = parseDateTime(date, { localOffset: 0 });
      for (const [id, rule] of rules) {
        const r = evaluateRule(rule, { now, localOffset: 0 });
        if (r.nextChangeTime === undefined) continue;
        checked++;
        const at = evaluateRule(rule, { now: r.nextChangeTime, localOffset: 0 }).passed;
        const before = evaluateRule(rule, { now: addSeconds(r.nextChangeTime, -1), localOffset: 0 }).passed;
        if (at === r.passed || before !== r.passed) wrong.push(`${id} at ${date}`);
      }
    }
    expect(checked).toBeGreaterThan(2000);
    expect(wrong).toEqual([]);
  });
});
