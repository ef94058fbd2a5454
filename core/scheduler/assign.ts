/**
 * Phase 3b: assign resources to nodes. Resources are taken in Pacemaker's order (priority,
 * then score on the current node, then best score); each one first assigns the resources it
 * must follow ("this with" colocations), applies them, merges the preferences of resources
 * that follow it ("with this"), then picks the best available node (ties: fewer assigned
 * resources, the current node, the lowest name).
 */
import { INFINITY } from "./scores.ts";
import { nodeAvailable } from "./scores_init.ts";
import { applyColocation, indexColocations, mergeColocated, primaryNodes, type ColocIndex } from "./colocation.ts";
import { assignClone } from "./assign_clone.ts";
import { assignmentOrder } from "./assign_order.ts";
import type { Primitive, Rsc, SNode, WorkingSet } from "./_model.ts";

/** State shared by the assignment functions. */
export interface AssignCtx {
  readonly ws: WorkingSet;
  readonly idx: ColocIndex;
  readonly assigning: Set<Rsc>;
  readonly haveStonithDevice: boolean;
}

function fitsCapacity(ws: WorkingSet, p: Primitive, n: SNode): boolean {
  if (ws.options.placementStrategy === "default") return true;
  const util = utilizationOf(ws, p);
  for (const [k, v] of util) {
    if (v <= 0) continue;
    if ((n.capacityLeft.get(k) ?? 0) < v) return false;
  }
  return true;
}

/** A primitive's utilization (numbers). */
export function utilizationOf(ws: WorkingSet, p: Primitive): Map<string, number> {
  const cache = (p as { _util?: Map<string, number> })._util;
  if (cache) return cache;
  const m = new Map<string, number>();
  const tmplId = p.xml.attrs.template;
  const tmpl = tmplId !== undefined ? ws.ids.get(tmplId) : undefined;
  for (const src of [p.xml, tmpl]) {
    if (!src) continue;
    for (const el of src.children) {
      if (el.tag !== "utilization" || !("children" in el)) continue;
      for (const nv of el.children) {
        if (nv.tag !== "nvpair" || !("attrs" in nv) || !nv.attrs.name || m.has(nv.attrs.name)) continue;
        const v = Number.parseInt(nv.attrs.value ?? "0", 10);
        m.set(nv.attrs.name, Number.isNaN(v) ? 0 : v);
      }
    }
  }
  (p as { _util?: Map<string, number> })._util = m;
  return m;
}

function capacityCompare(a: SNode, b: SNode): number {
  let r = 0;
  for (const [k, v] of a.capacityLeft) {
    const w = b.capacityLeft.get(k) ?? 0;
    if (v > w) r--; else if (v < w) r++;
  }
  for (const [k, w] of b.capacityLeft) if (!a.capacityLeft.has(k) && w > 0) r++;
  return r;
}

