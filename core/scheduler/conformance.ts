/**
 * The conformance format (`../shared/conformance/scheduler/README.md`): a transition as
 * `{summary, final, nodes}`, sorted so files diff cleanly, and the comparison rules of
 * `compare-scheduler.mjs` (summary as a multiset, final per key as a multiset, missing key ==
 * empty list; `Master`/`Slave` mapped to `Promoted`/`Unpromoted`).
 *
 * @example
 * ```ts
 * const actual = toConformance(schedule(cib, { now }));
 * compareConformance(expected, actual).pass;
 * ```
 */
import type { NodeSummary, Placement, SummaryEntry, Transition } from "./transition.ts";

/** The conformance JSON document. */
export interface ConformanceResult {
  readonly summary: readonly Record<string, unknown>[];
  readonly final: Readonly<Record<string, readonly Placement[]>>;
  readonly nodes: Readonly<Record<string, NodeSummary>>;
}

function canon(v: unknown): string {
  const keys = new Set<string>();
  const walk = (x: unknown): void => {
    if (x && typeof x === "object") for (const [k, y] of Object.entries(x)) { keys.add(k); walk(y); }
  };
  walk(v);
  return JSON.stringify(v, [...keys].sort());
}

/** Convert a transition to the conformance format. */
export function toConformance(t: Transition): ConformanceResult {
  const summary = t.summary.map((e: SummaryEntry) => ({ ...e }) as Record<string, unknown>)
    .sort((a, b) => { const x = canon(a), y = canon(b); return x < y ? -1 : x > y ? 1 : 0; });
  const final: Record<string, Placement[]> = {};
  for (const k of Object.keys(t.placement).sort()) final[k] = [...t.placement[k]!];
  return { summary, final, nodes: t.nodes };
}

const ROLE: Record<string, string> = { Master: "Promoted", Slave: "Unpromoted" };
function normRole(r: unknown): unknown {
  return typeof r === "string" ? ROLE[r] ?? r : r;
}

function canonEntry(e: Record<string, unknown>): string {
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(e).sort()) {
    let v = e[k];
    if (v === undefined) continue;
    if (k === "role" || k === "next_role") v = normRole(v);
    if (k === "blocked" && v === false) continue;
    o[k] = v;
  }
  if (o.action && o.action !== "fence" && o.resource != null) { o.from ??= null; o.to ??= null; }
  return JSON.stringify(o);
}

function multisetDiff(a: string[], b: string[]): { missing: string[]; extra: string[] } {
  const m = new Map<string, number>();
  for (const x of a) m.set(x, (m.get(x) ?? 0) + 1);
  const extra: string[] = [];
  for (const x of b) { const c = m.get(x) ?? 0; if (c > 0) m.set(x, c - 1); else extra.push(x); }
  const missing: string[] = [];
  for (const [x, c] of m) for (let i = 0; i < c; i++) missing.push(x);
  return { missing, extra };
}

interface Loose {
  readonly summary?: readonly Record<string, unknown>[];
  readonly final?: Readonly<Record<string, readonly { node: unknown; role: unknown }[]>>;
}

/** Compare two conformance documents with compare-scheduler.mjs's rules. */
export function compareConformance(expected: Loose, actual: Loose): { pass: boolean; finalPass: boolean; problems: string[] } {
  const problems: string[] = [];
  const sd = multisetDiff((expected.summary ?? []).map(canonEntry), (actual.summary ?? []).map(canonEntry));
  for (const x of sd.missing) problems.push(`summary missing: ${x}`);
  for (const x of sd.extra) problems.push(`summary extra:   ${x}`);
  const ef = expected.final ?? {}, af = actual.final ?? {};
  const pk = (p: { node: unknown; role: unknown }): string => `${String(p.node)}|${String(normRole(p.role))}`;
  for (const k of [...new Set([...Object.keys(ef), ...Object.keys(af)])].sort()) {
    const e = (ef[k] ?? []).map(pk), a = (af[k] ?? []).map(pk);
    const d = multisetDiff(e, a);
    if (d.missing.length || d.extra.length) problems.push(`final ${k}: expected [${e.sort().join(", ")}] got [${a.sort().join(", ")}]`);
  }
  const pass = problems.length === 0;
  const finalPass = pass || problems.every((p) => p.startsWith("summary "));
  return { pass, finalPass, problems };
}
