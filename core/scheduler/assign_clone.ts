/**
 * Phase 3c: clones and promotable clones. Instances are first kept where they run (when that
 * node is still allowed and under clone-node-max), the rest go to the best nodes; then the
 * instances of a promotable clone are ranked by promotion score (node attribute, promoted-role
 * locations and colocations) and the best `promoted-max` are promoted.
 */
import { addScores, INFINITY } from "./scores.ts";
import { nodeAvailable, promotionAttr, promotionApplies } from "./scores_init.ts";
import { applyColocation, mergeColocated, primaryNodes, instanceNode } from "./colocation.ts";
import { assignPrimitive, assignRsc, finalize, unassign, type AssignCtx } from "./assign.ts";
import { primitivesOf, type Clone, type Primitive, type Rsc } from "./_model.ts";
import type { Role } from "./transition.ts";

function firstPrim(i: Rsc): Primitive | undefined {
  if (i.kind === "primitive") return i;
  if (i.kind === "group") return i.members[0] as Primitive | undefined;
  return undefined;
}

function currentOf(i: Rsc): string | undefined {
  const p = firstPrim(i);
  if (!p) return undefined;
  for (const n of p.running.keys()) return n;
  return undefined;
}

function isFailed(i: Rsc): boolean {
  return primitivesOf(i).some((p) => p.failed.size > 0);
}

function assignInstance(ctx: AssignCtx, c: Clone, inst: Rsc, counts: Map<string, number>, limit: number, prefer?: string): string | null {
  const ws = ctx.ws;
  const canRun = (n: string): boolean => {
    if (!nodeAvailable(ws.nodes.get(n)) || inst.orphan) return false;
    const w = c.allowed.get(n);
    if (w === undefined || w < 0) return false;
    return (counts.get(n) ?? 0) < limit;
  };
  if (prefer !== undefined && !canRun(prefer)) return null;
  const prims = primitivesOf(inst);
  const backups = prims.map((p) => new Map(p.allowed));
  for (const p of prims) for (const n of [...p.allowed.keys()]) if (!canRun(n)) p.allowed.set(n, -INFINITY);
  let chosen: string | null | undefined;
  if (inst.kind === "primitive") chosen = assignPrimitive(ctx, inst, prefer);
  else {
    for (const m of prims) assignPrimitive(ctx, m, prefer);
    chosen = prims[0]?.assigned;
  }
  if (chosen && prefer !== undefined && chosen !== prefer) {
    prims.forEach((p, k) => { unassign(ws, p); p.allowed.clear(); for (const [n, s] of backups[k]!) p.allowed.set(n, s); });
    return null;
  }
  if (chosen === undefined || chosen === null) {
    if (prefer !== undefined) {
      prims.forEach((p, k) => { unassign(ws, p); p.allowed.clear(); for (const [n, s] of backups[k]!) p.allowed.set(n, s); });
    }
    return null;
  }
  counts.set(chosen, (counts.get(chosen) ?? 0) + 1);
  return chosen;
}

function applyCloneColocations(ctx: AssignCtx, c: Clone): void {
  const ws = ctx.ws;
  for (const col of ctx.idx.thisWith.get(c) ?? []) {
    assignRsc(ctx, col.primary);
    if (col.dependentRole === "Promoted" || col.dependentRole === "Unpromoted") continue;
    const nodes = primaryNodes(col.primary, col.score, col.primaryRole);
    if (nodes === undefined) continue;
    applyColocation(ws, c, col, nodes);
    for (const inst of c.instances) {
      const p = firstPrim(inst);
      if (p) applyColocation(ws, p, col, nodes);
    }
  }
  for (const col of ctx.idx.withThis.get(c) ?? []) {
    if (!col.influence) continue;
    mergeColocated(ws, ctx.idx, col.dependent, c.allowed, col.nodeAttribute, col.score / INFINITY, new Set(), true);
  }
}

/** Assign a clone's instances, then (promotable) choose roles. */
export function assignClone(ctx: AssignCtx, c: Clone): void {
  const ws = ctx.ws;
  if (c.assigned !== undefined || ctx.assigning.has(c)) return;
  ctx.assigning.add(c);
  applyCloneColocations(ctx, c);
  const counts = new Map<string, number>();
  const nodesAvail = [...c.allowed].filter(([n, s]) => s >= 0 && nodeAvailable(ws.nodes.get(n))).length;
  const max = c.cloneMax;
  let loopMax = nodesAvail > 0 ? Math.max(1, Math.floor(max / nodesAvail)) : 1;
  loopMax = Math.min(loopMax, c.cloneNodeMax);
  const order = c.instances.map((inst, k) => ({ inst, k, cur: currentOf(inst) }))
    .sort((a, b) => (a.cur === undefined ? 1 : 0) - (b.cur === undefined ? 1 : 0) || a.k - b.k)
    .map((x) => x.inst);
  let allocated = 0;
  const done = new Set<Rsc>();
  for (const inst of order) {
    const cur = currentOf(inst);
    if (cur === undefined || isFailed(inst) || inst.orphan) continue;
    if (allocated >= max || (counts.get(cur) ?? 0) >= loopMax) continue;
    const r = assignInstance(ctx, c, inst, counts, c.cloneNodeMax, cur);
    if (r) { allocated++; done.add(inst); }
  }
  for (const inst of order) {
    if (done.has(inst)) continue;
    const prims = primitivesOf(inst);
    if (prims.every((p) => p.assigned !== undefined)) continue;
    if (allocated >= max || inst.orphan) {
      for (const p of prims) if (p.assigned === undefined) finalize(ws, p, null);
      continue;
    }
    const r = assignInstance(ctx, c, inst, counts, c.cloneNodeMax);
    if (r) allocated++;
    else for (const p of prims) if (p.assigned === undefined) finalize(ws, p, null);
  }
  c.assigned = null;
  if (c.promotable) setRoles(ctx, c);
  else for (const inst of c.instances) for (const p of primitivesOf(inst)) if (p.assigned) p.nextRole = "Started";
  ctx.assigning.delete(c);
}

