// Rules and dates of the conformance corpus (../shared/conformance/scheduler/cases), checked at
// each case's effective time. Expected facts come from the cases' expected.json and, where the
// effect is not visible there, from Pacemaker 2.1.5's own expected transition graphs for these
// inputs (cts/scheduler/exp/NAME.exp: cluster-delay and recheck-by), quoted as literals.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { CibElement } from "../../../../core/cib/model.ts";
import {
  compareTimes,
  type CrmTime,
  evaluateRule,
  parseNow,
  toEpochSeconds,
  unpackNvSets,
} from "../../../../core/cib/rules/mod.ts";
import { byId, resolver, walk, xml } from "./_xml.ts";

const CASES = fileURLToPath(new URL("../../../../../shared/conformance/scheduler/cases/", import.meta.url));
const present = existsSync(CASES);
if (!present) console.log(`skipping corpus rule tests: ${CASES} is absent`);

interface Case {
  cib: CibElement;
  now: CrmTime;
  expected: { summary: Array<Record<string, unknown>>; meta: { now?: string } };
}

// crm_simulate ran with TZ=UTC, so local times in the corpus are UTC
function load(name: string): Case {
  const cib = xml(readFileSync(`${CASES}${name}/cib.xml`, "utf8"));
  const expected = JSON.parse(readFileSync(`${CASES}${name}/expected.json`, "utf8"));
  const now = parseNow(expected.meta.now, cib.attrs["execution-date"], { localOffset: 0 });
  return { cib, now, expected };
}

function nodes(cib: CibElement): CibElement[] {
  return [...walk(cib)].filter((e) => e.tag === "node" && e.attrs.uname !== undefined);
}

function topLevelRules(cib: CibElement): CibElement[] {
  const out: CibElement[] = [];
  for (const el of walk(cib)) {
    if (el.tag === "rule") continue;
    for (const c of el.children) if (c.tag === "rule") out.push(c as CibElement);
  }
  return out;
}

/** Earliest next change over every top-level rule, evaluated for every node. */
function earliestChange(c: Case): number | undefined {
  let best: CrmTime | undefined;
  for (const rule of topLevelRules(c.cib)) {
    for (const n of nodes(c.cib)) {
      const r = evaluateRule(rule, {
        now: c.now,
        nodeAttrs: { "#uname": n.attrs.uname!, "#id": n.attrs.id! },
        localOffset: 0,
      });
      if (r.nextChangeTime && (!best || compareTimes(r.nextChangeTime, best) < 0)) best = r.nextChangeTime;
    }
  }
  return best === undefined ? undefined : toEpochSeconds(best);
}

