/**
 * The adapter from core/executor's {@link Executor} to the controller's {@link NodeExecutor}:
 * registers resources on first use (again when the agent changed), runs operations, resolves
 * the first result of each call and passes later changed runs of recurring operations on.
 *
 * @example
 * ```ts
 * const local = localExecutor(new Executor({ resolveClass: (n) => registry.resourceClass(n) }));
 * const ctl = new Controller({ cib, scheduler, nodeName, local });
 * ```
 * @module
 */
import type { Executor, OperationRecord } from "../executor/mod.ts";
import type { NodeExecutor, OpRequest, OpResult, OpResultListener } from "./types.ts";

/** A {@link NodeExecutor} over a local executor, with `close()` to detach from it. */
export interface LocalExecutorAdapter extends NodeExecutor {
  /** Stop listening to the executor (pending exec promises resolve as errors). */
  close(): void;
}

function toResult(r: OperationRecord): OpResult {
  return {
    resource: r.resource, action: r.action, intervalMs: r.intervalMs, callId: r.callId, rc: r.rc, status: r.status,
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    runAt: r.runAt || r.queuedAt, rcChangedAt: r.rcChangedAt, execTimeMs: r.execTimeMs, queueTimeMs: r.queueTimeMs,
    ...(r.userdata !== undefined ? { userdata: r.userdata } : {}),
  };
}

function sameAgent(a: { class: string; provider?: string; type: string }, b: { class: string; provider?: string; type: string }): boolean {
  return a.class === b.class && (a.provider ?? "") === (b.provider ?? "") && a.type === b.type;
}

/** Adapt `ex` (see the module documentation). */
export function localExecutor(ex: Executor): LocalExecutorAdapter {
  const pending = new Map<number, (r: OpResult) => void>();
  const early = new Map<number, OpResult>();
  const listeners = new Set<OpResultListener>();
  const onResult = (rec: OperationRecord): void => {
    if (rec.run === 0) {
      const res = toResult(rec);
      const p = pending.get(rec.callId);
      if (p) {
        pending.delete(rec.callId);
        p(res);
      } else {
        early.set(rec.callId, res);
        if (early.size > 1000) early.delete(early.keys().next().value as number);
      }
      return;
    }
    if (!rec.changed) return;
    const res = toResult(rec);
    for (const l of [...listeners]) {
      try {
        l(res);
      } catch {
        // listeners never break the adapter
      }
    }
  };
  ex.on("result", onResult);
  return {
    exec(req: OpRequest): Promise<OpResult> {
      const spec = ex.resource(req.resource);
      if (!spec || !sameAgent(spec.agent, req.agent)) {
        if (spec) ex.unregister(req.resource);
        ex.register({ id: req.resource, agent: req.agent, params: req.params });
      }
      const callId = ex.exec({
        resource: req.resource, action: req.action, intervalMs: req.intervalMs, timeoutMs: req.timeoutMs,
        params: req.params, meta: req.meta, userdata: req.userdata,
      });
      const got = early.get(callId);
      if (got) {
        early.delete(callId);
        return Promise.resolve(got);
      }
      return new Promise((resolve) => pending.set(callId, resolve));
    },
    cancel(resource: string, action: string, intervalMs: number): Promise<boolean> {
      try {
        return Promise.resolve(ex.cancel(resource, action, intervalMs));
      } catch {
        return Promise.resolve(false);
      }
    },
    onResult(cb: OpResultListener): () => void {
      listeners.add(cb);
      return () => void listeners.delete(cb);
    },
    close(): void {
      ex.off("result", onResult);
      for (const [callId, p] of pending) {
        p({ resource: "", action: "", intervalMs: 0, callId, rc: 1, status: "error", reason: "executor adapter closed", runAt: Date.now(), rcChangedAt: Date.now(), execTimeMs: 0, queueTimeMs: 0 });
      }
      pending.clear();
    },
  };
}
