/**
 * Shutdown locks (cluster option `shutdown-lock`): a primitive active on exactly one cleanly
 * shutting-down node is locked to it, and a lock recorded in resource history (`shutdown-lock`
 * on `lrm_resource`) keeps a resource on its node while that node is down; a locked resource is
 * banned from every other node. Locks expire after `shutdown-lock-limit` when set. Fence
 * devices, remote connections and clone instances are never locked (Pacemaker 2.1.5).
 */
import { INFINITY } from "./scores.ts";
import type { Primitive, Rsc, SNode, WorkingSet } from "./_model.ts";

interface Lockable { lockNode?: string; lockTime?: number }

function lockable(p: Primitive): boolean {
  if (p.cls === "stonith" || p.remoteNode !== undefined || p.instance !== undefined || p.bundle) return false;
  for (let x: Rsc | undefined = p.parent; x; x = x.parent) if (x.kind === "clone" || x.kind === "bundle") return false;
  return true;
}

function nowSeconds(ws: WorkingSet): number {
  return Math.floor(ws.now.getTime() / 1000);
}

/** Remember a lock found in `p`'s history on `node` (the `shutdown-lock` attribute), unless expired. */
export function noteShutdownLock(ws: WorkingSet, p: Primitive, node: SNode, attr: string | undefined): void {
  if (!ws.options.shutdownLock || attr === undefined) return;
  const t = Number(attr);
  if (!Number.isInteger(t) || t <= 0) return;
  const limit = ws.options.shutdownLockLimit ?? 0;
  if (limit > 0 && nowSeconds(ws) > t + limit) return;
  (p as Lockable).lockNode = node.name;
  (p as Lockable).lockTime = t;
}

/** Lock resources to shutting-down nodes and ban locked resources from every other node. */
export function applyShutdownLocks(ws: WorkingSet,
  ban: (r: Rsc, node: string, score: number, source: string) => void): void {
  if (!ws.options.shutdownLock) return;
  for (const r of ws.byId.values()) {
    if (r.kind !== "primitive" || !lockable(r)) continue;
    const l = r as Lockable;
    if (l.lockNode !== undefined) {
      // Already active somewhere despite the lock: leave it alone.
      if (r.running.size > 0) { delete l.lockNode; delete l.lockTime; }
    } else if (r.running.size === 1) {
      const [name] = r.running.keys();
      const node = name !== undefined ? ws.nodes.get(name) : undefined;
      if (node && node.shutdown && !node.unclean) l.lockNode = node.name;
    }
    if (l.lockNode === undefined) continue;
    for (const n of ws.nodes.keys()) if (n !== l.lockNode) ban(r, n, -INFINITY, "shutdown-lock");
  }
}
