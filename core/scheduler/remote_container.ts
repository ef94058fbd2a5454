/**
 * Resources tied to a container (meta attribute `container`, "fillers"): how Pacemaker 2.1.5
 * treats their failures. Without a configured `on-fail`, every operation of a filler defaults
 * to `restart-container`; a failed stop under that policy is taken as if it had succeeded (the
 * filler is stopped there, its failure ignored) and the container is restarted on that node
 * instead. Internal to core/scheduler/.
 */
import type { Primitive, SNode, WorkingSet } from "./_model.ts";

/** Is `p` a filler of a plain (non-bundle) container primitive? */
export function isFiller(ws: WorkingSet, p: Primitive): boolean {
  if (!p.container || p.remoteNode || p.bundle) return false;
  const c = ws.byId.get(p.container);
  return c !== undefined && c.kind === "primitive";
}

/**
 * Handle a failed `op` of `p` on `node` whose policy is restart-container. Returns true when
 * the failure was consumed (the caller records nothing more): a stop failure stops the filler
 * and restarts its container on that node.
 */
export function fillerStopFailure(ws: WorkingSet, p: Primitive, node: SNode, op: string,
  configuredOnFail: string | undefined): boolean {
  if (op !== "stop" || !isFiller(ws, p)) return false;
  const conf = (configuredOnFail ?? "").toLowerCase();
  if (conf !== "" && conf !== "restart-container") return false;
  p.running.delete(node.name);
  const c = ws.byId.get(p.container!);
  if (c && c.kind === "primitive") c.restartOn.add(node.name);
  return true;
}
