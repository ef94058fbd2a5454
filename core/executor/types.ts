/**
 * Public types of the executor: options, requests, records and events.
 * @module
 */
import type { AgentRef, ExecStatus, Logger, OperationName, ResourceClass } from "../plugin/types.ts";

/**
 * Time source and timers. Injectable so tests can drive recurring schedules with a fake clock.
 * `now()` is epoch milliseconds (like `Date.now()`).
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link Executor}. */
export interface ExecutorOptions {
  /** Find the resource class plugin for a CIB class name ("ocf", "lsb", "systemd", ...). */
  resolveClass(name: string): ResourceClass | undefined;
  /** Most operations running at once over all resources (default 64). Others queue. */
  maxConcurrent?: number;
  /** Cap per output stream (stdout, stderr) of one operation, in bytes (default 10 MiB). */
  outputCapBytes?: number;
  /** Grace between SIGTERM and SIGKILL when an agent is killed (default 1000 ms). */
  killGraceMs?: number;
  /** Time source and timers (default: `Date.now` and the global timers). */
  clock?: Clock;
  /** Where the executor logs (default: silent). */
  log?: Logger;
  /** The runtime reported to plugins (default: detected). */
  runtime?: "node" | "deno";
}

/** A resource known to the executor (Pacemaker's `lrmd_rsc_register`). */
export interface ResourceSpec {
  /** The resource id (OCF_RESOURCE_INSTANCE). */
  readonly id: string;
  readonly agent: AgentRef;
  /** Default instance attributes, used when an exec request carries none. */
  readonly params?: Readonly<Record<string, string>>;
  /** Default meta attributes, used when an exec request carries none. */
  readonly meta?: Readonly<Record<string, string>>;
}

/** One operation to run on a registered resource (Pacemaker's `lrmd_rsc_exec`). */
export interface ExecRequest {
  readonly resource: string;
  /** "start", "stop", "monitor", "promote", "demote", "notify", "reload", "reload-agent",
   * "migrate_to", "migrate_from", "meta-data", "validate-all", ... */
  readonly action: OperationName;
  /** Interval in ms; > 0 makes a recurring operation (monitors). Default 0 (one-shot, or probe). */
  readonly intervalMs?: number;
  /** Per-run timeout in ms; the agent's whole process group is killed when it runs out. */
  readonly timeoutMs: number;
  /** Delay before the first run in ms (default 0). */
  readonly startDelayMs?: number;
  /** Instance attributes for this operation (default: the registered ones). */
  readonly params?: Readonly<Record<string, string>>;
  /** Meta attributes (CRM_meta_*, without the prefix), e.g. notify variables (default: registered). */
  readonly meta?: Readonly<Record<string, string>>;
  /** Extra environment for the agent. */
  readonly env?: Readonly<Record<string, string>>;
  /** Monitor depth, passed as OCF_CHECK_LEVEL (and CRM_meta_depth... see Pacemaker). */
  readonly depth?: number;
  /** Call id to use (e.g. the remote daemon's counter); default: the executor assigns one. */
  readonly callId?: number;
  /** Opaque caller data echoed in every record of this call. */
  readonly userdata?: string;
}

/** A recurring operation currently scheduled. */
export interface RecurringInfo {
  readonly callId: number;
  readonly resource: string;
  readonly action: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly startDelayMs: number;
  readonly userdata?: string;
  /** Epoch ms of the next scheduled run. */
  readonly nextRunAt: number;
}

/** The outcome of one run of an operation, as kept in history and delivered in events. */
export interface OperationRecord {
  readonly callId: number;
  readonly resource: string;
  readonly agent: AgentRef;
  readonly action: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly startDelayMs: number;
  readonly userdata?: string;
  /** Instance attributes the agent got. */
  readonly params: Readonly<Record<string, string>>;
  /** Meta attributes the agent got (without the CRM_meta_ prefix). */
  readonly meta: Readonly<Record<string, string>>;
  /** OCF-style rc (Pacemaker's `lrmd_exec_rc`). */
  readonly rc: number;
  readonly status: ExecStatus;
  /** Human reason (Pacemaker's exit reason), if any. */
  readonly reason?: string;
  /** Agent output (each capped at outputCapBytes). */
  readonly stdout: string;
  readonly stderr: string;
  /** True when this was a monitor with interval 0 before any start of the resource (a probe). */
  readonly probe: boolean;
  /** Epoch ms when the request was accepted (first run) or the run came due (recurring). */
  readonly queuedAt: number;
  /** Epoch ms when the agent was started (0 when it never ran: cancelled in the queue). */
  readonly runAt: number;
  /** Time spent waiting for the resource or a concurrency slot, in ms. */
  readonly queueTimeMs: number;
  /** Wall time of the run, in ms. */
  readonly execTimeMs: number;
  /** Epoch ms of the last change of rc/status for this operation (action + interval). */
  readonly rcChangedAt: number;
  /** For recurring operations: the epoch ms this run was scheduled for; else equals queuedAt. */
  readonly scheduledAt: number;
  /** 0 for the first run of a call, then 1, 2, ... for repeats of a recurring operation. */
  readonly run: number;
  /** True when rc or status differ from the previous result of this call (always true for run 0). */
  readonly changed: boolean;
  /** True when the resource was unregistered before the operation finished. */
  readonly deleted: boolean;
}

/** Per-resource history (what status displays and what a reconnecting controller reads). */
export interface ResourceHistory {
  readonly resource: string;
  readonly agent: AgentRef;
  /** The last record of every operation key (action + interval), in completion order. */
  readonly operations: readonly OperationRecord[];
  /** The most recent record of any operation. */
  readonly last?: OperationRecord;
  /** The most recent failed record (status not done/cancelled, or an rc that is not success). */
  readonly lastFailure?: OperationRecord;
  /** True once a start (or migrate_from) has been run. */
  readonly started: boolean;
  /** Operations waiting in this resource's queue (not yet running). */
  readonly queued: number;
  /** The action running now, if any. */
  readonly running?: string;
}

/** Events of the executor and their payloads. */
export interface ExecutorEventMap {
  /** Every completed run: one-shot operations, every recurring run, and cancellations. */
  result: OperationRecord;
  /** The subset of `result` whose rc or status changed from the previous run of the same call. */
  change: OperationRecord;
}

/** Listener of an executor event. */
export type ExecutorListener<K extends keyof ExecutorEventMap> = (payload: ExecutorEventMap[K]) => void;

/** Unregister outcome (Pacemaker answers -EINPROGRESS when an operation was still running). */
export interface UnregisterResult {
  /** False when no such resource was registered. */
  readonly removed: boolean;
  /** True when an operation was running; it finishes later with `deleted: true`. */
  readonly inProgress: boolean;
}

/** Load figures. */
export interface ExecutorStats {
  readonly resources: number;
  readonly running: number;
  readonly queued: number;
  readonly recurring: number;
  readonly completed: number;
}