/** Sort candidate nodes the way Pacemaker does (best first). */
export function sortNodes(ws: WorkingSet, scores: Map<string, number>, current?: string): string[] {
  const names = [...scores.keys()];
  const eff = (n: string): number => (nodeAvailable(ws.nodes.get(n)) ? scores.get(n)! : -INFINITY);
  const strategy = ws.options.placementStrategy;
  return names.sort((x, y) => {
    const a = eff(x), b = eff(y);
    if (a !== b) return b - a;
    const nx = ws.nodes.get(x)!, ny = ws.nodes.get(y)!;
    if (strategy !== "minimal") {
      if (strategy === "balanced") {
        const c = capacityCompare(nx, ny);
        if (c !== 0) return c;
      }
      if (nx.assigned !== ny.assigned) return nx.assigned - ny.assigned;
      if (current !== undefined) {
        if (x === current) return -1;
        if (y === current) return 1;
      }
    }
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * The part of {@link sortNodes}' order that {@link chooseNode} reads, in linear time: the best
 * node, then `current` when its score equals the best node's (so it is in the leading tie).
 * Empty when there are no candidates. Balanced placement (whose capacity comparison need not be
 * transitive) takes the full sort.
 */
function leadingNodes(ws: WorkingSet, scores: Map<string, number>, current?: string): string[] {
  const strategy = ws.options.placementStrategy;
  if (strategy === "balanced") return sortNodes(ws, scores, current);
  const byAssigned = strategy !== "minimal";
  let best: string | undefined;
  let bestEff = 0;
  let bestAssigned = 0;
  let curEff: number | undefined;
  for (const [name, sc] of scores) {
    const node = ws.nodes.get(name);
    const eff = nodeAvailable(node) ? sc : -INFINITY;
    if (name === current) curEff = eff;
    const assigned = node?.assigned ?? 0;
    if (best !== undefined) {
      if (eff < bestEff) continue;
      if (eff === bestEff) {
        if (byAssigned) {
          if (assigned > bestAssigned) continue;
          if (assigned === bestAssigned) {
            if (best === current) continue;
            if (name !== current && name > best) continue;
          }
        } else if (name > best) continue;
      }
    }
    best = name;
    bestEff = eff;
    bestAssigned = assigned;
  }
  if (best === undefined) return [];
  return current !== undefined && current !== best && curEff === bestEff ? [best, current] : [best];
}

function currentNode(p: Primitive): string | undefined {
  for (const n of p.running.keys()) return n;
  return undefined;
}

/** Record an assignment. */
export function finalize(ws: WorkingSet, p: Primitive, node: string | null): void {
  p.assigned = node;
  if (node) {
    const n = ws.nodes.get(node)!;
    n.assigned++;
    for (const [k, v] of utilizationOf(ws, p)) n.capacityLeft.set(k, (n.capacityLeft.get(k) ?? 0) - v);
    if (!p.nextRole || p.nextRole === "Stopped") p.nextRole = "Started";
  } else p.nextRole = "Stopped";
}

/** Undo an assignment (clone instances that did not land on their preferred node). */
export function unassign(ws: WorkingSet, p: Primitive): void {
  if (p.assigned) {
    const n = ws.nodes.get(p.assigned)!;
    n.assigned--;
    for (const [k, v] of utilizationOf(ws, p)) n.capacityLeft.set(k, (n.capacityLeft.get(k) ?? 0) + v);
  }
  delete p.assigned;
  delete p.nextRole;
}

/** Unassigned primitives mandatorily colocated with `p` (both directions), `p` included. */
function colocatedSet(ctx: AssignCtx, p: Primitive): Primitive[] {
  const seen = new Set<Rsc>([p]);
  const queue: Rsc[] = [p];
  const out: Primitive[] = [];
  while (queue.length) {
    const r = queue.shift()!;
    if (r.kind === "primitive") { if (r.assigned === undefined) out.push(r); }
    const next: Rsc[] = [];
    for (const c of ctx.idx.thisWith.get(r) ?? []) if (c.score >= INFINITY) next.push(c.primary);
    for (const c of ctx.idx.withThis.get(r) ?? []) if (c.score >= INFINITY) next.push(c.dependent);
    if (r.kind === "group") next.push(...r.members);
    for (const x of next) if (!seen.has(x) && x.kind !== "clone") { seen.add(x); queue.push(x); }
  }
  return out;
}

function fitsAll(ws: WorkingSet, prims: Primitive[], n: SNode): boolean {
  const need = new Map<string, number>();
  for (const q of prims) for (const [k, v] of utilizationOf(ws, q)) need.set(k, (need.get(k) ?? 0) + v);
  for (const [k, v] of need) if (v > 0 && (n.capacityLeft.get(k) ?? 0) < v) return false;
  return true;
}

function chooseNode(ctx: AssignCtx, p: Primitive, prefer?: string): string | null {
  const ws = ctx.ws;
  // Only a placement strategy rewrites scores here: copy p.allowed just then.
  const scores = ws.options.placementStrategy !== "default" ? new Map(p.allowed) : p.allowed;
  if (ws.options.placementStrategy !== "default") {
    const set = colocatedSet(ctx, p);
    let anyCapable = false;
    let most: SNode | undefined;
    for (const [n, sc] of scores) {
      const nd = ws.nodes.get(n);
      if (!nd || sc < 0 || !nodeAvailable(nd)) continue;
      if (fitsAll(ws, set, nd)) anyCapable = true;
      if (!most || capacityCompare(nd, most) < 0) most = nd;
    }
    for (const [n, sc] of scores) {
      const nd = ws.nodes.get(n);
      if (!nd || sc < 0 || !nodeAvailable(nd)) continue;
      if (anyCapable ? !fitsAll(ws, set, nd) : !fitsCapacity(ws, p, nd)) scores.set(n, -INFINITY);
    }
    if (!anyCapable && prefer === undefined && most) prefer = most.name;
  }
  const cur = currentNode(p);
  const nodes = leadingNodes(ws, scores, cur);
  if (!nodes.length) return null;
  const ok = (n: string | undefined): n is string => n !== undefined && nodeAvailable(ws.nodes.get(n)) && (scores.get(n) ?? -1) >= 0;
  const best = nodes[0]!;
  let chosen: string | undefined;
  if (prefer !== undefined && scores.has(prefer)) {
    if ((scores.get(prefer) ?? -INFINITY) >= (scores.get(best) ?? -INFINITY) && ok(prefer)) chosen = prefer;
  }
  if (chosen === undefined) {
    chosen = best;
    const bw = scores.get(best)!;
    if (!(p.instance !== undefined && p.parent?.kind === "clone" && !p.parent.anonymous) && bw > 0 && ok(best)
      && cur !== undefined && ok(cur)) {
      for (const n of nodes) {
        if (scores.get(n) !== bw) break;
        if (n === cur) chosen = cur;
      }
    }
  }
  return ok(chosen) ? chosen : null;
}

/** Assign one primitive (after its parent and its colocation primaries). */
export function assignPrimitive(ctx: AssignCtx, p: Primitive, prefer?: string): string | null | undefined {
  const ws = ctx.ws;
  if (p.assigned !== undefined) return p.assigned;
  if (ctx.assigning.has(p)) return undefined;
  ctx.assigning.add(p);
  for (const c of ctx.idx.thisWith.get(p) ?? []) {
    assignRsc(ctx, c.primary);
    if (c.dependentRole === "Promoted" || c.dependentRole === "Unpromoted") continue;
    const nodes = primaryNodes(c.primary, c.score, c.primaryRole);
    if (nodes === undefined) continue;
    if (p.bundle?.part === "remote" && nodes.length > 0 && nodes.every((n) => ws.nodes.get(n)?.type !== "cluster")) continue;
    const archive = c.score < 0 && c.score > -INFINITY ? new Map(p.allowed) : undefined;
    applyColocation(ws, p, c, nodes);
    if (archive && ![...p.allowed].some(([n, s]) => s >= 0 && nodeAvailable(ws.nodes.get(n)))) {
      p.allowed.clear();
      for (const [n, s] of archive) p.allowed.set(n, s);
    }
  }
  for (const c of ctx.idx.withThis.get(p) ?? []) {
    if (!c.influence) continue;
    mergeColocated(ws, ctx.idx, c.dependent, p.allowed, c.nodeAttribute, c.score / INFINITY);
  }
  const frozen = !ws.options.haveQuorum && ws.options.noQuorumPolicy === "freeze";
  let node: string | null;
  if (!p.managed || (ws.options.stonithEnabled && !ctx.haveStonithDevice)) {
    if (ws.options.stonithEnabled && !ctx.haveStonithDevice) p.managed = false; // Pacemaker unmanages everything
    node = currentNode(p) ?? null;
    const role = node ? p.running.get(node) : undefined;
    p.nextRole = role ?? "Stopped";
  } else if (p.targetRole === "Stopped" || p.orphan || ws.options.stopAllResources) {
    node = null;
  } else if (frozen && p.running.size > 0 && !frozenMayMove(ws, p)) {
    // no-quorum-policy=freeze: starts are blocked; only a healthy active resource may move
    const cur = currentNode(p);
    node = cur !== undefined && nodeAvailable(ws.nodes.get(cur)) && p.failed.size === 0 ? cur : null;
  } else {
    node = chooseNode(ctx, p, prefer);
  }
  finalize(ws, p, node);
  ctx.assigning.delete(p);
  if (p.remoteNode) {
    const rn = ws.nodes.get(p.remoteNode);
    if (rn) {
      if (node && p.nextRole !== "Stopped") {
        rn.online = true;
        if (!rn.seen || rn.revocable) rn.unclean = false;
      } else rn.shutdown = true;
    }
  }
  return node;
}

/** Whether a resource may be placed freely under no-quorum-policy=freeze (active on a usable node). */
function frozenMayMove(ws: WorkingSet, p: Primitive): boolean {
  const cur = currentNode(p);
  return p.running.size === 1 && cur !== undefined && nodeAvailable(ws.nodes.get(cur)) && p.failed.size === 0;
}

/** Assign any resource (group members in order; clones through assignClone). */
export function assignRsc(ctx: AssignCtx, r: Rsc): void {
  if (r.parent && !ctx.assigning.has(r.parent) && r.parent.assigned === undefined) {
    assignRsc(ctx, r.parent);
    return;
  }
  switch (r.kind) {
    case "primitive": assignPrimitive(ctx, r); break;
    case "group": {
      if (r.assigned !== undefined || ctx.assigning.has(r)) return;
      ctx.assigning.add(r);
      for (const m of r.members) assignRsc(ctx, m);
      const f = r.members[0];
      r.assigned = f && f.kind === "primitive" ? f.assigned ?? null : null;
      ctx.assigning.delete(r);
      break;
    }
    case "clone": assignClone(ctx, r); break;
    default: break;
  }
}

/** Assign every resource of the working set. */
export function assignAll(ws: WorkingSet): ColocIndex {
  const idx = indexColocations(ws);
  const haveStonithDevice = [...ws.byId.values()].some((r) => r.kind === "primitive" && r.cls === "stonith");
  const ctx: AssignCtx = { ws, idx, assigning: new Set(), haveStonithDevice };
  const nodeOrder = ws.options.placementStrategy === "default" ? []
    : sortNodes(ws, new Map([...ws.nodes.keys()].map((n) => [n, 0])));
  const order = assignmentOrder(ws, idx, nodeOrder);
  // Connections first; a partially migrated connection prefers its migration target.
  for (const r of order) if (r.kind === "primitive" && r.remoteNode) assignPrimitive(ctx, r, r.partialMigration?.target);
  for (const r of order) assignRsc(ctx, r);
  return idx;
}
