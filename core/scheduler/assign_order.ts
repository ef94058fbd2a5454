/**
 * Phase 3b helper: the order resources are assigned in. Pacemaker 2.1.5 (pcmk__sort_resources)
 * takes higher priority first; only with a non-default placement strategy does it then compare
 * each resource's score on its current node, then its score on each node in turn (nodes sorted
 * best first: available nodes, spare capacity, name), scores including those of the resources
 * it is colocated with. Otherwise configuration order is kept.
 */
import { INFINITY } from "./scores.ts";
import { anyNodeAvailable, mergeColocated, type ColocIndex } from "./colocation.ts";
import type { Primitive, Rsc, WorkingSet } from "./_model.ts";

/** The resource whose scores stand for `r` when ordering (a group's first member). */
function lead(r: Rsc): Rsc | undefined {
  if (r.kind === "group") return r.members[0];
  return r;
}

function current(r: Rsc): string | undefined {
  if (r.kind === "clone") {
    for (const i of r.instances) { const n = current(i); if (n !== undefined) return n; }
    return undefined;
  }
  const p = r.kind === "group" ? r.members[0] : r;
  if (!p || p.kind !== "primitive" || p.running.size === 0) return undefined;
  return (p as Primitive).running.keys().next().value;
}

/** A resource's scores merged with those of the resources it is colocated with. */
function colocatedScores(ws: WorkingSet, idx: ColocIndex, r: Rsc): Map<string, number> {
  const src = lead(r);
  if (!src) return new Map();
  const work = new Map(src.allowed);
  if (!anyNodeAvailable(ws, work)) return work;
  for (const c of idx.thisWith.get(src) ?? []) {
    mergeColocated(ws, idx, c.primary, work, c.nodeAttribute, c.score / INFINITY, new Set([src]), false, true);
  }
  return work;
}

/**
 * Sort top-level resources for assignment.
 * @param nodeOrder every node, best first (used only with a non-default placement strategy)
 */
export function assignmentOrder(ws: WorkingSet, idx: ColocIndex, nodeOrder: readonly string[]): Rsc[] {
  const byScore = ws.options.placementStrategy !== "default";
  const rows = ws.resources.map((r, i) => {
    const scores = byScore ? colocatedScores(ws, idx, r) : new Map<string, number>();
    const cur = current(r);
    return { r, i, scores, cur: cur === undefined ? -INFINITY : scores.get(cur) ?? -INFINITY };
  });
  const on = (m: Map<string, number>, n: string): number => m.get(n) ?? -INFINITY;
  rows.sort((a, b) => {
    if (a.r.priority !== b.r.priority) return b.r.priority - a.r.priority;
    if (!byScore) return a.i - b.i;
    if (a.cur !== b.cur) return b.cur - a.cur;
    for (const n of nodeOrder) {
      const x = on(a.scores, n), y = on(b.scores, n);
      if (x !== y) return y - x;
    }
    return a.i - b.i;
  });
  return rows.map((x) => x.r);
}
