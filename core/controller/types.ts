/**
 * The small interfaces the controller depends on, so that it runs against fakes in tests and
 * against the real CIB service, executor and remote client through thin adapters.
 *
 * @example
 * ```ts
 * const cib: CibAccess = { get: () => svc.get(), apply: (e) => svc.apply(e), onChange: (cb) => svc.onChange(() => cb()) };
 * const scheduler: Scheduler = (c, now) => schedule(c, { now });
 * ```
 * @module
 */
import type { Cib } from "../cib/model.ts";
import type { AgentRef, ClusterEvent, ExecStatus, GuestLauncher, Logger } from "../plugin/types.ts";
import type { Transition } from "../scheduler/mod.ts";

/** Read, edit and watch the CIB (the CIB service, or a fake). */
export interface CibAccess {
  /** The current CIB. */
  get(): Cib;
  /** Apply a pure edit (one at a time, in call order); rejects when the edit is refused. */
  apply(edit: (cib: Cib) => Cib): Promise<unknown>;
  /** Call `cb` after every committed change; returns the unsubscribe function. */
  onChange(cb: () => void): () => void;
}

/** The scheduler as the controller calls it: pure, `(cib, now) -> transition`. */
export type Scheduler = (cib: Cib, now: Date) => Transition;

/**
 * How an operation ended, apart from its rc: the executor's statuses plus `not_connected`
 * (the node's executor could not be reached) and `pending` (recorded while in flight).
 */
export type OpStatus = ExecStatus | "not_connected" | "pending";

/** One operation for a node's executor (Pacemaker's `lrmd_rsc_exec`, plus the agent). */
export interface OpRequest {
  readonly resource: string;
  readonly agent: AgentRef;
  readonly action: string;
  /** > 0 makes a recurring operation. */
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Instance attributes. */
  readonly params: Readonly<Record<string, string>>;
  /** Meta attributes (without the CRM_meta_ prefix). */
  readonly meta: Readonly<Record<string, string>>;
  /** The transition key, echoed in every result of this call. */
  readonly userdata: string;
}

/** One result of an operation (a one-shot, or one run of a recurring operation). */
export interface OpResult {
  readonly resource: string;
  readonly action: string;
  readonly intervalMs: number;
  readonly callId: number;
  readonly rc: number;
  readonly status: OpStatus;
  readonly reason?: string;
  /** Epoch ms when the run started. */
  readonly runAt: number;
  /** Epoch ms of the last change of rc/status of this operation. */
  readonly rcChangedAt: number;
  readonly execTimeMs: number;
  readonly queueTimeMs: number;
  /** The request's userdata (transition key). */
  readonly userdata?: string;
}

/** Listener of results that arrive outside an `exec` promise (recurring runs). */
export type OpResultListener = (result: OpResult) => void;

/**
 * The executor of one node (local, or a remote/guest node's connection).
 *
 * `exec` resolves with the first result of the call (for recurring operations, the first run);
 * later runs of recurring operations go to `onResult` listeners. `exec` never rejects for an
 * agent failure: failures are results. It may reject when the executor is unreachable.
 */
export interface NodeExecutor {
  exec(req: OpRequest): Promise<OpResult>;
  /** Cancel a recurring operation; false when there was none. */
  cancel(resource: string, action: string, intervalMs: number): Promise<boolean>;
  onResult(cb: OpResultListener): () => void;
}

/** A live link to a remote or guest node's executor. */
export interface RemoteLink extends NodeExecutor {
  /** Resolves when the peer answers within `timeoutMs`; rejects otherwise. */
  poke(timeoutMs: number): Promise<void>;
  close(): void;
  /** Called once when the link closes (either side). */
  onClose(cb: (reason: string) => void): void;
  readonly connected: boolean;
}

/** Where a remote or guest node's executor listens and how long to try. */
export interface RemoteTarget {
  readonly node: string;
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
}

/** Opens links to remote executors (the real one wraps core/remote's RemoteClient). */
export interface RemoteConnector {
  connect(target: RemoteTarget): Promise<RemoteLink>;
}

/** Time and timers (injectable for tests). */
export interface ControllerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of the controller. */
export interface ControllerOptions {
  readonly cib: CibAccess;
  readonly scheduler: Scheduler;
  /**
   * The CIB as the scheduler should see it (e.g. with implicit connection monitors); also what
   * missing recurring monitors are filled from. Default: the CIB itself.
   */
  readonly schedulerView?: (cib: Cib) => Cib;
  /** This node's name (as in the CIB nodes section). */
  readonly nodeName: string;
  /** The local executor. */
  readonly local: NodeExecutor;
  /** Opens remote/guest connections (without it, remote and guest nodes stay down). */
  readonly connector?: RemoteConnector;
  /** Finds a guest launcher plugin by name (class `launcher` resources). */
  readonly launcher?: (name: string) => GuestLauncher | undefined;
  /** The remote authkey handed to launchers for their guests (never logged). */
  readonly authkey?: Uint8Array;
  readonly clock?: ControllerClock;
  readonly log?: Logger;
  /** Extra time past an action's timeout before the controller gives up on it (default 20 000 ms, Pacemaker's cluster-delay is 60 s). */
  readonly actionGraceMs?: number;
  /**
   * Fence a node through the fencer; without it, fencing actions fail (and are retried on
   * recheck). `write` records the result as the controller's own CIB change (no abort).
   */
  readonly fence?: (node: string, op: "reboot" | "off" | "on", write?: (edit: (cib: Cib) => Cib) => Promise<void>) => Promise<boolean>;
  /**
   * The executor of this node's `stonith` class resources (fence devices); default: one that
   * only tracks their state (core/controller/fence_devices.ts runs the agent's monitor when
   * given a fencer's `monitor`).
   */
  readonly stonith?: NodeExecutor;
  /** Receives the cluster events derived from status changes (see notify.ts); must not block. */
  readonly notify?: (event: ClusterEvent) => void;
  /** Probe the local node's recorded resources again at start (default true, as Pacemaker does on join). */
  readonly reprobe?: boolean;
  /** Delay that coalesces bursts of triggers into one schedule (default 0: next tick). */
  readonly coalesceMs?: number;
}
