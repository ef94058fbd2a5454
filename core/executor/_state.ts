/**
 * Internal state of the executor: accepted calls and registered resources.
 * @module
 */
import type { AgentRef } from "../plugin/types.ts";
import type { History } from "./_history.ts";
import type { RunHandle, RunOutcome } from "./_run.ts";
import type { OperationRecord, RecurringInfo, ResourceSpec } from "./types.ts";

/** One accepted exec request (a recurring one lives until cancelled). */
export interface Call {
  callId: number;
  readonly resource: string;
  readonly agent: AgentRef;
  readonly action: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly startDelayMs: number;
  userdata: string | undefined;
  readonly params: Readonly<Record<string, string>>;
  readonly meta: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
  run: number;
  scheduledAt: number;
  queuedAt: number;
  timer: unknown;
  cancelled: boolean;
  last?: { rc: number; status: string };
}

export interface Rsc {
  spec: ResourceSpec;
  readonly queue: Call[];
  running?: { call: Call; handle: RunHandle };
  readonly recurring: Map<string, Call>;
  readonly history: History;
  deleted: boolean;
}

export function opKey(action: string, intervalMs: number): string {
  return `${action}_${intervalMs}`;
}


/** The public view of a scheduled recurring call. */
export function recurringInfo(c: Call): RecurringInfo {
  return {
    callId: c.callId,
    resource: c.resource,
    action: c.action,
    intervalMs: c.intervalMs,
    timeoutMs: c.timeoutMs,
    startDelayMs: c.startDelayMs,
    ...(c.userdata !== undefined ? { userdata: c.userdata } : {}),
    nextRunAt: c.scheduledAt,
  };
}

/** Build the record of one run of `call` (or of its cancellation when it never ran). */
export function buildRecord(rsc: Rsc, call: Call, o: RunOutcome, runAt: number, now: number): OperationRecord {
  const changed = call.run === 0 || call.last?.rc !== o.rc || call.last?.status !== o.status;
  return {
    callId: call.callId,
    resource: call.resource,
    agent: call.agent,
    action: call.action,
    intervalMs: call.intervalMs,
    timeoutMs: call.timeoutMs,
    startDelayMs: call.startDelayMs,
    ...(call.userdata !== undefined ? { userdata: call.userdata } : {}),
    params: call.params,
    meta: call.meta,
    rc: o.rc,
    status: o.status,
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    stdout: o.stdout,
    stderr: o.stderr,
    probe: call.action === "monitor" && call.intervalMs === 0 && !rsc.history.started,
    queuedAt: call.queuedAt,
    runAt,
    queueTimeMs: Math.max(0, (runAt === 0 ? now : runAt) - call.queuedAt),
    execTimeMs: o.execTimeMs,
    rcChangedAt: rsc.history.rcChangedAt(call.action, call.intervalMs, o.rc, o.status, now),
    scheduledAt: call.intervalMs > 0 ? call.scheduledAt : call.queuedAt,
    run: call.run,
    changed,
    deleted: rsc.deleted,
  };
}
