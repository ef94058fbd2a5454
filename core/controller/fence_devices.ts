/**
 * The executor of `stonith` class resources (fence devices) on the controller's node, as
 * Pacemaker 2.1.5's executor runs them (daemons/execd/execd_commands.c,
 * `execute_stonith_action` and `stonith_action_complete`):
 *
 * - `start` registers the device and runs the fence agent's `monitor` action with the
 *   device's parameters; the start succeeds only when the monitor does (rc 0), else it fails
 *   with rc 1 (a timeout is a `timeout`);
 * - `stop` unregisters the device; it always succeeds;
 * - a probe (monitor, interval 0) runs nothing: it answers the device's known state, rc 0 after
 *   a successful start and 7 otherwise (before any start, after a stop or a failed start);
 * - a recurring monitor runs the agent's `monitor` at once and then `interval` after each run
 *   ends; on a device that is not started it answers 7 ("not active") without running the
 *   agent; an agent failure is rc 1. The first run is `exec`'s result, later runs go to
 *   `onResult` listeners (the controller records them as any resource's monitor results).
 *
 * Without a `monitor` function (tests, daemons without fence agents) start and stop only track
 * the state and recurring monitors report it.
 *
 * @example
 * ```ts
 * const devices = new StonithDeviceExecutor({ monitor: (d, ms) => fencer.monitor(d, ms) });
 * const ctl = new Controller({ ..., stonith: devices });
 * ```
 * @module
 */
import { type FenceDevice, fenceDevice } from "../fencer/mod.ts";
import type { FenceResult, Logger } from "../plugin/types.ts";
import type { ControllerClock, NodeExecutor, OpRequest, OpResult, OpResultListener, OpStatus } from "./types.ts";

/** Runs a fence agent's `monitor` action for a device (core/fencer's `Fencer.monitor` fits). */
export type DeviceMonitor = (device: FenceDevice, timeoutMs: number) => Promise<FenceResult>;

/** Options of {@link StonithDeviceExecutor}. */
export interface StonithDeviceExecutorOptions {
  /** Without it, the agent's monitor is never run (start and stop only track state). */
  readonly monitor?: DeviceMonitor;
  readonly clock?: ControllerClock;
  readonly log?: Logger;
}

interface Recurring {
  readonly req: OpRequest;
  readonly callId: number;
  timer: unknown;
  cancelled: boolean;
}

const realClock: ControllerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

function key(resource: string, action: string, intervalMs: number): string {
  return `${resource}\u0000${action}\u0000${intervalMs}`;
}

/** See the module documentation. */
export class StonithDeviceExecutor implements NodeExecutor {
  readonly #o: StonithDeviceExecutorOptions;
  readonly #clock: ControllerClock;
  readonly #started = new Set<string>();
  readonly #recurring = new Map<string, Recurring>();
  readonly #listeners = new Set<OpResultListener>();
  #callId = 0;

