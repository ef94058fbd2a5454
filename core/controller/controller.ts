/**
 * The controller: runs the scheduler on every CIB change, on every operation result that changes
 * state and on a recheck timer; carries out one transition at a time; records results; routes
 * actions to the local executor, to remote/guest nodes' links, or to its own connection and
 * launcher resources. Bursts of triggers are coalesced into one schedule per tick.
 *
 * @example
 * ```ts
 * const ctl = new Controller({ cib, scheduler: (c, now) => schedule(c, { now }), nodeName: "node1", local });
 * ctl.start();
 * await ctl.idle();      // tests: wait until nothing is left to do
 * await ctl.stop();
 * ```
 * @module
 */
import type { Cib } from "../cib/model.ts";
import type { Logger } from "../plugin/types.ts";
import type { Transition, TransitionAction } from "../scheduler/mod.ts";
import { ConnectionManager } from "./connections.ts";
import { LauncherResources } from "./launchers.ts";
import { StonithDeviceExecutor } from "./fencing.ts";
import { watchClusterEvents } from "./notify.ts";
import { recheckDelayMs } from "./recheck.ts";
import { clearExpiredFailures } from "./expired_failures.ts";
import { forgetConnectionFailures, heldConnections, ReconnectWatch } from "./reconnect_watch.ts";
import { withConnectionOrdering } from "./remote_order.ts";
import { withMissingMonitors } from "./monitor_fill.ts";
import { reprobeNode } from "./reprobe.ts";
import { describeResource, type ResourceInfo } from "./resources.ts";
import { type RunResult, runTransition, type TransitionRun } from "./runner.ts";
import { type DispatchContext, dispatchAction, recordResult, type RecurringEntry, recurringKey } from "./_dispatch.ts";
import type { ControllerClock, ControllerOptions, NodeExecutor, OpResult, RemoteLink } from "./types.ts";

const realClock: ControllerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** One finished transition, as {@link Controller.onTransition} listeners see it. */
export interface TransitionReport {
  readonly id: number;
  readonly transition: Transition;
  readonly result: RunResult;
}

/** See the module documentation. */
export class Controller {
  readonly #o: ControllerOptions;
  readonly #clock: ControllerClock;
  readonly #log: Logger;
  readonly #uuid = crypto.randomUUID();
  readonly #recurring = new Map<string, RecurringEntry>();
  readonly #connections: ConnectionManager;
  readonly #launchers: LauncherResources;
  readonly #reconnect: ReconnectWatch | undefined;
  #lastView: { from: Cib; view: Cib } | undefined;
  readonly #stonith: NodeExecutor;
  readonly #unsubs: (() => void)[] = [];
  readonly #linkUnsubs = new Map<string, () => void>();
  readonly #reportListeners = new Set<(r: TransitionReport) => void>();
  #transitionId = 0;
  #run: TransitionRun | undefined;
  #loop: Promise<void> | undefined;
  #wanted = false;
  #tickTimer: unknown;
  #recheckTimer: unknown;
  #ownWrites = 0;
  #started = false;
  #stopped = false;
  #idleWaiters: (() => void)[] = [];
  /** Failed action keys of the last run and how many runs in a row failed with exactly them. */
  #failSig = "";
  #failRepeats = 0;
  /** Set after repeated identical failures: the controller's own writes no longer re-schedule. */
  #quiet = false;
  #startup: Promise<void> = Promise.resolve();

