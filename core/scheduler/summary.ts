/**
 * Phase 6: the Transition Summary (Pacemaker's rsc-action lines and fencing lines), the final
 * placement after a fully successful transition, and node states, in the conformance format
 * (clone instance numbers dropped, groups flattened).
 */
import { cloneOf, type Primitive, type WorkingSet } from "./_model.ts";
import type { Plan } from "./_plan.ts";
import type { NodeSummary, Placement, Role, SummaryEntry } from "./transition.ts";
import { activeAfter } from "./actions.ts";
import { keptOnFencedGuest } from "./remote_container.ts";

/** Conformance key of a primitive: its id without a clone instance number. */
export function rscKey(p: Primitive): string {
  if (p.bundle) {
    switch (p.bundle.part) {
      case "container": return p.bundle.id;
      case "ip": return `${p.bundle.id}#ip`;
      case "remote": return `${p.bundle.id}#remote`;
      default: break;
    }
  }
  return p.instance !== undefined || cloneOf(p) ? p.id.replace(/:\d+$/, "") : p.id;
}

/** Bundle guest node -> the cluster node hosting its container, before and after. */
export interface HostMaps { readonly before: Map<string, string | null>; readonly after: Map<string, string | null> }

/** Build the bundle-node translation tables. */
export function bundleHosts(ws: WorkingSet, plans: Map<Primitive, Plan>): HostMaps {
  const before = new Map<string, string | null>(), after = new Map<string, string | null>();
  for (const n of ws.nodes.values()) {
    if (!n.bundleNode || !n.containerRsc) continue;
    const c = ws.byId.get(n.containerRsc);
    if (!c || c.kind !== "primitive") continue;
    before.set(n.name, [...c.running.keys()][0] ?? null);
    const pl = plans.get(c);
    after.set(n.name, pl && pl.next && activeAfter(pl) ? pl.next : [...c.running.keys()].find((h) => !pl?.stops.get(h)?.runnable) ?? null);
  }
  return { before, after };
}

function mapNode(n: string | null, primary: Map<string, string | null>, secondary: Map<string, string | null>): string | null {
  if (n === null) return null;
  if (primary.has(n) && primary.get(n)) return primary.get(n)!;
  if (secondary.has(n) && secondary.get(n)) return secondary.get(n)!;
  return n;
}

/** Translate bundle guest nodes in summary entries to their hosts. */
export function translateSummary(e: RscEntry, hosts: HostMaps): RscEntry {
  if (!hosts.before.size) return e;
  return { ...e, from: mapNode(e.from, hosts.before, hosts.after), to: mapNode(e.to, hosts.after, hosts.before) };
}

type RscEntry = Extract<SummaryEntry, { resource: string }>;

function rank(r: Role): number {
  return r === "Stopped" ? 1 : r === "Started" ? 2 : r === "Unpromoted" ? 3 : 4;
}

function item(action: RscEntry["action"], pl: Plan, from: string | null, to: string | null, blocked: boolean): RscEntry {
  const needRole = rank(pl.curRole) > 2 || rank(pl.nextRole) > 3;
  const sameHost = from !== null && to !== null && from === to;
  const sameRole = pl.curRole === pl.nextRole;
  const e: { -readonly [K in keyof RscEntry]: RscEntry[K] } = { action, resource: rscKey(pl.p), from, to };
  if (needRole) {
    if (from === null) { e.role = pl.curRole; e.next_role = pl.nextRole; }
    else if (to === null) e.role = pl.curRole;
    else if (sameRole) e.role = pl.curRole;
    else if (sameHost) { e.role = pl.curRole; e.next_role = pl.nextRole; }
    else { e.role = pl.curRole; e.next_role = pl.nextRole; }
  }
  if (blocked) e.blocked = true;
  return e;
}

