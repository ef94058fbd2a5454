/**
 * Failed actions from the operation history, as crm_mon lists them: every recorded operation
 * whose execution status is not "complete" (pending aside) or whose exit code differs from the
 * one the controller expected (the target rc of its `transition-key`, else 0), once per
 * resource, node and operation key. Internal to core/status/.
 */
import type { Cib } from "../cib/model.ts";
import { lrmResources, lrmRscOps, nodeStates } from "../cib/query_status.ts";
import type { FailedAction } from "./types.ts";
import { execStatusText, rcText } from "./_words.ts";

function int(v: string | undefined, dflt: number): number {
  if (v === undefined || !/^-?\d+$/.test(v.trim())) return dflt;
  return Number.parseInt(v, 10);
}

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
        if (status === 0 && rc === expectedRc(a["transition-key"])) continue;
        const action = a.operation ?? "?";
        const interval = int(a.interval, 0);
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
