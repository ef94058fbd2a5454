/**
 * Phase 3a: colocation mechanics used while assigning. Colocations are indexed per resource
 * ("this with" = where it is the dependent, "with this" = where it is the primary), group
 * colocations are mapped to members the way Pacemaker does (a group as dependent is its first
 * member; a group as primary is its last member for mandatory and first member for optional
 * colocations), and scores are applied to the dependent or merged into the primary.
 */
import { addScores, INFINITY } from "./scores.ts";
import { nodeAvailable } from "./scores_init.ts";
import type { Colocation, Rsc, WorkingSet } from "./_model.ts";

/** Colocation indexes for one working set. */
export interface ColocIndex {
  readonly thisWith: Map<Rsc, Colocation[]>;
  readonly withThis: Map<Rsc, Colocation[]>;
}

function push(m: Map<Rsc, Colocation[]>, k: Rsc, c: Colocation): void {
  const l = m.get(k);
  if (l) l.push(c); else m.set(k, [c]);
}

/** Build the indexes, adding each group's internal colocations (member with previous member). */
export function indexColocations(ws: WorkingSet): ColocIndex {
  const thisWith = new Map<Rsc, Colocation[]>(), withThis = new Map<Rsc, Colocation[]>();
  const groups: Rsc[] = [];
  for (const r of ws.byId.values()) if (r.kind === "group") groups.push(r);
  for (const g of groups) {
    if (g.kind !== "group") continue;
    for (let i = 1; i < g.members.length; i++) {
      const c: Colocation = { id: `${g.id}-internal`, dependent: g.members[i]!, primary: g.members[i - 1]!,
        score: INFINITY, nodeAttribute: "#uname", influence: true };
      push(thisWith, c.dependent, c);
      push(withThis, c.primary, c);
    }
  }
  for (const c0 of ws.colocations) {
    let c = c0;
    if (c.dependent.kind === "group") {
      const first = c.dependent.members[0];
      if (!first) continue;
      c = { ...c, dependent: first };
    }
    push(thisWith, c.dependent, c);
    let prim = c.primary;
    if (prim.kind === "group") prim = prim.members[prim.members.length - 1] ?? prim;
    push(withThis, prim, c);
  }
  for (const l of thisWith.values()) l.sort(byPrimaryPriority);
  for (const l of withThis.values()) l.sort(byDependentPriority);
  return { thisWith, withThis };
}

/** Pacemaker's order of a resource's "with this" list: dependent priority, clones first, then id. */
function byDependentPriority(a: Colocation, b: Colocation): number {
  return byRsc(a.dependent, b.dependent);
}

const VARIANT: Record<Rsc["kind"], number> = { primitive: 0, group: 1, clone: 2, bundle: 3 };

/** Pacemaker's order of a resource's "this with" list: primary priority, clones first, then id. */
function byPrimaryPriority(a: Colocation, b: Colocation): number {
  return byRsc(a.primary, b.primary);
}

function byRsc(x: Rsc, y: Rsc): number {
  if (x.priority !== y.priority) return y.priority - x.priority;
  if (x.kind !== y.kind) return VARIANT[y.kind] - VARIANT[x.kind];
  if (x.kind === "clone" && y.kind === "clone" && x.promotable !== y.promotable) return x.promotable ? -1 : 1;
  return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
}

/** The nodes a (now assigned) primary resource occupies, filtered by role when given. */
export function primaryNodes(primary: Rsc, score: number, role?: string): string[] | undefined {
  switch (primary.kind) {
    case "primitive": {
      if (primary.assigned === undefined) return undefined;
      if (!primary.assigned) return [];
      if (role && primary.nextRole !== role) return [];
      return [primary.assigned];
    }
    case "group": {
      const m = score >= INFINITY ? primary.members[primary.members.length - 1] : primary.members[0];
      return m ? primaryNodes(m, score, role) : [];
    }
    case "clone": {
      if (primary.assigned === undefined) return undefined;
      const out: string[] = [];
      for (const i of primary.instances) {
        const n = instanceNode(i);
        if (!n) continue;
        if (role && instanceRole(i) !== role) continue;
        out.push(n);
      }
      return out;
    }
    default: return [];
  }
}

/** Node an instance (primitive or group) is assigned to. */
export function instanceNode(i: Rsc): string | null | undefined {
  if (i.kind === "primitive") return i.assigned;
  if (i.kind === "group") {
    const f = i.members[0];
    if (!f || f.assigned === undefined) return undefined;
    return i.members.every((m) => m.assigned === f.assigned) ? f.assigned : f.assigned;
  }
  return null;
}

/** Next role of an instance. */
export function instanceRole(i: Rsc): string | undefined {
  if (i.kind === "group") return i.members[0]?.nextRole;
  return i.nextRole;
}

function attrOf(ws: WorkingSet, node: string, attr: string): string | undefined {
  if (attr === "#uname" || attr === "#id") return attr === "#uname" ? node : ws.nodes.get(node)?.attrs.get("#id");
  return ws.nodes.get(node)?.attrs.get(attr);
}