/** Summary lines of one primitive. */
export function summarize(pl: Plan): RscEntry[] {
  const p = pl.p;
  const cur = pl.cur ?? null;
  const next = pl.next;
  if (!p.managed || (cur === null && next === null)) return [];
  const moving = cur !== null && next !== null && cur !== next;
  const stopAt = (n: string | null): boolean => (n !== null ? pl.stops.get(n)?.runnable ?? true : true);
  if (pl.curRole === pl.nextRole) {
    if (next === null) return [];
    if (pl.migrate && pl.start && pl.startRunnable && cur !== null) return [item("migrate", pl, cur, next, false)];
    if (pl.reload) return [item("reload", pl, cur, next, false)];
    if (!pl.start) return pl.demote && pl.promote ? [item("re-promote", pl, cur, next, false)] : [];
    if (!pl.startRunnable) return cur !== null ? [item("stop", pl, cur, null, !stopAt(cur))] : [];
    if (moving) return [item(pl.failed ? "recover" : "move", pl, cur, next, !stopAt(cur))];
    if (pl.failed) return [item("recover", pl, cur, cur, !stopAt(cur))];
    return [item("restart", pl, cur, cur, !pl.startRunnable)];
  }
  if (pl.stops.size > 0 && (pl.nextRole === "Stopped" || (pl.start && !pl.startRunnable))) {
    const out: RscEntry[] = [];
    for (const n of p.running.keys()) {
      const s = pl.stops.get(n);
      out.push(item("stop", pl, n, null, s ? !s.runnable : !pl.startRunnable));
    }
    return out;
  }
  if (pl.stops.size > 0 && pl.failed) return [item("recover", pl, cur, next, !stopAt(cur))];
  if (moving) return [item("move", pl, cur, next, !stopAt(cur))];
  if (pl.reload) return [item("reload", pl, cur, next, false)];
  if (pl.stops.size > 0 && cur !== null && pl.stops.has(cur)) return [item("restart", pl, cur, next, !pl.startRunnable)];
  if (pl.curRole === "Promoted" && cur !== null) return [item("demote", pl, cur, next, false)];
  if (pl.nextRole === "Promoted") return [item("promote", pl, cur, next, !(pl.startRunnable || !pl.start))];
  if (pl.curRole === "Stopped" && next !== null) return [item("start", pl, cur, next, pl.start && !pl.startRunnable)];
  return [];
}

/** Where each primitive is active after the transition (conformance keys). */
export function finalPlacement(ws: WorkingSet, plans: Map<Primitive, Plan>, hosts?: HostMaps): Record<string, Placement[]> {
  const out: Record<string, Placement[]> = {};
  for (const pl of plans.values()) {
    const p = pl.p;
    if (p.bundle && (p.bundle.part === "ip" || p.bundle.part === "remote")) continue;
    const key = rscKey(p);
    const list = out[key] ?? (out[key] = []);
    if (!p.managed) {
      for (const [n, r] of p.running) list.push({ node: n, role: shownRole(p, r) });
      continue;
    }
    for (const [n, r] of p.running) {
      const s = pl.stops.get(n);
      if (s && s.runnable && !keptOnFencedGuest(ws, p, n, s.pseudo, n === pl.next && activeAfter(pl))) continue;
      if (n === pl.next && !s) continue; // handled below
      list.push({ node: n, role: shownRole(p, r) });
    }
    if (pl.next && activeAfter(pl)) {
      let role: Role = pl.nextRole;
      if (role === "Promoted" && !pl.promote && pl.curRole !== "Promoted") role = "Unpromoted";
      list.push({ node: pl.next, role: shownRole(p, role) });
    }
    if (p.orphan && list.length === 0) delete out[key];
  }
  if (hosts) {
    for (const list of Object.values(out)) {
      for (let i = 0; i < list.length; i++) {
        const pl = list[i]!;
        const h = hosts.after.get(pl.node);
        if (h) list[i] = { node: h, role: pl.role };
      }
    }
  }
  for (const k of Object.keys(out)) out[k]!.sort((a, b) => (a.node + "\0" + a.role < b.node + "\0" + b.role ? -1 : a.node + "\0" + a.role > b.node + "\0" + b.role ? 1 : 0));
  void ws;
  return out;
}

function shownRole(p: Primitive, r: Role): Role {
  if (p.bundle?.part === "container") return "Started";
  const promotable = cloneOf(p)?.promotable ?? false;
  if (promotable) return r === "Started" ? "Unpromoted" : r;
  return r === "Unpromoted" ? "Started" : r;
}

/** Current placement (before the transition), conformance keys. */
export function currentPlacement(plans: Map<Primitive, Plan>): Record<string, Placement[]> {
  const out: Record<string, Placement[]> = {};
  for (const pl of plans.values()) {
    const list = out[rscKey(pl.p)] ?? (out[rscKey(pl.p)] = []);
    for (const [n, r] of pl.p.running) list.push({ node: n, role: shownRole(pl.p, r) });
  }
  return out;
}

/** Node kinds and states; `after` applies this transition's fencing. */
export function nodeSummaries(ws: WorkingSet, after: boolean): Record<string, NodeSummary> {
  const out: Record<string, NodeSummary> = {};
  for (const n of [...ws.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    let unclean = n.unclean, online = n.online;
    if (after && n.fence && n.fence !== "on") { unclean = false; online = n.fence !== "off" && false; }
    const state: NodeSummary["state"] = unclean ? "unclean" : !online ? "offline" : n.pending ? "pending"
      : n.maintenance ? "maintenance" : n.standby ? "standby" : "online";
    out[n.name] = { type: n.type, state };
  }
  return out;
}
