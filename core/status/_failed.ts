/**
 * Failed actions from the operation history, as crm_mon lists them: every recorded operation
 * whose execution status is a final one other than "complete" or "error" (pending and
 * cancelled aside), or whose exit code differs from the one the controller expected (the
 * target rc of its `transition-key`, else 0), once per resource, node and operation key.
 * As in Pacemaker 2.1.5, a probe (a monitor with interval 0) that found the resource running
 * (0), promoted (8) or stopped (7) is a result, not a failure, whatever the controller
 * expected: after a restart the controller re-probes everything expecting "not running", and
 * the resources that are still running answer 0. Internal to core/status/.
 */
import type { Cib } from "../cib/model.ts";
import { lrmResources, lrmRscOps, nodeStates } from "../cib/query_status.ts";
import { failureExpiryTimes } from "../controller/expired_failures.ts";
import type { FailedAction } from "./types.ts";
import { execStatusText, rcText } from "./_words.ts";

function int(v: string | undefined, dflt: number): number {
  if (v === undefined || !/^-?\d+$/.test(v.trim())) return dflt;
  return Number.parseInt(v, 10);
}

/** What a probe may find without failing: running, not running, promoted. */
const PROBE_RESULTS: ReadonlySet<number> = new Set([0, 7, 8]);

/** The target rc of `transition-key` ("ACTION:TRANSITION:TARGET_RC:UUID"), default 0. */
function expectedRc(key: string | undefined): number {
  const parts = key?.split(":");
  return parts !== undefined && parts.length >= 4 ? int(parts[2], 0) : 0;
}

/** The failed actions of a CIB's status section, newest first. */
export function failedActions(cib: Cib): FailedAction[] {
  const out: FailedAction[] = [];
  const seen = new Set<string>();
  for (const ns of nodeStates(cib)) {
    const node = ns.attrs.uname ?? ns.attrs.id ?? "?";
    for (const r of lrmResources(ns)) {
      const rsc = r.attrs.id ?? "?";
      // last_failure entries first, so the dedup keeps them.
      const ops = lrmRscOps(r).slice().sort((a, b) =>
        Number((b.attrs.id ?? "").endsWith("_last_failure_0")) - Number((a.attrs.id ?? "").endsWith("_last_failure_0"))
      );
      for (const op of ops) {
        const a = op.attrs;
        const status = int(a["op-status"], 0);
        const rc = int(a["rc-code"], 0);
        if (status === -1 || status === 1) continue; // pending, cancelled
        const action = a.operation ?? "?";
        const interval = int(a.interval, 0);
        // "complete" and "error" are judged by the exit code; other statuses are final failures.
        if (status === 0 || status === 4) {
          if (rc === expectedRc(a["transition-key"])) continue;
          if (action === "monitor" && interval === 0 && PROBE_RESULTS.has(rc)) continue;
        }
        const dedup = `${rsc}\u0000${node}\u0000${action}_${interval}`;
        if (seen.has(dedup)) continue;
        seen.add(dedup);
        const t = int(a["last-rc-change"] ?? a["last-run"], 0);
        const why = status !== 0 ? execStatusText(status) : rcText(rc);
        const reason = a["exit-reason"] !== undefined && a["exit-reason"] !== "" ? `${why}: ${a["exit-reason"]}` : why;
        out.push({
          resource: rsc,
          node,
          action,
          interval,
          rc,
          rc_text: rcText(rc),
          status: execStatusText(status),
          reason,
          time: t > 0 ? new Date(t * 1000).toISOString() : null,
        });
      }
    }
  }
  return out.sort((x, y) => (y.time ?? "").localeCompare(x.time ?? ""));
}

/**
 * `failed` without the failures that have expired at `nowMs`, as crm_mon leaves them out: older
 * than the resource's `failure-timeout`, stop failures excepted (a remote connection's
 * `reconnect_interval` clears its fail count but, as in Pacemaker, does not hide the failure).
 */
export function unexpired(cib: Cib, failed: readonly FailedAction[], nowMs: number): FailedAction[] {
  const expiry = failureExpiryTimes(cib, true);
  const nowSec = Math.floor(nowMs / 1000);
  return failed.filter((f) => {
    const ms = expiry.get(f.resource.replace(/:\d+$/, ""));
    if (ms === undefined || f.action === "stop" || f.time === null) return true;
    return Math.floor(Date.parse(f.time) / 1000) + Math.floor(ms / 1000) > nowSec;
  });
}