describe.skipIf(!present)("corpus date cases", () => {
  it("date-1: node attributes by date, then a location rule on them (now 2005-020)", () => {
    const c = load("date-1");
    expect(c.expected.meta.now).toBe("2005-020");
    const ctx = { now: c.now, localOffset: 0 };
    // Pacemaker unpacks node attribute sets without a node (node_hash NULL)
    const node1 = unpackNvSets(byId(c.cib, "uuid1", "node"), "instance_attributes", ctx).values;
    const node2 = unpackNvSets(byId(c.cib, "uuid2", "node"), "instance_attributes", ctx).values;
    expect(node1.get("server_group")).toBe("group1");
    expect(node2.get("server_group")).toBe("group3"); // in_range end 2005-001 is over; gt 2005-001 holds
    const rule = byId(c.cib, "prefer_group3", "rule");
    const on = (attrs: Map<string, string>, uname: string) =>
      evaluateRule(rule, { ...ctx, nodeAttrs: { ...Object.fromEntries(attrs), "#uname": uname } });
    expect(on(node1, "node1")).toMatchObject({ passed: false });
    expect(on(node2, "node2")).toMatchObject({ passed: true, score: 100 });
    // expected.json: rsc1 starts on node2, where its instance attributes give interface eth2
    expect(c.expected.summary).toEqual([{ action: "start", resource: "rsc1", from: null, to: "node2" }]);
    const rsc1 = byId(c.cib, "rsc1", "primitive");
    expect(
      unpackNvSets(rsc1, "instance_attributes", { ...ctx, nodeAttrs: { "#uname": "node2" } }).values.get(
        "interface",
      ),
    ).toBe("eth2");
    expect(
      unpackNvSets(rsc1, "instance_attributes", { ...ctx, nodeAttrs: { "#uname": "node1" } }).values.get(
        "interface",
      ),
    ).toBe("eth1");
  });

  it("date-2 and date-3: a date_spec hours=12 property set applies at 12:30 but not at 11:30", () => {
    // upstream date-2.exp has cluster-delay="10s", date-3.exp has cluster-delay="50s"
    for (
      const [name, now, delay] of [["date-2", "2005-020T12:30", "10s"], [
        "date-3",
        "2005-020T11:30",
        "50s",
      ]] as const
    ) {
      const c = load(name);
      expect(c.expected.meta.now).toBe(now);
      const config = [...walk(c.cib)].find((e) => e.tag === "crm_config")!;
      const r = unpackNvSets(config, "cluster_property_set", { now: c.now, localOffset: 0 });
      expect(r.values.get("cluster-delay")).toBe(delay);
      expect(r.values.get("stonith-enabled")).toBe("false");
      expect(r.applied).toEqual(name === "date-2" ? ["overrides", "boo"] : ["boo"]);
    }
  });

  it("location-date-rules-1: an expired lt and a future gt (recheck-by 1568992553 upstream)", () => {
    const c = load("location-date-rules-1");
    expect(toEpochSeconds(c.now)).toBe(1568992252);
    const ctx = (uname: string) => ({ now: c.now, localOffset: 0, nodeAttrs: { "#uname": uname } });
    const expired = evaluateRule(byId(c.cib, "rule-1-1", "rule"), ctx("rhel7-5"));
    expect(expired.passed).toBe(false);
    expect(expired.nextChange).toBeUndefined();
    const future = evaluateRule(byId(c.cib, "rule-2-1", "rule"), ctx("rhel7-3"));
    expect(future.passed).toBe(false);
    expect(future.nextChange?.getTime()).toBe(1568992553_000);
    expect(earliestChange(c)).toBe(1568992553);
  });

  it("nvpair-date-rules-1: date rules at noon -05:00 (recheck-by 1569259800 upstream)", () => {
    const c = load("nvpair-date-rules-1");
    const ctx = { now: c.now, localOffset: 0 };
    const config = [...walk(c.cib)].find((e) => e.tag === "crm_config")!;
    expect(unpackNvSets(config, "cluster_property_set", ctx).values.get("maintenance-mode")).toBe("false");
    expect(unpackNvSets(byId(c.cib, "1", "node"), "utilization", ctx).values.get("capacity")).toBe("5");
    const standby = unpackNvSets(byId(c.cib, "3", "node"), "instance_attributes", ctx);
    expect(standby.values.get("standby")).toBe("on");
    expect(standby.nextChange?.getTime()).toBe(1569259800_000);
    const rsc2 = byId(c.cib, "rsc2", "primitive");
    expect(unpackNvSets(rsc2, "meta_attributes", ctx).values.get("target-role")).toBe("Started");
    const rule = byId(c.cib, "rule-2-1", "rule");
    expect(evaluateRule(rule, { ...ctx, nodeAttrs: { "#uname": "rhel7-5" } }).passed).toBe(true);
    expect(
      evaluateRule(byId(c.cib, "rule-3-1", "rule"), { ...ctx, nodeAttrs: { "#uname": "rhel7-4" } }).passed,
    ).toBe(false);
    expect(c.expected.summary).toContainEqual({
      action: "start",
      resource: "rsc1",
      from: null,
      to: "rhel7-5",
    });
    expect(earliestChange(c)).toBe(1569259800);
  });

  it("on_fail_demote3: a Promoted-role rule with a date in effect", () => {
    const c = load("on_fail_demote3");
    const r = evaluateRule(byId(c.cib, "location-rsc1-clone-rule", "rule"), {
      now: c.now,
      localOffset: 0,
      nodeAttrs: {},
    });
    expect(r).toMatchObject({ passed: true, role: "Promoted", score: -1000000 });
    expect(c.expected.summary).toEqual([expect.objectContaining({ action: "demote", resource: "rsc1" })]);
  });

  it("nvpair-id-ref: nvpairs by id-ref take the referenced name and value unless they name their own", () => {
    const c = load("nvpair-id-ref");
    const rsc2 = byId(c.cib, "rsc2", "primitive");
    const r = unpackNvSets(rsc2, "instance_attributes", {
      now: c.now,
      localOffset: 0,
      resolveIdRef: resolver(c.cib),
    });
    expect(r.issues).toEqual([]);
    expect(Object.fromEntries(r.values)).toEqual({ fake: "common-value", fake_fake: "common-value" });
  });
});

describe.skipIf(!present)("corpus rule-* cases: integer, number and string comparisons", () => {
  const names = present ? readdirNames().filter((n) => n.startsWith("rule-")) : [];
  it("covers the rule-* cases in the corpus", () => {
    expect(names.length).toBeGreaterThanOrEqual(10);
  });
  it.each(names)("%s: the ban rule passes exactly when the resource is stopped", (name) => {
    const c = load(name);
    const value = [...walk(c.cib)].find((e) => e.tag === "nvpair" && e.attrs.name === "test_val")!.attrs
      .value!;
    const rule = byId(c.cib, "ban-dummy-rule", "rule");
    const r = evaluateRule(rule, {
      now: c.now,
      localOffset: 0,
      nodeAttrs: { "#uname": "node1", test_val: value },
    });
    const banned = c.expected.summary.some((s) => s.action === "stop" && s.resource === "dummy");
    expect(r.passed).toBe(banned);
    expect(r.score).toBe(-1000000);
  });
});

describe.skipIf(!present)("every rule in the corpus", () => {
  it("evaluates on every node, and every nvset unpacks, without an issue or a throw", () => {
    let rules = 0;
    const issues: string[] = [];
    for (const name of readdirNames()) {
      const text = readFileSync(`${CASES}${name}/cib.xml`, "utf8");
      if (!text.includes("<rule")) continue;
      const c = load(name);
      const resolveIdRef = resolver(c.cib);
      const base = { now: c.now, localOffset: 0, resolveIdRef };
      for (const rule of topLevelRules(c.cib)) {
        for (const n of nodes(c.cib)) {
          const nodeAttrs = { "#uname": n.attrs.uname!, "#id": n.attrs.id!, "#kind": "cluster" };
          const r = evaluateRule(rule, { ...base, nodeAttrs });
          rules++;
          issues.push(...r.issues.map((i) => `${name}: ${i.code} ${i.path}`));
        }
      }
      for (const el of walk(c.cib)) {
        for (const tag of ["instance_attributes", "meta_attributes", "utilization", "cluster_property_set"]) {
          if (!el.children.some((ch) => ch.tag === tag)) continue;
          issues.push(...unpackNvSets(el, tag, base).issues.map((i) => `${name}: ${i.code} ${i.path}`));
        }
      }
    }
    expect(rules).toBeGreaterThan(1000);
    expect(issues).toEqual([]);
  });
});

function readdirNames(): string[] {
  const idx = JSON.parse(readFileSync(`${CASES}../index.json`, "utf8")) as Array<{ name: string }>;
  return idx.map((e) => e.name);
}
