/**
 * Phase 7: the transition graph. Turns the plans into numbered actions (fencing, demote, stop,
 * start, promote, recurring monitors) with their ordering inputs: a resource's own sequence
 * (demote -> stop -> start -> promote -> monitor), fencing before the stops it implies, and
 * mandatory orderings between resources (starts in order, stops in reverse when symmetrical).
 */
import { primitivesOf, type Primitive, type WorkingSet } from "./_model.ts";
import type { Plan } from "./_plan.ts";
import type { ActionKind, TransitionAction } from "./transition.ts";
import { parseIntervalMs } from "./_rules.ts";
import { activeAfter } from "./actions.ts";

interface Draft {
  id: number;
  kind: ActionKind;
  key: string;
  resource?: string;
  node?: string;
  interval: number;
  timeout: number;
  fenceOp?: "reboot" | "off" | "on";
  inputs: Set<number>;
  runnable: boolean;
}

function opTimeout(ws: WorkingSet, p: Primitive, name: string, interval: number): number {
  for (const c of p.xml.children) {
    if (c.tag !== "operations" || !("children" in c)) continue;
    for (const o of c.children) {
      if (o.tag !== "op" || !("attrs" in o)) continue;
      if (o.attrs.name === name && parseIntervalMs(o.attrs.interval, 0) === interval && o.attrs.timeout) {
        return parseIntervalMs(o.attrs.timeout, 20000);
      }
    }
  }
  return parseIntervalMs(ws.opDefaults.get("timeout"), 20000);
}

/** Build the action list. */
export function buildGraph(ws: WorkingSet, plans: Map<Primitive, Plan>): TransitionAction[] {
  const drafts: Draft[] = [];
  const fenceOf = new Map<string, Draft>();
  const byRsc = new Map<Primitive, { stops: Draft[]; start?: Draft; promote?: Draft; demote?: Draft }>();
  const add = (d: Omit<Draft, "id" | "inputs">): Draft => {
    const x: Draft = { ...d, id: drafts.length, inputs: new Set() };
    drafts.push(x);
    return x;
  };
  for (const n of ws.nodes.values()) {
    if (!n.fence) continue;
    fenceOf.set(n.name, add({ kind: "fence", key: `stonith-${n.name}-${n.fence}`, node: n.name, interval: 0, timeout: 60000, fenceOp: n.fence, runnable: true }));
  }
  for (const pl of plans.values()) {
    const p = pl.p;
    if (!p.managed) continue;
    const rec: { stops: Draft[]; start?: Draft; promote?: Draft; demote?: Draft } = { stops: [] };
    byRsc.set(p, rec);
    if (pl.demote && pl.cur) {
      rec.demote = add({ kind: "demote", key: `${p.id}_demote_0`, resource: p.id, node: pl.cur, interval: 0, timeout: opTimeout(ws, p, "demote", 0), runnable: true });
    }
    for (const [n, s] of pl.stops) {
      const kind: ActionKind = s.pseudo ? "pseudo" : "stop";
      const d = add({ kind, key: `${p.id}_stop_0`, resource: p.id, node: n, interval: 0, timeout: opTimeout(ws, p, "stop", 0), runnable: s.runnable });
      const f = fenceOf.get(n);
      if (f) d.inputs.add(f.id);
      if (rec.demote) d.inputs.add(rec.demote.id);
      rec.stops.push(d);
    }
    if (pl.start && pl.next) {
      const d = add({ kind: "start", key: `${p.id}_start_0`, resource: p.id, node: pl.next, interval: 0, timeout: opTimeout(ws, p, "start", 0), runnable: pl.startRunnable });
      for (const s of rec.stops) d.inputs.add(s.id);
      const unfence = ws.nodes.get(pl.next)?.fence === "on" ? fenceOf.get(pl.next) : undefined;
      if (unfence) d.inputs.add(unfence.id); // start after unfencing its node
      rec.start = d;
    }
    if (pl.promote && pl.next) {
      const d = add({ kind: "promote", key: `${p.id}_promote_0`, resource: p.id, node: pl.next, interval: 0, timeout: opTimeout(ws, p, "promote", 0), runnable: pl.startRunnable || !pl.start });
      if (rec.start) d.inputs.add(rec.start.id);
      rec.promote = d;
    }
    if (pl.next && (rec.start || rec.promote) && activeAfter(pl)) {
      for (const o of p.ops) {
        if (o.name !== "monitor" || o.interval <= 0 || !o.enabled) continue;
        const role = (o.role ?? "").toLowerCase();
        const want = pl.nextRole === "Promoted" ? (role === "master" || role === "promoted") : !(role === "master" || role === "promoted");
        if (!want) continue;
        const d = add({ kind: "monitor", key: `${p.id}_monitor_${o.interval}`, resource: p.id, node: pl.next, interval: o.interval, timeout: opTimeout(ws, p, "monitor", o.interval), runnable: true });
        const before = rec.promote ?? rec.start;
        if (before) d.inputs.add(before.id);
      }
    }
  }
  for (const o of ws.orderings) {
    for (const fp of primitivesOf(o.first)) for (const tp of primitivesOf(o.then)) {
      const f = byRsc.get(fp), t = byRsc.get(tp);
      if (!f || !t) continue;
      if (o.firstAction === "start" && t.start && f.start) t.start.inputs.add(f.start.id);
      if (o.firstAction === "promote" && t.start && f.promote) t.start.inputs.add(f.promote.id);
      if (o.symmetrical) for (const fs of f.stops) for (const ts of t.stops) fs.inputs.add(ts.id);
    }
  }
  return drafts.map((d) => ({
    id: d.id, kind: d.kind, key: d.key,
    ...(d.resource !== undefined ? { resource: d.resource } : {}),
    ...(d.node !== undefined ? { node: d.node } : {}),
    interval: d.interval, timeout: d.timeout,
    ...(d.fenceOp ? { fenceOp: d.fenceOp } : {}),
    inputs: [...d.inputs].sort((a, b) => a - b),
    runnable: d.runnable,
  }));
}
