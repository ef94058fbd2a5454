/**
 * Phase 5: orderings and their consequences on the plan. Mandatory orderings (user constraints,
 * sets, group internals) make a restart of the first resource restart the then resource, and
 * make the then resource's start impossible when the first cannot start; mandatory colocations
 * block a dependent's start when its primary will not be active with it. Iterates to a fixed
 * point.
 */
import { INFINITY } from "./scores.ts";
import { primitivesOf, type Primitive, type Rsc, type WorkingSet } from "./_model.ts";
import type { ColocIndex } from "./colocation.ts";
import type { Plan } from "./_plan.ts";
import { activeAfter } from "./actions.ts";
import { restartResidentsOfStoppingConnections } from "./remote_ordering.ts";

interface Edge {
  readonly first: Rsc;
  readonly fa: string;
  readonly then: Rsc;
  readonly ta: string;
  readonly symmetrical: boolean;
  readonly alternatives?: readonly Rsc[];
  readonly anyInstance?: boolean;
  readonly id: string;
}

function edges(ws: WorkingSet): Edge[] {
  const out: Edge[] = [];
  for (const r of ws.byId.values()) {
    if (r.kind !== "group") continue;
    for (let i = 1; i < r.members.length; i++) {
      out.push({ first: r.members[i - 1]!, fa: "start", then: r.members[i]!, ta: "start", symmetrical: true, id: `${r.id}-internal` });
    }
  }
  for (const o of ws.orderings) {
    if (o.kind !== "Mandatory") continue;
    out.push({ first: o.first, fa: o.firstAction, then: o.then, ta: o.thenAction, symmetrical: o.symmetrical, id: o.id,
      ...(o.anyInstance ? { anyInstance: true } : {}),
      ...(o.alternatives ? { alternatives: o.alternatives } : {}) });
  }
  return out;
}

/** Will `r` be able to reach the state `action` asks for (start/promote) after the transition? */
function runnableAfter(r0: Rsc, action: string, plans: Map<Primitive, Plan>): boolean {
  const r = r0.kind === "clone" && r0.bundleChild ? r0.bundleChild : r0;
  const prims = primitivesOf(r);
  const ok = (p: Primitive): boolean => {
    if ((p as { failBlocked?: boolean }).failBlocked) return false;
    const pl = plans.get(p);
    if (!pl || !activeAfter(pl)) return false;
    if (action === "promote") return pl.nextRole === "Promoted";
    return true;
  };
  if (r.kind === "clone") {
    const min = Number.parseInt(r.meta.get("clone-min") ?? "1", 10) || 1;
    let n = 0;
    for (const i of r.instances) if (primitivesOf(i).every(ok) && primitivesOf(i).length > 0) n++;
    return n >= Math.max(1, min);
  }
  if (r.kind === "group") return prims.length > 0 && prims.every(ok);
  return prims.length > 0 && prims.every(ok);
}

function startRequired(r: Rsc, action: string, plans: Map<Primitive, Plan>): boolean {
  return primitivesOf(r).some((p) => {
    const pl = plans.get(p);
    if (!pl) return false;
    if (action === "promote") return pl.promote;
    return pl.start && pl.startRunnable;
  });
}

function stopRequired(r: Rsc, action: string, plans: Map<Primitive, Plan>): boolean {
  return primitivesOf(r).some((p) => {
    const pl = plans.get(p);
    if (!pl) return false;
    if (action === "demote") return pl.demote;
    return [...pl.stops.values()].some((s) => !s.pseudo || true);
  });
}

function restart(ws: WorkingSet, pl: Plan): boolean {
  const p = pl.p;
  if (!p.managed || !pl.next || !p.running.has(pl.next) || pl.stops.has(pl.next)) return false;
  const node = ws.nodes.get(pl.next);
  pl.stops.set(pl.next, { runnable: node !== undefined && node.online && !p.blockedOn.has(pl.next), pseudo: false });
  pl.start = true;
  pl.migrate = false;
  if (pl.nextRole === "Promoted") pl.promote = true;
  if (pl.curRole === "Promoted") pl.demote = true;
  return true;
}

function stopAll(ws: WorkingSet, pl: Plan): boolean {
  const p = pl.p;
  if (!p.managed) return false;
  let changed = false;
  for (const n of p.running.keys()) {
    if (pl.stops.has(n)) continue;
    const node = ws.nodes.get(n);
    pl.stops.set(n, { runnable: node !== undefined && node.online && !p.blockedOn.has(n), pseudo: false });
    if (n === pl.next) { pl.start = true; if (pl.nextRole === "Promoted") pl.promote = true; }
    changed = true;
  }
  if (changed) pl.migrate = false;
  return changed;
}

/** Restarts and stops flowing from one clone to another (per node when interleaved). */
function cloneToClone(ws: WorkingSet, e: Edge, plans: Map<Primitive, Plan>): boolean {
  const then = e.then as Rsc & { kind: "clone" };
  let changed = false;
  if (!then.interleave) return false;
  const firstPlans = primitivesOf(e.first).map((p) => plans.get(p)).filter((x): x is Plan => x !== undefined);
  for (const tp of primitivesOf(then)) {
    const pl = plans.get(tp);
    if (!pl || !pl.next || !tp.running.has(pl.next)) continue;
    const node = pl.next;
    const relevant = firstPlans.filter((f) => f.next === node || f.p.running.has(node));
    const restarting = relevant.some((f) => f.next === node && f.start && f.startRunnable && f.stops.has(node));
    if (restarting && restart(ws, pl)) changed = true;
    if (e.symmetrical && relevant.some((f) => f.stops.has(node) && f.next !== node) && stopAll(ws, pl)) changed = true;
  }
  return changed;
}

