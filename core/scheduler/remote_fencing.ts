/**
 * When a Pacemaker Remote node must be fenced because of its connection resource, as
 * Pacemaker 2.1.5 decides it: an unconfigured failure of the connection (other than a probe or
 * a start) means "reset the remote node" (`on-fail` default for connections), and that fences
 * the remote node when fencing is enabled. A failed start alone only recovers the connection.
 * After assignment, a connection that will not run anywhere while it has failed or its cluster
 * node is lost makes its remote node "unrecoverable", fenced when offline or when resources
 * there are in an unknown state. Internal to core/scheduler/.
 */
import type { Primitive, Rsc, WorkingSet } from "./_model.ts";

/** The `on-fail` policy name used for a connection failure that resets its remote node. */
export const RESET_REMOTE = "reset-remote";

/**
 * The default `on-fail` of a failed `op` of connection resource `p` (Pacemaker's
 * action_fail_reset_remote), or undefined when another policy applies.
 */
export function connectionOnFail(p: Primitive, op: string, interval: number, configured: string | undefined): string | undefined {
  if (!p.remoteNode || p.container || p.bundle) return undefined;
  if (configured !== undefined && configured !== "") return undefined;
  if (op === "start" || (op === "monitor" && interval === 0)) return undefined;
  return RESET_REMOTE;
}

/** Does a failure of connection `conn` where it is active fence its remote node? */
export function connectionFailureFences(ws: WorkingSet, conn: Primitive): boolean {
  if (!ws.options.stonithEnabled) return false;
  for (const [h, f] of conn.failed) if (conn.running.has(h) && f.onFail === RESET_REMOTE) return true;
  return false;
}

function baseId(p: Primitive): string {
  return p.instance !== undefined ? p.id.replace(/:\d+$/, "") : p.id;
}

/** Would Pacemaker probe some resource on remote node `node` (its state there is unknown)? */
function needsProbe(ws: WorkingSet, node: string): boolean {
  const known = new Set<string>();
  const candidates = new Set<string>();
  const never = new Set<Rsc>();
  const exclusive = new Map<Rsc, Set<string>>();
  for (const loc of ws.locations) {
    const d = (loc.discovery ?? "").toLowerCase();
    if (d === "never" && loc.node === node) never.add(loc.rsc);
    if (d === "exclusive") {
      const s = exclusive.get(loc.rsc) ?? new Set<string>();
      s.add(loc.node);
      exclusive.set(loc.rsc, s);
    }
  }
  const excluded = (p: Primitive): boolean => {
    for (let x: Rsc | undefined = p; x; x = x.parent) {
      if (never.has(x)) return true;
      const ex = exclusive.get(x);
      if (ex && !ex.has(node)) return true;
    }
    return false;
  };
  for (const r of ws.byId.values()) {
    if (r.kind !== "primitive") continue;
    const id = baseId(r);
    if (r.probed.has(node) || r.running.has(node) || r.failed.has(node)) known.add(id);
    if (r.cls === "stonith" || r.remoteNode || r.bundle || r.orphan || excluded(r)) continue;
    candidates.add(id);
  }
  for (const id of candidates) if (!known.has(id)) return true;
  return false;
}

/**
 * After assignment: a remote node whose connection will not run anywhere while it has failed
 * or the cluster node holding it is lost is in the "failed" connection state. It is fenced
 * when it is offline (its connection failed: "the connection is unrecoverable") or when the
 * state of some resource there is unknown (a probe would be needed: "resources are in unknown
 * state and connection is unrecoverable").
 */
export function fenceUnrecoverableRemotes(ws: WorkingSet): void {
  if (!ws.options.stonithEnabled) return;
  for (const n of ws.nodes.values()) {
    if (n.type !== "remote" || n.unclean || !n.remoteRsc) continue;
    const conn = ws.byId.get(n.remoteRsc);
    if (!conn || conn.kind !== "primitive" || !conn.managed || conn.assigned) continue;
    const hosts = [...conn.running.keys()];
    if (hosts.length === 0) continue;
    const hostLost = hosts.some((h) => ws.nodes.get(h)?.unclean === true);
    const failed = [...conn.failed].some(([h, f]) => conn.running.has(h) && f.onFail !== "ignore");
    if (!hostLost && !failed) continue;
    // Offline (failed connection): "the connection is unrecoverable". Online (the connection
    // is up on a lost node): only when some resource's state there is unknown.
    if (failed || needsProbe(ws, n.name)) n.unclean = true;
  }
}
