/**
 * Operation bookkeeping as Pacemaker 2.1.5 writes it: execution status numbers, the expected
 * (target) rc of an action, whether a result is a failure, operation and transition keys.
 *
 * @example
 * ```ts
 * transitionKey(3, 12, 0, TE_UUID);  // "12:3:0:<uuid>"
 * transitionMagic("done", 7, key);  // "0:7;12:3:0:<uuid>"
 * ```
 * @module
 */
import type { OpStatus } from "./types.ts";

/** Pacemaker's execution status numbers (`PCMK_EXEC_*`) as written to `op-status`. */
export const OP_STATUS: Readonly<Record<OpStatus, number>> = {
  pending: -1,
  done: 0,
  cancelled: 1,
  timeout: 2,
  not_supported: 3,
  error: 4,
  not_installed: 7,
  not_connected: 8,
};

/** The op key Pacemaker uses: `RSC_ACTION_INTERVAL`. */
export function opKey(resource: string, action: string, intervalMs: number): string {
  return `${resource}_${action}_${intervalMs}`;
}

/** A transition key: `action:transition:target-rc:uuid` (`pcmk__transition_key`). */
export function transitionKey(transitionId: number, actionId: number, targetRc: number, uuid: string): string {
  return `${actionId}:${transitionId}:${targetRc}:${uuid}`;
}

/** A transition magic: `op-status:rc;transition-key`. */
export function transitionMagic(status: OpStatus, rc: number, key: string): string {
  return `${OP_STATUS[status]}:${rc};${key}`;
}

/** The target rc encoded in a transition key, or undefined when it is not one. */
export function targetRcOf(key: string | undefined): number | undefined {
  if (key === undefined) return undefined;
  const parts = key.split(":");
  if (parts.length < 4) return undefined;
  const n = Number(parts[2]);
  return Number.isInteger(n) ? n : undefined;
}

/** Is this a probe (a one-shot monitor)? */
export function isProbe(action: string, intervalMs: number): boolean {
  return (action === "monitor" || action === "probe") && intervalMs === 0;
}

/**
 * The rc an action is expected to return: 7 (not running) for probes, 8 for monitors of the
 * promoted role, 0 otherwise.
 */
export function expectedRc(action: string, intervalMs: number, promotedMonitor = false): number {
  if (isProbe(action, intervalMs)) return 7;
  if (action === "monitor" && promotedMonitor) return 8;
  return 0;
}

/** Did the operation fail (Pacemaker's `did_rsc_op_fail`): a bad status, or rc != target. */
export function didFail(status: OpStatus, rc: number, targetRc: number): boolean {
  if (status === "cancelled" || status === "pending") return false;
  if (status !== "done") return true;
  return rc !== targetRc;
}

/**
 * Is a failed result a real failure, or only information? Probes that find the resource
 * running (0, or 8 promoted) or stopped (7) inform the scheduler; they are not failures.
 */
export function isRealFailure(action: string, intervalMs: number, status: OpStatus, rc: number, targetRc: number): boolean {
  if (!didFail(status, rc, targetRc)) return false;
  if (status === "done" && isProbe(action, intervalMs) && (rc === 0 || rc === 7 || rc === 8)) return false;
  return true;
}
