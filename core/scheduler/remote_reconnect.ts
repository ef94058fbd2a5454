/**
 * A remote connection's `reconnect_interval` also ages its failures: a connection that was
 * stopped after a failure is retried once the interval has passed since its last failure
 * (Pacemaker 2.1.5 clears the fail count when the reconnect interval expires and connects
 * again). Internal to core/scheduler/.
 */
import type { Primitive, WorkingSet } from "./_model.ts";

/**
 * Forget the failures of stopped connection `p` that are older than `intervalMs` (all of them
 * must be: one recent failure keeps it stopped). True when they were forgotten.
 */
export function expireReconnectFailures(ws: WorkingSet, p: Primitive, intervalMs: number): boolean {
  if (intervalMs <= 0 || p.running.size > 0) return false;
  const now = ws.now.getTime() / 1000;
  let any = false;
  for (const [n, fc] of p.failcount) {
    if (fc <= 0) continue;
    const last = p.lastFailure.get(n) ?? 0;
    if (last + intervalMs / 1000 > now) return false;
    any = true;
  }
  for (const f of p.failed.values()) {
    if (f.lastRun > 0 && f.lastRun + intervalMs / 1000 > now) return false;
    any = true;
  }
  if (!any) return false;
  p.failcount.clear();
  p.lastFailure.clear();
  p.failed.clear();
  return true;
}
