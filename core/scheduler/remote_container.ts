/**
 * Resources tied to a container (meta attribute `container`, "fillers"): how Pacemaker 2.1.5
 * treats their failures. Without a configured `on-fail`, every operation of a filler defaults
 * to `restart-container`; a failed stop under that policy is taken as if it had succeeded (the
 * filler is stopped there, its failure ignored) and the container is restarted on that node
 * instead. Internal to core/scheduler/.
 */
import { cloneOf, type Primitive, type SNode, type WorkingSet } from "./_model.ts";

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

/**
 * Mark `node` for fencing because of a failure (Pacemaker's pe_fence_node): a guest node is
 * "fenced" by recovering its container (when managed) and stays usable in this transition;
 * remote and cluster nodes become unclean.
 */
export function fenceNodeForFailure(ws: WorkingSet, node: SNode): void {
  if (node.type !== "guest") { node.unclean = true; return; }
  const cont = node.containerRsc ? ws.byId.get(node.containerRsc) : undefined;
  if (cont && cont.managed) fenceGuest(node);
}

/**
 * After a guest node is "fenced" (a pseudo operation: its container is recovered), the
 * resources it ran keep their history there, so a simulated transition still lists them on the
 * guest unless they start there again. True when `p`'s pseudo stop on `node` leaves it listed.
 */
export function keptOnFencedGuest(ws: WorkingSet, p: Primitive, node: string, pseudoStop: boolean,
  startsThereAgain: boolean): boolean {
  if (!pseudoStop || startsThereAgain) return false;
  const n = ws.nodes.get(node);
  // Clone instances are compared as a multiset; another instance may take the node over.
  if (p.bundle || cloneOf(p)) return false;
  return n !== undefined && n.type === "guest" && n.fence !== undefined && !n.bundleNode;
}

/** Guest nodes fenced through pe_fence_node (their container is marked failed). */
const containerMustFail = new WeakSet<SNode>();

/**
 * Fence a guest node the way Pacemaker's pe_fence_node does: the node must be reset and its
 * container counts as failed (so it is recovered, not merely moved).
 */
export function fenceGuest(node: SNode): void {
  node.resetRequired = true;
  containerMustFail.add(node);
}

/**
 * Does resetting `node` fail its container? Not when the reset only follows from the
 * container's host being lost: the container then just moves with the host's fencing.
 */
export function guestContainerFails(node: SNode): boolean {
  return containerMustFail.has(node);
}