function setRoles(ctx: AssignCtx, c: Clone): void {
  const ws = ctx.ws;
  const ranked: Array<{ inst: Rsc; node: string; score: number; wasPromoted: boolean; k: number }> = [];
  c.instances.forEach((inst, k) => {
    const prims = primitivesOf(inst);
    const node = instanceNode(inst);
    for (const p of prims) if (p.assigned) p.nextRole = "Unpromoted";
    if (!node) return;
    let score = 0, any = false;
    if (promotionApplies(c, inst, node)) {
      for (const p of prims) {
        const v = promotionAttr(ws, p, node);
        if (v !== undefined) { any = true; score += v; }
      }
    }
    if (!any) score = -1;
    // The clone's own score on the node (its location constraints) adds to a usable promotion score.
    const cs = c.allowed.get(node);
    if (score >= 0 && cs !== undefined && cs !== 0) score = addScores(score, cs);
    if (!prims.every((p) => p.managed) && prims.some((p) => p.running.get(node) === "Promoted")) score = INFINITY;
    for (const loc of ws.locations) {
      if (loc.role !== "Promoted" || loc.node !== node) continue;
      if (loc.rsc === c || loc.rsc === inst || (loc.rsc.kind === "clone" && loc.rsc.bundleChild === c)) score = addScores(score, loc.score);
    }
    for (const col of ctx.idx.thisWith.get(c) ?? []) {
      if (col.dependentRole === "Unpromoted") {
        // Being where the primary is counts against promotion (Pacemaker's apply-coloc-to-priority).
        const nodes = primaryNodes(col.primary, col.score, col.primaryRole) ?? [];
        if (nodes.includes(node)) score = addScores(score, -col.score);
        continue;
      }
      if (col.dependentRole !== "Promoted") continue;
      const nodes = primaryNodes(col.primary, col.score, col.primaryRole) ?? [];
      if (nodes.includes(node)) score = addScores(score, col.score);
      else if (col.score >= INFINITY) score = -INFINITY;
    }
    for (const col of ctx.idx.withThis.get(c) ?? []) {
      if (col.primaryRole !== "Promoted" || !col.influence) continue;
      const dep = col.dependent.kind === "group" ? col.dependent.members[0] : col.dependent;
      const ds = dep?.allowed.get(node);
      if (ds !== undefined && ds !== 0) score = addScores(score, Math.round(ds * col.score / INFINITY));
    }
    const wasPromoted = prims.some((p) => p.running.get(node) === "Promoted");
    ranked.push({ inst, node, score, wasPromoted, k });
  });
  ranked.sort((a, b) => b.score - a.score || Number(b.wasPromoted) - Number(a.wasPromoted) || a.k - b.k);
  const perNode = new Map<string, number>();
  let promoted = 0;
  const noPromote = (c as { noPromote?: boolean }).noPromote === true || c.targetRole === "Unpromoted" || c.targetRole === "Started" && c.meta.get("target-role")?.toLowerCase() === "slave"
    || (!ws.options.haveQuorum && (ws.options.noQuorumPolicy === "demote" || ws.options.noQuorumPolicy === "freeze"));
  for (const r of ranked) {
    const prims = primitivesOf(r.inst);
    const managed = prims.every((p) => p.managed);
    if (!managed) {
      if (r.wasPromoted) {
        // An unmanaged instance stays promoted and takes one of the promoted slots.
        for (const p of prims) p.nextRole = "Promoted";
        promoted++;
        perNode.set(r.node, (perNode.get(r.node) ?? 0) + 1);
      }
      continue;
    }
    if (noPromote || r.score < 0 || promoted >= c.promotedMax) continue;
    // A cloned group is promoted only when every member will be active.
    if (prims.some((p) => !p.assigned)) continue;
    if ((perNode.get(r.node) ?? 0) >= c.promotedNodeMax) continue;
    if (prims.some((p) => p.targetRole === "Unpromoted")) continue;
    perNode.set(r.node, (perNode.get(r.node) ?? 0) + 1);
    promoted++;
    for (const p of prims) p.nextRole = "Promoted" as Role;
  }
}
