/**
 * A {@link NodeExecutor} whose operations are carried out by a handler function (the
 * controller's own connection and launcher resources): one-shot runs with a timeout, recurring
 * runs on a timer, results of recurring runs reported only when rc or status change. Internal.
 */
import type { ControllerClock, NodeExecutor, OpRequest, OpResult, OpResultListener, OpStatus } from "./types.ts";

/** What a handler reports. */
export interface Outcome {
  readonly rc: number;
  readonly status: OpStatus;
  readonly reason?: string;
}

/** A handler-driven executor that can also stop all its recurring timers. */
export interface SyntheticExecutor extends NodeExecutor {
  /** Cancel every recurring operation (no results are reported). */
  stopAll(): void;
  /** The recurring operations, as `resource action interval` keys. */
  recurringKeys(): string[];
  /**
   * Run `resource`'s recurring operations now instead of at their next tick (a connection
   * dropped: its monitor must fail at once); returns how many were due.
   */
  runNow(resource: string): number;
}

interface Recurring {
  readonly req: OpRequest;
  readonly callId: number;
  timer: unknown;
  last: string;
  lastChange: number;
}

/** Build a handler-driven executor. */
export function syntheticExecutor(handler: (req: OpRequest) => Promise<Outcome>, clock: ControllerClock): SyntheticExecutor {
  let nextCall = 0;
  const listeners = new Set<OpResultListener>();
  const recurring = new Map<string, Recurring>();
  const keyOf = (r: string, a: string, i: number): string => `${r} ${a} ${i}`;

  async function once(req: OpRequest, callId: number, lastChange?: number): Promise<OpResult> {
    const runAt = clock.now();
    let timer: unknown;
    const timeout = new Promise<Outcome>((res) => {
      timer = clock.setTimeout(() => res({ rc: 1, status: "timeout", reason: `timed out after ${req.timeoutMs}ms` }), req.timeoutMs);
    });
    let out: Outcome;
    try {
      out = await Promise.race([handler(req), timeout]);
    } catch (e) {
      out = { rc: 1, status: "error", reason: e instanceof Error ? e.message : String(e) };
    } finally {
      clock.clearTimeout(timer);
    }
    const end = clock.now();
    return {
      resource: req.resource, action: req.action, intervalMs: req.intervalMs, callId,
      rc: out.rc, status: out.status, ...(out.reason !== undefined ? { reason: out.reason } : {}),
      runAt, rcChangedAt: lastChange ?? runAt, execTimeMs: end - runAt, queueTimeMs: 0, userdata: req.userdata,
    };
  }

  function arm(rec: Recurring, delayMs = rec.req.intervalMs): void {
    rec.timer = clock.setTimeout(() => {
      rec.timer = undefined;
      void once(rec.req, rec.callId, rec.lastChange).then((r) => {
        if (recurring.get(keyOf(rec.req.resource, rec.req.action, rec.req.intervalMs)) !== rec) return;
        const sig = `${r.rc}:${r.status}`;
        if (sig !== rec.last) {
          rec.last = sig;
          rec.lastChange = r.runAt;
          const changed = { ...r, rcChangedAt: r.runAt };
          for (const l of [...listeners]) {
            try {
              l(changed);
            } catch {
              // listeners never break the executor
            }
          }
        }
        arm(rec);
      });
    }, delayMs);
  }

  return {
    async exec(req: OpRequest): Promise<OpResult> {
      const callId = ++nextCall;
      const key = keyOf(req.resource, req.action, req.intervalMs);
      if (req.intervalMs > 0) {
        const old = recurring.get(key);
        if (old) clock.clearTimeout(old.timer);
        recurring.delete(key);
      }
      const r = await once(req, callId);
      if (req.intervalMs > 0) {
        const rec: Recurring = { req, callId, timer: undefined, last: `${r.rc}:${r.status}`, lastChange: r.runAt };
        recurring.set(key, rec);
        arm(rec);
      }
      return r;
    },
    cancel(resource: string, action: string, intervalMs: number): Promise<boolean> {
      const key = keyOf(resource, action, intervalMs);
      const rec = recurring.get(key);
      if (!rec) return Promise.resolve(false);
      clock.clearTimeout(rec.timer);
      recurring.delete(key);
      return Promise.resolve(true);
    },
    onResult(cb: OpResultListener): () => void {
      listeners.add(cb);
      return () => void listeners.delete(cb);
    },
    stopAll(): void {
      for (const rec of recurring.values()) clock.clearTimeout(rec.timer);
      recurring.clear();
    },
    recurringKeys(): string[] {
      return [...recurring.keys()];
    },
    runNow(resource: string): number {
      let n = 0;
      for (const rec of recurring.values()) {
        // A run in flight (no timer armed) reports by itself.
        if (rec.req.resource !== resource || rec.timer === undefined) continue;
        clock.clearTimeout(rec.timer);
        arm(rec, 0);
        n++;
      }
      return n;
    },
  };
}
