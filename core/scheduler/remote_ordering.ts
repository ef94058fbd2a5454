/**
 * Orderings between a remote or guest node's connection resource and the resources active on
 * that node (Pacemaker 2.1.5's apply_remote_ordering, as far as the plan is concerned): while
 * the connection is alive, a resource there must stop before the connection stops, so a
 * connection that really stops (moves, restarts or stops, without live migration) takes every
 * resource on its node down with it; those still placed there start again afterwards.
 * Internal to core/scheduler/.
 */
import type { Primitive, WorkingSet } from "./_model.ts";
import type { Plan } from "./_plan.ts";
import type { NodeSummary } from "./transition.ts";
import { activeAfter } from "./actions.ts";
import { plansByRunningNode } from "./_index_plans.ts";

/** Stop (and restart in place) the residents of nodes whose connection stops. True if changed. */
export function restartResidentsOfStoppingConnections(ws: WorkingSet, plans: Map<Primitive, Plan>): boolean {
  let changed = false;
  let residents: Map<string, Plan[]> | undefined;
  for (const n of ws.nodes.values()) {
    if (n.type === "cluster" || !n.remoteRsc || n.bundleNode || !n.online) continue;
    const conn = ws.byId.get(n.remoteRsc);
    const cpl = conn && conn.kind === "primitive" ? plans.get(conn) : undefined;
    if (!cpl || cpl.migrate || !cpl.p.managed) continue;
    const connStops = [...cpl.stops.values()].some((s) => s.runnable && !s.pseudo);
    if (!connStops) continue;
    residents ??= plansByRunningNode(plans);
    for (const pl of residents.get(n.name) ?? []) {
      const p = pl.p;
      if (!p.managed || !p.running.has(n.name) || pl.stops.has(n.name)) continue;
      pl.stops.set(n.name, { runnable: true, pseudo: false });
      if (pl.next === n.name) {
        pl.start = true;
        if (pl.nextRole === "Promoted") pl.promote = true;
      }
      if (pl.curRole === "Promoted") pl.demote = true;
      pl.migrate = false;
      changed = true;
    }
  }
  return changed;
}

/**
 * Remote and guest node states after the transition: a node is up when its connection (and,
 * for a guest, its container) is active afterwards, whatever fencing happened on the way
 * (guest "fencing" is a container recovery). Cluster nodes and bundle replica nodes are
 * returned unchanged.
 */
export function remoteNodesAfter(ws: WorkingSet, plans: Map<Primitive, Plan>,
  nodes: Record<string, NodeSummary>): Record<string, NodeSummary> {
  const up = (id: string | undefined): boolean => {
    const r = id ? ws.byId.get(id) : undefined;
    if (!r || r.kind !== "primitive") return false;
    if (!r.managed) return r.running.size > 0;
    const pl = plans.get(r);
    return pl !== undefined && activeAfter(pl);
  };
  const out: Record<string, NodeSummary> = { ...nodes };
  for (const n of ws.nodes.values()) {
    const cur = out[n.name];
    if (!cur || n.type === "cluster" || n.bundleNode) continue;
    const alive = up(n.remoteRsc) && (n.type !== "guest" || up(n.containerRsc));
    let state: NodeSummary["state"];
    if (!alive) state = n.unclean && !n.fence ? "unclean" : "offline";
    else state = n.maintenance ? "maintenance" : n.standby ? "standby" : "online";
    out[n.name] = { type: cur.type, state };
  }
  return out;
}
