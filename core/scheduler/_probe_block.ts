/**
 * Starts blocked by probes that cannot run. Pacemaker probes a resource on every online node
 * where its state is unknown and orders the start after those probes; a node that is still
 * joining ("pending") is online but cannot run anything, so a resource that is active nowhere
 * cannot start until that node has joined.
 */
import type { Primitive, WorkingSet } from "./_model.ts";
import { discoveryOff } from "./remote_discovery.ts";


/** A pending node where `p` (a primitive active nowhere) would need a probe first, if any. */
export function pendingProbeNode(ws: WorkingSet, p: Primitive): string | undefined {
  if (p.running.size > 0 || p.orphan || p.container || p.bundle || p.instance !== undefined) return undefined;
  for (const n of ws.nodes.values()) {
    if (n.type !== "cluster" || !n.online || n.unclean || !n.pending) continue;
    if (p.probed.has(n.name) || p.failed.has(n.name)) continue;
    if (discoveryOff(ws, p, n.name)) continue;
    return n.name;
  }
  return undefined;
}