function block(pl: Plan, why: string): boolean {
  if (!pl.start || !pl.startRunnable) return false;
  pl.startRunnable = false;
  pl.blockedBy = why;
  pl.migrate = false;
  return true;
}

function activeNodesAfter(r: Rsc, score: number, role: string | undefined, plans: Map<Primitive, Plan>): Set<string> {
  const out = new Set<string>();
  let prims = primitivesOf(r);
  if (r.kind === "group") {
    const m = score >= INFINITY ? r.members[r.members.length - 1] : r.members[0];
    prims = m ? primitivesOf(m) : [];
  }
  for (const p of prims) {
    const pl = plans.get(p);
    if (!pl) continue;
    if (activeAfter(pl) && pl.next && (!role || pl.nextRole === role)) out.add(pl.next);
    if (!p.managed) for (const n of p.running.keys()) out.add(n);
  }
  return out;
}

/** Apply orderings and mandatory colocations to the plans until nothing changes. */
export function applyOrderings(ws: WorkingSet, plans: Map<Primitive, Plan>, idx: ColocIndex): void {
  const es = edges(ws);
  const colocs = [...idx.thisWith.values()].flat().filter((c) => c.score >= INFINITY && !c.dependentRole);
  for (let round = 0; round < 50; round++) {
    let changed = false;
    for (const e of es) {
      const isStartLike = (a: string): boolean => a === "start" || a === "promote";
      const thenPrims = primitivesOf(e.then);
      const cloneInvolved = e.first.kind === "clone" || e.then.kind === "clone";
      if (!cloneInvolved && isStartLike(e.fa) && e.ta === "start" && startRequired(e.first, e.fa, plans)) {
        for (const tp of thenPrims) {
          const pl = plans.get(tp);
          if (!pl) continue;
          if (restart(ws, pl)) changed = true;
          if (pl.migrate && primitivesOf(e.first).some((f) => { const fp = plans.get(f); return fp !== undefined && fp.start && !fp.migrate; })) { pl.migrate = false; changed = true; }
        }
      }
      if (!cloneInvolved && e.symmetrical && e.fa === "start" && e.ta === "start" && stopRequired(e.first, "stop", plans)) {
        for (const tp of thenPrims) { const pl = plans.get(tp); if (pl && stopAll(ws, pl)) changed = true; }
      }
      if (e.first.kind === "clone" && e.then.kind === "clone" && e.fa === "start" && e.ta === "start" && !e.anyInstance) {
        if (cloneToClone(ws, e, plans)) changed = true;
      }
      if (isStartLike(e.ta) || e.ta === "start") {
        if (!isStartLike(e.fa)) continue;
        const firsts = e.alternatives ?? [e.first];
        if (firsts.some((f) => runnableAfter(f, e.fa, plans))) continue;
        for (const tp of thenPrims) {
          const pl = plans.get(tp);
          if (!pl) continue;
          if (e.ta === "promote") { if (pl.promote) { pl.promote = false; pl.nextRole = pl.start ? "Unpromoted" : pl.curRole === "Promoted" ? "Unpromoted" : pl.nextRole; changed = true; } continue; }
          if (pl.start) { if (block(pl, e.first.id)) changed = true; }
          else if (e.ta === "start" && e.symmetrical && activeAfter(pl) && pl.p.managed) {
            stopAll(ws, pl);
            pl.start = pl.next !== null;
            if (block(pl, e.first.id)) changed = true;
          }
        }
      }
    }
    for (const c of colocs) {
      const depPrims = primitivesOf(c.dependent);
      const targets = c.dependent.kind === "group" ? depPrims.slice(0, 1) : depPrims;
      const nodes = activeNodesAfter(c.primary, c.score, c.primaryRole, plans);
      for (const dp of targets) {
        const pl = plans.get(dp);
        if (!pl || !pl.next || !pl.start || !pl.startRunnable) continue;
        if (c.nodeAttribute !== "#uname" && c.nodeAttribute !== "#id") continue;
        if (dp.bundle?.part === "remote" && [...nodes].every((n) => ws.nodes.get(n)?.type !== "cluster")) continue;
        if (!nodes.has(pl.next) && block(pl, c.primary.id)) changed = true;
      }
    }
    // A symmetrical ordering stops the then-resource first: when it is blocked (failed with
    // on-fail=block) and still active, the first resource cannot stop either.
    for (const e of es) {
      if (!e.symmetrical || e.fa !== "start" || e.ta !== "start") continue;
      const stuck = primitivesOf(e.then).some((p) => (p as { failBlocked?: boolean }).failBlocked && p.running.size > 0);
      if (!stuck) continue;
      for (const fp of primitivesOf(e.first)) {
        const pl = plans.get(fp);
        if (!pl) continue;
        for (const [n, st] of pl.stops) if (st.runnable && !st.pseudo) { pl.stops.set(n, { runnable: false, pseudo: false }); changed = true; }
        if (pl.start && pl.startRunnable && pl.stops.size > 0 && block(pl, e.then.id)) changed = true;
      }
    }
    // Resources on a remote or guest node need its connection.
    for (const pl of plans.values()) {
      if (!pl.next || !pl.start || !pl.startRunnable) continue;
      const node = ws.nodes.get(pl.next);
      if (!node || node.type === "cluster" || !node.remoteRsc) continue;
      const conn = ws.byId.get(node.remoteRsc);
      const cpl = conn && conn.kind === "primitive" ? plans.get(conn) : undefined;
      if (cpl && !activeAfter(cpl) && block(pl, conn!.id)) changed = true;
    }
    if (restartResidentsOfStoppingConnections(ws, plans)) changed = true;
    if (!changed) break;
  }
  for (const pl of plans.values()) {
    if (pl.promote && (!activeAfter(pl))) pl.promote = false;
  }
}
