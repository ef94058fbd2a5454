/**
 * Whether a remote connection resource could be started on some cluster node: a small part
 * of placement, enough for the fencing prediction. It honours target-role, -INFINITY
 * location constraints (by node, or a rule on `#uname`), resource-discovery=exclusive,
 * symmetric-cluster, and fail counts that reached the migration threshold. When a constraint
 * is too complex to evaluate here, the node is assumed usable.
 */
import type { CibElement } from "../model.ts";
import { clusterOptions, type Ctx, isFalse, kids, section } from "./_tree.ts";
import type { Rsc } from "./_rsc.ts";
import { transientAttrs } from "./_history.ts";

/** What placement needs to know about a node. */
export interface Candidate {
  readonly name: string;
  readonly usable: boolean;
  readonly state: CibElement | undefined;
}

const INFINITY = 1_000_000;

function score(text: string | undefined): number {
  if (text === undefined) return 0;
  const t = text.trim();
  if (/^[+]?(INFINITY|inf)$/i.test(t)) return INFINITY;
  if (/^-(INFINITY|inf)$/i.test(t)) return -INFINITY;
  const n = Number(t);
  return Number.isFinite(n) ? Math.max(-INFINITY, Math.min(INFINITY, n)) : 0;
}

/** Nodes a location constraint names: its `node`, or a single `#uname eq` rule; undefined if unknown. */
function namedNodes(c: CibElement): { nodes: string[]; score: number } | undefined {
  if (c.attrs.node !== undefined) return { nodes: [c.attrs.node], score: score(c.attrs.score) };
  const rules = kids(c, "rule");
  if (rules.length !== 1) return undefined;
  const rule = rules[0]!;
  const exprs = kids(rule);
  if (exprs.length !== 1 || exprs[0]!.tag !== "expression") return undefined;
  const e = exprs[0]!;
  if (e.attrs.attribute !== "#uname" || e.attrs.operation !== "eq" || e.attrs.value === undefined) return undefined;
  return { nodes: [e.attrs.value], score: score(rule.attrs.score ?? rule.attrs["score-attribute"]) };
}

/** True when `conn` could run on one of `nodes`. */
export function connectionCanMove(ctx: Ctx, conn: Rsc | undefined, nodes: readonly Candidate[]): boolean {
  if (conn === undefined || /^stopped$/i.test(conn.meta.get("target-role") ?? "")) return false;
  const symmetric = !isFalse(clusterOptions(ctx).get("symmetric-cluster"));
  const scores = new Map<string, number>();
  let exclusive: Set<string> | undefined;
  for (const c of kids(section(ctx, "constraints"), "rsc_location")) {
    if (c.attrs.rsc !== conn.id) continue;
    const named = namedNodes(c);
    if (named === undefined) return true;
    for (const n of named.nodes) scores.set(n, (scores.get(n) ?? 0) + named.score);
    if (c.attrs["resource-discovery"] === "exclusive") {
      exclusive ??= new Set();
      for (const n of named.nodes) exclusive.add(n);
    }
  }
  const threshold = conn.meta.get("migration-threshold") === undefined ? INFINITY : score(conn.meta.get("migration-threshold"));
  return nodes.some((n) => {
    if (!n.usable) return false;
    if (exclusive !== undefined && !exclusive.has(n.name)) return false;
    const s = scores.get(n.name);
    if (s !== undefined && s <= -INFINITY) return false;
    if (!symmetric && (s === undefined || s < 0)) return false;
    if (threshold > 0 && n.state !== undefined) {
      let fails = 0;
      for (const [k, v] of transientAttrs(ctx, n.state)) {
        if (k === `fail-count-${conn.id}` || k.startsWith(`fail-count-${conn.id}#`)) fails += score(v);
      }
      if (fails >= threshold) return false;
    }
    return true;
  });
}

