/**
 * What the remote executor server needs from an executor: the small interface
 * `atrium-remoted` adapts the real executor (core/executor) to, and tests implement with a
 * shell-script runner. The server owns the protocol state (clients, call ids, resource table,
 * notifications); the backend only runs operations.
 *
 * @example
 * ```ts
 * const backend: RemoteExecutorBackend = {
 *   exec(op, onResult) { onResult({ rc: 0, status: 0, startedAt: Date.now(), execMs: 1, queueMs: 0, final: true }); },
 *   cancel() { return false; },
 *   alert() {},
 * };
 * ```
 */
import type { AlertSpec, ExecSpec, RemoteResource } from "./requests.ts";

/** One outcome of an operation, as the backend reports it. */
export interface BackendResult {
  /** OCF exit code (or the class's own, mapped to OCF). */
  readonly rc: number;
  /** Execution status (`ExecStatus` in events.ts): 0 done, 1 cancelled, 2 timeout, 7 not installed... */
  readonly status: number;
  readonly exitReason?: string;
  /** Agent stderr if any, else stdout (may be truncated by the backend). */
  readonly output?: string;
  /** Epoch ms when this run started. */
  readonly startedAt: number;
  readonly execMs: number;
  readonly queueMs: number;
  /**
   * True when no further result will come for this call: a one-shot op finished, or a
   * recurring op was cancelled (then `status` is 1, CANCELLED).
   */
  readonly final: boolean;
}

/** An operation handed to the backend. */
export interface BackendOp extends ExecSpec {
  readonly callId: number;
  readonly rsc: RemoteResource;
}

/** The executor as seen by the remote server. */
export interface RemoteExecutorBackend {
  /**
   * Queue `op` (operations of one resource run one at a time, in order). Report each run via
   * `onResult`: once for a one-shot op; once per run for a recurring one (`intervalMs > 0`),
   * until cancelled. Must not throw for agent failures: those are results.
   */
  exec(op: BackendOp, onResult: (r: BackendResult) => void): void;
  /**
   * Cancel the recurring op `rscId`/`action`/`intervalMs`. Returns false when there is none.
   * When it returns true, the final CANCELLED result must already have been reported through
   * `onResult` (the server sends that notify before its reply, as Pacemaker does).
   */
  cancel(rscId: string, action: string, intervalMs: number): boolean;
  /** Run an alert agent (fire and forget; completion is only logged). */
  alert(spec: AlertSpec): void;
  /** Resource registered (optional: lets the backend check the agent exists, warm caches). */
  register?(rsc: RemoteResource): void;
  /** Resource unregistered (optional). */
  unregister?(rscId: string): void;
  /** Stop everything (daemon exit). */
  close?(): Promise<void>;
}
