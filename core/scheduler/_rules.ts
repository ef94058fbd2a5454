/**
 * The scheduler's one door to rule evaluation (location rules, nvsets with rules, dates).
 * A local implementation until core/cib/rules/ lands; switch the bodies here, nothing else.
 */
import type { CibElement } from "../cib/model.ts";
import { kids, deref, isTrue } from "./_cib.ts";
import { parseScore } from "./scores.ts";

/** What a rule may look at. */
export interface RuleContext {
  readonly now: Date;
  /** Node attributes (including #uname, #id, #kind) when evaluating for a node. */
  readonly node?: ReadonlyMap<string, string>;
  /** Resource standard/provider/type for rsc_expression. */
  readonly rsc?: { readonly cls?: string; readonly provider?: string; readonly type?: string };
  /** Operation name and interval (ms) for op_expression. */
  readonly op?: { readonly name: string; readonly interval: number };
  readonly ids: ReadonlyMap<string, CibElement>;
}

function compare(type: string, a: string, b: string): number {
  if (type === "integer" || type === "number") {
    const x = Number(a), y = Number(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return a < b ? -1 : a > b ? 1 : 0;
    return x - y;
  }
  if (type === "version") {
    const xs = a.split(".").map(Number), ys = b.split(".").map(Number);
    for (let i = 0; i < Math.max(xs.length, ys.length); i++) {
      const d = (xs[i] ?? 0) - (ys[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function attrExpression(e: CibElement, ctx: RuleContext): boolean {
  const name = e.attrs.attribute ?? "";
  const op = e.attrs.operation ?? "";
  const actual = ctx.node?.get(name);
  if (op === "defined") return actual !== undefined;
  if (op === "not_defined") return actual === undefined;
  if (actual === undefined) return false;
  let value = e.attrs.value ?? "";
  if (e.attrs["value-source"] === "param" || e.attrs["value-source"] === "meta") return false;
  let type = e.attrs.type ?? "";
  if (!type) type = /^[-+]?\d+$/.test(value) && /^[-+]?\d+$/.test(actual) ? "integer" : "string";
  const c = compare(type, actual, value);
  switch (op) {
    case "eq": return c === 0;
    case "ne": return c !== 0;
    case "lt": return c < 0;
    case "lte": return c <= 0;
    case "gt": return c > 0;
    case "gte": return c >= 0;
    default: value = ""; return false;
  }
}

/** Parse the ISO 8601 forms Pacemaker accepts (calendar, ordinal, week dates; optional time). */
export function parseIsoDate(text: string): Date | undefined {
  const t = text.trim();
  const [datePart, timePartRaw] = t.split(/[ T]/, 2) as [string, string | undefined];
  let y = 0, mo = 1, d = 1;
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(datePart);
  let base: Date | undefined;
  if (m) { y = +m[1]!; mo = +m[2]!; d = +m[3]!; base = new Date(Date.UTC(y, mo - 1, d)); }
  else if ((m = /^(\d{4})-(\d{3})$/.exec(datePart))) base = new Date(Date.UTC(+m[1]!, 0, +m[2]!));
  else if ((m = /^(\d{4})-W(\d{2})-(\d)$/.exec(datePart))) {
    const jan4 = new Date(Date.UTC(+m[1]!, 0, 4));
    const dow = (jan4.getUTCDay() + 6) % 7;
    base = new Date(jan4.getTime() + ((+m[2]! - 1) * 7 + (+m[3]! - 1) - dow) * 86400000);
  } else if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(datePart))) base = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  if (!base || Number.isNaN(base.getTime())) return undefined;
  if (timePartRaw) {
    const tm = /^(\d{2}):?(\d{2})(?::?(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(timePartRaw);
    if (!tm) return undefined;
    let ms = ((+tm[1]!) * 3600 + (+tm[2]!) * 60 + (+(tm[3] ?? 0))) * 1000;
    const tz = tm[4];
    if (tz && tz !== "Z") {
      const sign = tz[0] === "-" ? -1 : 1;
      const hh = +tz.slice(1, 3), mm = +tz.slice(-2);
      ms -= sign * (hh * 60 + mm) * 60000;
    }
    base = new Date(base.getTime() + ms);
  }
  return base;
}

function durationMs(e: CibElement | undefined): number {
  if (!e) return 0;
  const a = e.attrs;
  const n = (k: string): number => Number(a[k] ?? 0) || 0;
  return (((((n("years") * 365 + n("months") * 30 + n("weeks") * 7 + n("days")) * 24 + n("hours")) * 60
    + n("minutes")) * 60 + n("seconds")) * 1000);
}

function inSpecRange(spec: string | undefined, v: number): boolean {
  if (spec === undefined) return true;
  const m = /^(\d+)(?:-(\d+))?$/.exec(spec.trim());
  if (!m) return false;
  const lo = +m[1]!, hi = m[2] !== undefined ? +m[2] : lo;
  return v >= lo && v <= hi;
}

function dateSpec(e: CibElement, now: Date): boolean {
  const a = e.attrs;
  const start = Date.UTC(now.getUTCFullYear(), 0, 1);
  const yday = Math.floor((now.getTime() - start) / 86400000) + 1;
  const wday = now.getUTCDay() === 0 ? 7 : now.getUTCDay();
  return inSpecRange(a.years, now.getUTCFullYear()) && inSpecRange(a.months, now.getUTCMonth() + 1)
    && inSpecRange(a.monthdays, now.getUTCDate()) && inSpecRange(a.hours, now.getUTCHours())
    && inSpecRange(a.minutes, now.getUTCMinutes()) && inSpecRange(a.seconds, now.getUTCSeconds())
    && inSpecRange(a.yeardays, yday) && inSpecRange(a.weekdays, wday);
}

function dateExpression(e: CibElement, ctx: RuleContext): boolean {
  const op = e.attrs.operation ?? "in_range";
  const now = ctx.now.getTime();
  const start = e.attrs.start ? parseIsoDate(e.attrs.start)?.getTime() : undefined;
  let end = e.attrs.end ? parseIsoDate(e.attrs.end)?.getTime() : undefined;
  if (op === "gt") return start !== undefined && now > start;
  if (op === "lt") return end !== undefined && now < end;
  if (op === "date_spec") return dateSpec(kids(e, "date_spec")[0] ?? e, ctx.now);
  if (op === "in_range") {
    const dur = kids(e, "duration")[0];
    if (end === undefined && dur && start !== undefined) end = start + durationMs(dur);
    if (start !== undefined && now < start) return false;
    if (end !== undefined && now > end) return false;
    return start !== undefined || end !== undefined;
  }
  return false;
}

function expression(e: CibElement, ctx: RuleContext): boolean {
  switch (e.tag) {
    case "expression": return attrExpression(e, ctx);
    case "date_expression": return dateExpression(e, ctx);
    case "rule": return evaluateRule(e, ctx).passed;
    case "rsc_expression": {
      const r = ctx.rsc;
      if (!r) return true;
      return (e.attrs.class === undefined || e.attrs.class === r.cls)
        && (e.attrs.provider === undefined || e.attrs.provider === r.provider)
        && (e.attrs.type === undefined || e.attrs.type === r.type);
    }
    case "op_expression": {
      const o = ctx.op;
      if (!o) return false;
      return e.attrs.name === o.name && (e.attrs.interval === undefined || true);
    }
    default: return false;
  }
}

/** Evaluate a `<rule>`: whether it passes, and its score (for location rules). */
export function evaluateRule(ruleIn: CibElement, ctx: RuleContext): { passed: boolean; score?: number } {
  const rule = deref(ruleIn, ctx.ids);
  const or = (rule.attrs["boolean-op"] ?? "and").toLowerCase() === "or";
  const exprs = kids(rule).filter((c) => c.tag !== "description");
  let passed = or ? false : true;
  if (exprs.length === 0) passed = true;
  for (const x of exprs) {
    const r = expression(deref(x, ctx.ids), ctx);
    if (or && r) { passed = true; break; }
    if (!or && !r) { passed = false; break; }
  }
  const out: { passed: boolean; score?: number } = { passed };
  if (rule.attrs.score !== undefined) out.score = parseScore(rule.attrs.score);
  else if (rule.attrs["score-attribute"] !== undefined) {
    const v = ctx.node?.get(rule.attrs["score-attribute"]!);
    out.score = v === undefined ? 0 : parseScore(v);
  }
  return out;
}

/**
 * Merge name/value sets (`meta_attributes`, `instance_attributes`, `utilization`, ...) whose
 * rules pass, higher `score` first, the first value of a name winning; `into` keeps earlier
 * values (so callers merge the most specific sources first).
 */
export function unpackNvSets(sets: readonly CibElement[], ctx: RuleContext, into = new Map<string, string>()): Map<string, string> {
  const resolved = sets.map((s) => deref(s, ctx.ids));
  const ordered = resolved.map((s, i) => ({ s, i, score: parseScore(s.attrs.score) }))
    .sort((a, b) => b.score - a.score || a.i - b.i);
  for (const { s } of ordered) {
    const rules = kids(s, "rule");
    if (rules.length && !rules.every((r) => evaluateRule(r, ctx).passed)) continue;
    for (const nv of kids(s, "nvpair")) {
      const p = deref(nv, ctx.ids);
      const name = p.attrs.name;
      if (name === undefined || into.has(name)) continue;
      if (p.attrs.value === undefined) continue;
      into.set(name, p.attrs.value);
    }
  }
  return into;
}

/** Parse a Pacemaker interval/timeout ("10s", "1m", "1000ms", "P1D", bare seconds) into ms. */
export function parseIntervalMs(text: string | undefined, dflt = 0): number {
  if (text === undefined || text.trim() === "") return dflt;
  const t = text.trim();
  const iso = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(t);
  if (iso && t.length > 1) return ((((+(iso[1] ?? 0)) * 24 + (+(iso[2] ?? 0))) * 60 + (+(iso[3] ?? 0))) * 60 + (+(iso[4] ?? 0))) * 1000;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|msec|us|usec|s|sec|m|min|h|hr)?$/i.exec(t);
  if (!m) return dflt;
  const n = Number(m[1]);
  switch ((m[2] ?? "s").toLowerCase()) {
    case "ms": case "msec": return Math.round(n);
    case "us": case "usec": return Math.round(n / 1000);
    case "m": case "min": return Math.round(n * 60000);
    case "h": case "hr": return Math.round(n * 3600000);
    default: return Math.round(n * 1000);
  }
}

export { isTrue };
