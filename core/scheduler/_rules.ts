/**
 * The scheduler's one door to rule evaluation (location rules, nvsets with rules, dates),
 * delegating to core/cib/rules/ and adapting its context to the scheduler's.
 */
import type { CibElement } from "../cib/model.ts";
import { kids, deref, isTrue } from "./_cib.ts";
import { parseScore } from "./scores.ts";
import { evaluateRule as cibEvaluateRule, evaluateRules as cibEvaluateRules, tryParseDateTime, toDate,
  type RuleContext as CibRuleContext } from "../cib/rules/mod.ts";

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



/** Parse the ISO 8601 forms Pacemaker accepts (calendar, ordinal, week dates; optional time). */
export function parseIsoDate(text: string): Date | undefined {
  const parsed = tryParseDateTime(text.trim());
  if (parsed) return toDate(parsed);
  return parseIsoDateLocal(text);
}

function parseIsoDateLocal(text: string): Date | undefined {
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






/** Evaluate a `<rule>`: whether it passes, and its score (for location rules). */
export function evaluateRule(ruleIn: CibElement, ctx: RuleContext): { passed: boolean; score?: number; role?: string; ignore?: boolean } {
  const r = cibEvaluateRule(ruleIn, toCibCtx(ctx));
  const out: { passed: boolean; score?: number; role?: string; ignore?: boolean } = { passed: r.passed, score: r.score };
  if (r.role !== undefined) out.role = r.role;
  if (r.invalidRole !== undefined || r.unresolvedIdRef !== undefined) out.ignore = true;
  return out;
}

function toCibCtx(ctx: RuleContext): CibRuleContext {
  return {
    now: ctx.now,
    ...(ctx.node ? { nodeAttrs: ctx.node } : {}),
    ...(ctx.rsc ? { rsc: { class: ctx.rsc.cls ?? "", type: ctx.rsc.type ?? "", ...(ctx.rsc.provider !== undefined ? { provider: ctx.rsc.provider } : {}) } } : {}),
    ...(ctx.op ? { op: { name: ctx.op.name, intervalMs: ctx.op.interval } } : {}),
    resolveIdRef: (id: string) => ctx.ids.get(id),
  };
}

/** Whether an element's `rule` children allow it (none, or any passing). */
export function rulesPass(el: CibElement, ctx: RuleContext): boolean {
  return cibEvaluateRules(el, toCibCtx(ctx)).passed;
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
    if (!rulesPass(s, ctx)) continue;
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
