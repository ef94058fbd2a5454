/**
 * Unfencing. When a fence device is configured with `provides=unfencing`, Pacemaker 2.1.5
 * unfences ("Fence (on)") every online, clean cluster node that has not been unfenced yet
 * (node attribute `#node-unfenced`) before it probes or starts there a fence device or a
 * resource that requires unfencing (the default `requires` of every other resource then).
 */
import type { Primitive, SNode, WorkingSet } from "./_model.ts";
import type { Plan } from "./_plan.ts";
import { discoveryOff } from "./remote_discovery.ts";

function unfencingEnabled(ws: WorkingSet): boolean {
  for (const r of ws.byId.values()) {
    if (r.kind === "primitive" && r.cls === "stonith" && (r.meta.get("provides") ?? "").toLowerCase() === "unfencing") return true;
  }
  return false;
}

function needsUnfencing(p: Primitive): boolean {
  if (p.cls === "stonith") return true;
  const req = (p.meta.get("requires") ?? "unfencing").toLowerCase();
  return req === "unfencing";
}

function unfenced(n: SNode): boolean {
  const v = n.attrs.get("#node-unfenced");
  return v !== undefined && v !== "" && v !== "0";
}


/** Whether `p` will be probed on `n` (its state there is unknown). */
function probedThere(ws: WorkingSet, p: Primitive, n: SNode): boolean {
  if (p.orphan || (p.container && !p.remoteNode) || p.bundle) return false;
  if (p.probed.has(n.name) || p.running.has(n.name) || p.failed.has(n.name)) return false;
  return !discoveryOff(ws, p, n.name);
}

/** Mark the nodes that need unfencing (`fence = "on"`), after the actions are planned. */
export function scheduleUnfencing(ws: WorkingSet, plans: ReadonlyMap<Primitive, Plan>): void {
  if (!ws.options.stonithEnabled || !unfencingEnabled(ws)) return;
  for (const n of ws.nodes.values()) {
    if (n.type !== "cluster" || !n.online || n.unclean || n.shutdown || n.fence || n.pending || unfenced(n)) continue;
    for (const pl of plans.values()) {
      const p = pl.p;
      if (!p.managed || !needsUnfencing(p)) continue;
      if ((pl.start && pl.next === n.name) || probedThere(ws, p, n)) { n.fence = "on"; break; }
    }
  }
}