function anyAvailable(ws: WorkingSet, scores: Map<string, number>): boolean {
  for (const [n, s] of scores) if (s >= 0 && nodeAvailable(ws.nodes.get(n))) return true;
  return false;
}

/**
 * Apply a colocation to the dependent's scores (Pacemaker's apply-colocation-to-weights):
 * mandatory ones restrict, optional ones add the score where the primary is. Returns false
 * when it changed nothing.
 */
export function applyColocation(ws: WorkingSet, dep: Rsc, c: Colocation, nodes: string[]): void {
  const attr = c.nodeAttribute === "#id" ? "#uname" : c.nodeAttribute;
  if (nodes.length === 0 && c.score < 0) return;
  const values = new Set<string | undefined>(nodes.map((n) => attrOf(ws, n, attr)).filter((v) => v !== undefined));
  // Changed nodes, their deltas and new scores; applied in place (same keys, same order) only
  // when the colocation is mandatory or leaves an available node.
  const changedNodes: string[] = [];
  const deltas: number[] = [];
  const updated: number[] = [];
  let available = false;
  for (const [n, s] of dep.allowed) {
    let add = 0;
    if (nodes.length === 0) add = -c.score;
    else if (values.has(attrOf(ws, n, attr))) { if (c.score < INFINITY) add = c.score; }
    else if (c.score >= INFINITY) add = -INFINITY;
    let v = s;
    if (add !== 0) { v = addScores(s, add); changedNodes.push(n); deltas.push(add); updated.push(v); }
    if (!available && v >= 0 && nodeAvailable(ws.nodes.get(n))) available = true;
  }
  if (Math.abs(c.score) >= INFINITY || available) {
    for (let i = 0; i < changedNodes.length; i++) dep.allowed.set(changedNodes[i]!, updated[i]!);
    const source = `colocation ${c.id} with ${c.primary.id}`;
    for (let i = 0; i < changedNodes.length; i++) dep.contributions.push({ node: changedNodes[i]!, score: deltas[i]!, source });
  }
}

const HACK = INFINITY - 1;

function bestMatching(ws: WorkingSet, r: Rsc, attr: string, value: string | undefined): number {
  if (attr === "#uname") {
    if (value === undefined) return -INFINITY;
    const s = r.allowed.get(value);
    return s !== undefined && nodeAvailable(ws.nodes.get(value)) ? Math.max(s, -INFINITY) : -INFINITY;
  }
  let best = -INFINITY;
  for (const [n, s] of r.allowed) {
    if (s > best && nodeAvailable(ws.nodes.get(n)) && attrOf(ws, n, attr) === value) best = s;
  }
  return best;
}

/** Whether any node with a non-negative score in `scores` can run resources. */
export function anyNodeAvailable(ws: WorkingSet, scores: Map<string, number>): boolean {
  return anyAvailable(ws, scores);
}

/**
 * Merge the scores of `r` (and, recursively, of resources colocated with it) into `scores` at
 * `factor` (Pacemaker's add-colocated-node-scores); with `thisWith`, follow the resources `r`
 * is colocated with instead. Rolls back when no node would remain.
 */
export function mergeColocated(ws: WorkingSet, idx: ColocIndex, r: Rsc, scores: Map<string, number>,
  attr: string, factor: number, merging: Set<Rsc> = new Set(), onlyPositive = false, thisWith = false): void {
  if (merging.has(r)) return;
  let src = r;
  if (src.kind === "group") {
    const f = src.members[0];
    if (!f) return;
    src = f;
  }
  merging.add(r);
  const a = attr === "#id" ? "#uname" : attr;
  const work = new Map(scores);
  for (const [n, s] of work) {
    const score = bestMatching(ws, src, a, attrOf(ws, n, a));
    if (factor < 0 && score < 0) continue;
    const wf = factor * score;
    let w = Math.round(wf);
    if (wf < 0 && wf - Math.trunc(wf) === -0.5) w = Math.trunc(wf) - 1;
    if (w === 0 && score !== 0) w = factor > 0 ? 1 : factor < 0 ? -1 : 0;
    const ns = addScores(w, s);
    if (onlyPositive && ns < 0 && s > 0) { work.set(n, HACK); continue; }
    if (onlyPositive && ns < 0 && s === 0) continue;
    work.set(n, ns);
  }
  if (!anyAvailable(ws, work)) { merging.delete(r); return; }
  const mult = factor < 0 ? -1 : 1;
  if (thisWith) {
    for (const c of idx.thisWith.get(src) ?? []) {
      mergeColocated(ws, idx, c.primary, work, c.nodeAttribute, mult * c.score / INFINITY, merging, onlyPositive, true);
    }
  } else {
    const list = r.kind === "group" ? idx.withThis.get(r.members[r.members.length - 1]!) ?? [] : idx.withThis.get(r) ?? [];
    for (const c of list) {
      if (!c.influence) continue;
      mergeColocated(ws, idx, c.dependent, work, c.nodeAttribute, mult * c.score / INFINITY, merging, onlyPositive);
    }
  }
  scores.clear();
  for (const [n, s] of work) scores.set(n, onlyPositive && s === HACK ? 1 : s);
  merging.delete(r);
}
