/**
 * What a node's operation history last said about each resource: was it active there? Used for
 * nodes whose history the scheduler no longer reads (a remote or guest node whose connection is
 * down: Pacemaker 2.1.5 unpacks that history only while the connection is up, and fencing or a
 * clean stop erases it), so that `atrium status` can still say what was last known to run
 * there. Internal to core/status/.
 */
import type { CibElement } from "../cib/model.ts";
import { lrmResources, lrmRscOps } from "../cib/query_status.ts";

function int(v: string | undefined, dflt: number): number {
  if (v === undefined || !/^-?\d+$/.test(v.trim())) return dflt;
  return Number.parseInt(v, 10);
}

/** Was the resource active after `op` (the newest recorded operation)? */
function activeAfter(op: CibElement): boolean {
  const a = op.attrs;
  const status = int(a["op-status"], 0);
  const rc = int(a["rc-code"], 0);
  const action = a.operation ?? "";
  if (action === "stop") return !(rc === 0 && (status === 0 || status === 4));
  if (action === "monitor" && rc === 7 && (status === 0 || status === 4)) return false;
  if (action === "delete") return false;
  // start, promote, demote, migrate_*, notify, reload, monitor 0/8, failures, pending: assume
  // active (a failed start or monitor leaves it in an unknown state that needs a stop).
  return true;
}

/**
 * The resources (history ids without a clone instance suffix) that node state `ns` last knew
 * as active, by the newest operation (highest call id) of each `lrm_resource`.
 */
export function lastKnownActive(ns: CibElement): Set<string> {
  const out = new Set<string>();
  for (const r of lrmResources(ns)) {
    let newest: CibElement | undefined;
    let newestCall = Number.NEGATIVE_INFINITY;
    for (const op of lrmRscOps(r)) {
      if (int(op.attrs["op-status"], 0) === 1) continue;
      const call = int(op.attrs["call-id"], -1);
      // A pending operation (call id -1) is the newest thing known.
      const rank = call < 0 ? Number.POSITIVE_INFINITY : call;
      if (rank >= newestCall) {
        newest = op;
        newestCall = rank;
      }
    }
    if (newest !== undefined && activeAfter(newest)) out.add((r.attrs.id ?? "?").replace(/:\d+$/, ""));
  }
  return out;
}