  constructor(opts: ControllerOptions) {
    if (typeof opts.nodeName !== "string" || opts.nodeName === "") throw new TypeError(`Cannot create the controller for node ${JSON.stringify(opts.nodeName)}: expected a node name`);
    this.#o = opts;
    this.#clock = opts.clock ?? realClock;
    this.#log = opts.log ?? SILENT;
    this.#stonith = opts.stonith ?? new StonithDeviceExecutor();
    this.#launchers = new LauncherResources({
      launcher: opts.launcher ?? (() => undefined),
      clock: this.#clock,
      guestNode: (rsc) => describeResource(this.#o.cib.get(), rsc)?.meta["remote-node"],
      ...(opts.authkey ? { authkey: opts.authkey } : {}),
    });
    this.#connections = new ConnectionManager({
      ...(opts.connector ? { connector: opts.connector } : {}),
      cib: { get: () => opts.cib.get(), apply: (e) => this.#write(e), onChange: (cb) => opts.cib.onChange(cb) },
      clock: this.#clock,
      log: this.#log,
      guestAddress: (container) => this.#launchers.address(container),
      settings: (rsc) => describeResource(this.#o.cib.get(), rsc)?.connection,
      onLink: (node, link) => this.#onLink(node, link),
      prepare: async (node, link) => {
        const n = await reprobeNode(opts.cib, link, { node, uuid: this.#uuid, write: (e) => this.#write(e) });
        if (n > 0) {
          this.#log.info(`Re-probed ${n} resource(s) on ${node}`);
          // What the transition planned for that node predates the probes: plan again.
          this.#run?.abort(`Re-probed ${node}`);
        }
      },
    });
    // A remote node held down by reconnect_interval whose daemon answers again rejoins at once.
    this.#reconnect = opts.connector
      ? new ReconnectWatch({
        connector: opts.connector,
        clock: this.#clock,
        log: this.#log,
        release: async (h) => {
          await this.#write((c) => forgetConnectionFailures(c, h.resource));
          this.#quiet = false;
          this.#run?.abort(`${h.node} answers again`);
          this.trigger(`${h.node} answers again`);
        },
      })
      : undefined;
  }

  /** The id of the last transition started (0 before the first). */
  get transitionId(): number {
    return this.#transitionId;
  }

  /** The launcher resources (container handles, for persistence and recovery). */
  get launchers(): LauncherResources {
    return this.#launchers;
  }

  /** Subscribe to finished transitions; returns the unsubscribe function. */
  onTransition(cb: (r: TransitionReport) => void): () => void {
    this.#reportListeners.add(cb);
    return () => void this.#reportListeners.delete(cb);
  }

  /** Start: subscribe to CIB changes and results, and schedule once. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    if (this.#o.notify) this.#unsubs.push(watchClusterEvents(this.#o.cib, this.#o.notify));
    this.#unsubs.push(this.#o.cib.onChange(() => this.#onCibChange()));
    this.#unsubs.push(this.#o.local.onResult((r) => this.#onRecurring(this.#o.nodeName, r)));
    this.#unsubs.push(this.#connections.executor.onResult((r) => this.#onRecurring(this.#o.nodeName, r)));
    this.#unsubs.push(this.#launchers.executor.onResult((r) => this.#onRecurring(this.#o.nodeName, r)));
    this.#unsubs.push(this.#stonith.onResult((r) => this.#onRecurring(this.#o.nodeName, r)));
    if (this.#o.reprobe !== false) {
      const route = (id: string): NodeExecutor | undefined => {
        const info = describeResource(this.#o.cib.get(), id);
        return info ? this.#route(info, this.#o.nodeName) : this.#o.local;
      };
      this.#startup = reprobeNode(this.#o.cib, route, {
        node: this.#o.nodeName, uuid: this.#uuid, write: (e) => this.#write(e), ...(this.#o.schedulerView ? { view: this.#o.schedulerView } : {}),
      })
        .then((n) => void (n > 0 && this.#log.info(`Re-probed ${n} resource(s) on ${this.#o.nodeName}`)))
        .catch((e: unknown) => this.#log.error(`Cannot re-probe ${this.#o.nodeName}: ${e instanceof Error ? e.message : String(e)}`));
    }
    this.trigger("start");
  }

  /**
   * Stop re-scheduling on the controller's own CIB writes until something else happens (a
   * foreign CIB change, a recurring result, the recheck timer): the fencing gave up on a target
   * (`stonith-max-attempts`), as Pacemaker's controller aborts without a new transition then.
   */
  hold(reason: string): void {
    if (this.#stopped) return;
    this.#log.debug(`Holding new transitions: ${reason}`);
    this.#quiet = true;
    this.#wanted = false;
  }

  /** Ask for a schedule soon (coalesced with any other request). */
  trigger(reason: string): void {
    if (this.#stopped || !this.#started) return;
    this.#wanted = true;
    if (this.#run) return;
    if (this.#tickTimer !== undefined || this.#loop) return;
    this.#log.debug(`Schedule requested: ${reason}`);
    this.#tickTimer = this.#clock.setTimeout(() => {
      this.#tickTimer = undefined;
      this.#loop = this.#runLoop().catch((e: unknown) => {
        this.#log.error(`Transition failed: ${e instanceof Error ? e.message : String(e)}`);
        this.#armRecheck(this.#o.cib.get());
      }).finally(() => {
        this.#loop = undefined;
        if (this.#wanted && !this.#stopped) this.trigger("pending request");
        else this.#settle();
      });
    }, this.#o.coalesceMs ?? 0);
  }

  /** Resolves when no transition runs and none is wanted (tests and shutdown). */
  idle(): Promise<void> {
    if (!this.#busy()) return Promise.resolve();
    return new Promise((r) => this.#idleWaiters.push(r));
  }

  /**
   * Stop: no new transitions; the running one is aborted and its in-flight actions finish.
   * Recurring operations of the controller's own resources stop and links close; the local
   * executor's recurring operations are left to its owner.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const u of this.#unsubs.splice(0)) u();
    for (const u of this.#linkUnsubs.values()) u();
    this.#linkUnsubs.clear();
    if (this.#tickTimer !== undefined) this.#clock.clearTimeout(this.#tickTimer);
    if (this.#recheckTimer !== undefined) this.#clock.clearTimeout(this.#recheckTimer);
    this.#tickTimer = this.#recheckTimer = undefined;
    this.#reconnect?.stop();
    this.#run?.abort("Controller stopping");
    await this.#loop;
    this.#launchers.executor.stopAll();
    this.#connections.closeAll();
    this.#settle();
  }

  #busy(): boolean {
    return this.#run !== undefined || this.#loop !== undefined || this.#tickTimer !== undefined;
  }

  #settle(): void {
    if (this.#busy()) return;
    for (const w of this.#idleWaiters.splice(0)) w();
  }

  async #runLoop(): Promise<void> {
    await this.#startup;
    if (this.#stopped) return;
    this.#wanted = false;
    if (this.#recheckTimer !== undefined) {
      this.#clock.clearTimeout(this.#recheckTimer);
      this.#recheckTimer = undefined;
    }
    const stored = this.#o.cib.get();
    let t: Transition;
    let cib = stored;
    try {
      cib = this.#o.schedulerView ? this.#o.schedulerView(stored) : stored;
      t = this.#o.scheduler(cib, new Date(this.#clock.now()));
    } catch (e) {
      this.#log.error(`Scheduler failed: ${e instanceof Error ? e.message : String(e)}`);
      this.#armRecheck(stored);
      return;
    }
    this.#watchReconnects(cib, t);
    void clearExpiredFailures(cib, this.#clock.now(), (e) => this.#write(e), this.#log);
    t = withConnectionOrdering(withMissingMonitors(t, cib), this.#o.nodeName);
    const id = ++this.#transitionId;
    const todo = t.actions.filter((a) => a.runnable).length;
    if (todo > 0) this.#log.info(`Transition ${id}: ${todo} action(s) to run`);
    const ctx = this.#context();
    const run = runTransition(t, {
      execute: (a: TransitionAction) => dispatchAction(ctx, a, id, t.actions),
      clock: this.#clock,
      graceMs: this.#o.actionGraceMs ?? 20_000,
      onEvent: (e) => {
        if (e.type === "abort") this.#log.info(`Transition ${id} aborted: ${e.reason}`);
      },
    });
    this.#run = run;
    let result: RunResult;
    try {
      result = await run.done;
    } finally {
      this.#run = undefined;
    }
    if (todo > 0) {
      this.#log.info(`Transition ${id} ${result.aborted ? "stopped" : "complete"}: ${result.completed.length} done, ${result.failed.length} failed, ${result.notRun.length} not run`);
    }
    for (const l of [...this.#reportListeners]) {
      try {
        l({ id, transition: t, result });
      } catch {
        // listeners never break the loop
      }
    }
    this.#noteFailures(t, result);
    if (!this.#wanted || this.#quiet) this.#armRecheck(this.#o.cib.get());
  }

  /**
   * Livelock guard: when three runs in a row fail with the same actions, stop re-scheduling on
   * the controller's own writes until something else happens (a foreign CIB change, a
   * recurring result, the recheck timer).
   */
  #noteFailures(t: Transition, result: RunResult): void {
    // Failed fencing has its own limit (stonith-max-attempts, core/controller/fencing.ts).
    const keys = t.actions.filter((a) => a.kind !== "fence" && result.failed.includes(a.id)).map((a) => `${a.key}@${a.node ?? ""}`).sort().join(" ");
    if (keys === "") {
      this.#failSig = "";
      this.#failRepeats = 0;
      return;
    }
    this.#failRepeats = keys === this.#failSig ? this.#failRepeats + 1 : 1;
    this.#failSig = keys;
    if (this.#failRepeats >= 3 && !this.#quiet) {
      this.#quiet = true;
      this.#wanted = false;
      this.#log.warn(`The same actions failed ${this.#failRepeats} times in a row (${keys}): waiting for a change or the recheck timer`);
    }
  }

  /** Watch the remote nodes that `t` keeps down only for their reconnect_interval (reconnect_watch.ts). */
  #watchReconnects(cib: Cib, t: Transition): void {
    if (!this.#reconnect) return;
    try {
      const now = this.#clock.now();
      this.#reconnect.update(heldConnections(cib, t, now, (at) => this.#o.scheduler(cib, at)));
    } catch (e) {
      this.#log.warn(`Cannot tell which remote connections to watch: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  #armRecheck(cib: Cib): void {
    if (this.#stopped) return;
    if (this.#recheckTimer !== undefined) this.#clock.clearTimeout(this.#recheckTimer);
    this.#recheckTimer = undefined;
    let ms: number | undefined;
    try {
      ms = recheckDelayMs(cib, this.#clock.now());
    } catch {
      ms = 15 * 60_000;
    }
    if (ms === undefined) return;
    this.#recheckTimer = this.#clock.setTimeout(() => {
      this.#recheckTimer = undefined;
      this.#quiet = false;
      this.trigger("recheck timer");
    }, ms);
  }

  /** The scheduler's view of `cib`, computed once per CIB version. */
  #viewOf(cib: Cib): Cib {
    const v = this.#o.schedulerView;
    if (!v) return cib;
    if (this.#lastView?.from !== cib) this.#lastView = { from: cib, view: v(cib) };
    return this.#lastView.view;
  }

  #context(): DispatchContext {
    return {
      cib: this.#o.cib,
      clock: this.#clock,
      log: this.#log,
      nodeName: this.#o.nodeName,
      uuid: this.#uuid,
      recurring: this.#recurring,
      route: (info, node) => this.#route(info, node),
      write: (edit) => this.#write(edit),
      ...(this.#o.schedulerView ? { view: this.#o.schedulerView } : {}),
      ...(this.#o.fence ? { fence: (node: string, op: "reboot" | "off" | "on") => this.#o.fence!(node, op, (e) => this.#write(e)) } : {}),
    };
  }

  #route(info: ResourceInfo, node: string): NodeExecutor | undefined {
    const local = node === this.#o.nodeName;
    if (info.kind === "remote-connection" || info.kind === "guest-connection") return local ? this.#connections.executor : undefined;
    if (info.kind === "launcher") return local ? this.#launchers.executor : undefined;
    if (info.agent.class === "stonith") return local ? this.#stonith : undefined;
    if (local) return this.#o.local;
    return this.#connections.link(node);
  }

  async #write(edit: (cib: Cib) => Cib): Promise<void> {
    this.#ownWrites++;
    try {
      await this.#o.cib.apply(edit);
    } finally {
      this.#ownWrites--;
    }
  }

  #onCibChange(): void {
    const own = this.#ownWrites > 0;
    if (!own) this.#quiet = false;
    if (!own && this.#run && !this.#run.aborted) this.#run.abort("CIB changed");
    if (own && this.#quiet) return;
    this.trigger("CIB changed");
  }

  #onLink(node: string, link: RemoteLink | undefined): void {
    this.#linkUnsubs.get(node)?.();
    this.#linkUnsubs.delete(node);
    if (link) this.#linkUnsubs.set(node, link.onResult((r) => this.#onRecurring(node, r)));
    else {
      for (const [k, e] of [...this.#recurring]) if (e.node === node) this.#recurring.delete(k);
      this.trigger(`link to ${node} closed`);
    }
  }

  /** A result outside an exec promise: record it when it changes state, then re-schedule. */
  #onRecurring(node: string, r: OpResult): void {
    if (this.#stopped || r.status === "cancelled" || r.intervalMs <= 0) return;
    const e = this.#recurring.get(recurringKey(node, r.resource, r.action, r.intervalMs));
    if (!e) return;
    const sig = `${r.rc}:${r.status}`;
    if (sig === e.last) return;
    e.last = sig;
    const failed = r.status !== "done" || r.rc !== e.targetRc;
    if (failed) this.#log.warn(`${r.resource}_${r.action}_${r.intervalMs} on ${node}: expected rc ${e.targetRc}, got rc ${r.rc} (${r.status})`);
    void recordResult(this.#context(), node, e.info, e.req, r, e.targetRc, e.onFail).then(
      () => {
        this.#quiet = false;
        this.#run?.abort("Change in recurring result");
        this.trigger("recurring result changed");
      },
      (err: unknown) => this.#log.error(`Cannot record ${r.resource}_${r.action}_${r.intervalMs} on ${node}: ${err instanceof Error ? err.message : String(err)}`),
    );
  }
}