  constructor(options: StonithDeviceExecutorOptions = {}) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
  }

  /** True when `resource` was started here (and not stopped since). */
  started(resource: string): boolean {
    return this.#started.has(resource);
  }

  async exec(req: OpRequest): Promise<OpResult> {
    const callId = ++this.#callId;
    const runAt = this.#clock.now();
    const done = (rc: number, status: OpStatus = "done", reason?: string): OpResult => {
      const end = this.#clock.now();
      return {
        resource: req.resource, action: req.action, intervalMs: req.intervalMs, callId, rc, status, runAt, rcChangedAt: end,
        execTimeMs: end - runAt, queueTimeMs: 0, userdata: req.userdata, ...(reason !== undefined ? { reason } : {}),
      };
    };
    switch (req.action) {
      case "start": {
        const r = await this.#monitor(req);
        if (r.rc === 0 && r.status === "done") this.#started.add(req.resource);
        return done(r.rc, r.status, r.reason);
      }
      case "stop":
        this.#started.delete(req.resource);
        for (const [k, e] of [...this.#recurring]) if (e.req.resource === req.resource) this.#drop(k);
        return done(0);
      case "monitor": {
        if (req.intervalMs <= 0) return done(this.#started.has(req.resource) ? 0 : 7);
        const k = key(req.resource, req.action, req.intervalMs);
        this.#drop(k);
        const entry: Recurring = { req, callId, timer: undefined, cancelled: false };
        this.#recurring.set(k, entry);
        const r = await this.#recurringRun(req);
        // Without an agent monitor the state only changes through start and stop: nothing to re-run.
        if (this.#o.monitor !== undefined) this.#arm(k, entry);
        return done(r.rc, r.status, r.reason);
      }
      case "meta-data":
      case "validate-all":
        return done(0);
      default:
        return done(3, "done", `Fence devices do not support the ${req.action} action`);
    }
  }

  cancel(resource: string, action: string, intervalMs: number): Promise<boolean> {
    return Promise.resolve(this.#drop(key(resource, action, intervalMs)));
  }

  onResult(cb: OpResultListener): () => void {
    this.#listeners.add(cb);
    return () => void this.#listeners.delete(cb);
  }

  /** Cancel every recurring monitor (shutdown). */
  stopAll(): void {
    for (const k of [...this.#recurring.keys()]) this.#drop(k);
  }

  #drop(k: string): boolean {
    const e = this.#recurring.get(k);
    if (e === undefined) return false;
    e.cancelled = true;
    if (e.timer !== undefined) this.#clock.clearTimeout(e.timer);
    this.#recurring.delete(k);
    return true;
  }

  #arm(k: string, e: Recurring): void {
    if (e.cancelled) return;
    e.timer = this.#clock.setTimeout(() => {
      e.timer = undefined;
      void this.#again(k, e);
    }, e.req.intervalMs);
  }

  async #again(k: string, e: Recurring): Promise<void> {
    if (e.cancelled) return;
    const runAt = this.#clock.now();
    const r = await this.#recurringRun(e.req);
    if (e.cancelled || this.#recurring.get(k) !== e) return;
    const end = this.#clock.now();
    const result: OpResult = {
      resource: e.req.resource, action: e.req.action, intervalMs: e.req.intervalMs, callId: e.callId, rc: r.rc, status: r.status,
      runAt, rcChangedAt: end, execTimeMs: end - runAt, queueTimeMs: 0, userdata: e.req.userdata,
      ...(r.reason !== undefined ? { reason: r.reason } : {}),
    };
    for (const l of [...this.#listeners]) {
      try {
        l(result);
      } catch {
        // a listener never stops the monitor
      }
    }
    this.#arm(k, e);
  }

  /** One run of a recurring monitor: "not active" (7) unless started, else the agent's monitor. */
  #recurringRun(req: OpRequest): Promise<{ rc: number; status: OpStatus; reason?: string }> {
    if (!this.#started.has(req.resource)) return Promise.resolve({ rc: 7, status: "done", reason: `"${req.resource}" not active` });
    return this.#monitor(req);
  }

  /** The agent's monitor for the device of `req`, as an executor result (rc 0, or 1 on any failure). */
  async #monitor(req: OpRequest): Promise<{ rc: number; status: OpStatus; reason?: string }> {
    const monitor = this.#o.monitor;
    if (monitor === undefined) return { rc: 0, status: "done" };
    let r: FenceResult;
    try {
      r = await monitor(fenceDevice(req.resource, req.agent.type, req.params), req.timeoutMs > 0 ? req.timeoutMs : 20_000);
    } catch (e) {
      r = { rc: 1, status: "error", reason: e instanceof Error ? e.message : String(e) };
    }
    if (r.status === "done" && r.rc === 0) return { rc: 0, status: "done" };
    this.#o.log?.warn(`Monitor of fence device ${req.resource} failed: ${r.reason ?? `rc ${r.rc} (${r.status})`}`);
    if (r.status === "not_installed") return { rc: 5, status: "not_installed", ...(r.reason !== undefined ? { reason: r.reason } : {}) };
    const status: OpStatus = r.status === "done" ? "done" : r.status;
    return { rc: 1, status, ...(r.reason !== undefined ? { reason: r.reason } : {}) };
  }
}
