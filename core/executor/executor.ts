/**
 * The executor: runs operations on registered resources through resource-class plugins.
 * Operations on one resource run one at a time, in order; different resources run in
 * parallel up to `maxConcurrent`. Recurring operations keep a fixed rate.
 * @module
 */
import { AtriumError, quote } from "../errors.ts";
import type { AgentMetadata, AgentRef, Logger, OperationRequest } from "../plugin/types.ts";
import { buildRecord, type Call, opKey, recurringInfo, type Rsc } from "./_state.ts";
import { TypedEmitter } from "./_emitter.ts";
import { startRun, type RunOutcome, type RunSettings } from "./_run.ts";
import { History } from "./_history.ts";
import { systemClock } from "./clock.ts";
import { DEFAULT_KILL_GRACE_MS } from "./spawn.ts";
import { MetadataCache } from "./_metadata.ts";
import type {
  Clock,
  ExecRequest,
  ExecutorEventMap,
  ExecutorListener,
  ExecutorOptions,
  ExecutorStats,
  OperationRecord,
  RecurringInfo,
  ResourceHistory,
  ResourceSpec,
  UnregisterResult,
} from "./types.ts";
import { validateOptions, validateRequest, validateSpec } from "./_validate.ts";

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Runs operations on resources through resource-class plugins.
 *
 * @example
 * ```ts
 * const ex = new Executor({ resolveClass: (n) => (n === "ocf" ? ocf : undefined) });
 * ex.register({ id: "d1", agent: { class: "ocf", provider: "pacemaker", type: "Dummy" } });
 * ex.on("result", (r) => console.log(r.action, r.rc, r.status));
 * const start = await ex.run({ resource: "d1", action: "start", timeoutMs: 20_000 });
 * ex.exec({ resource: "d1", action: "monitor", intervalMs: 10_000, timeoutMs: 20_000 });
 * ```
 */
export class Executor {
  readonly #resolveClass: ExecutorOptions["resolveClass"];
  readonly #maxConcurrent: number;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #settings: RunSettings;
  readonly #emitter: TypedEmitter<ExecutorEventMap>;
  readonly #resources = new Map<string, Rsc>();
  /** Resources with queued work, in the order their head call was queued. */
  readonly #ready: Rsc[] = [];
  readonly #metadata: MetadataCache;
  #running = 0;
  #completed = 0;
  #nextCallId = 1;
  #closed = false;

  constructor(options: ExecutorOptions) {
    const { maxConcurrent: max, outputCapBytes: capBytes } = validateOptions(options);
    this.#resolveClass = options.resolveClass;
    this.#maxConcurrent = max;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? silent;
    this.#settings = {
      clock: this.#clock,
      log: this.#log,
      runtime: options.runtime ?? ("Deno" in globalThis ? "deno" : "node"),
      outputCapBytes: capBytes,
      killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
    };
    this.#emitter = new TypedEmitter<ExecutorEventMap>((error, event) =>
      this.#log.error("Executor event listener threw", { event, error: String(error) }),
    );
    this.#metadata = new MetadataCache(this.#resolveClass, this.#settings);
  }

  /** Subscribe to `result` (every run) or `change` (runs whose rc/status changed). */
  on<K extends keyof ExecutorEventMap>(event: K, listener: ExecutorListener<K>): () => void {
    return this.#emitter.on(event, listener);
  }

  /** Unsubscribe a listener. */
  off<K extends keyof ExecutorEventMap>(event: K, listener: ExecutorListener<K>): void {
    this.#emitter.off(event, listener);
  }

  /**
   * Register a resource (or replace its agent and default attributes). Re-registering an
   * identical resource changes nothing.
   */
  register(spec: ResourceSpec): void {
    validateSpec(spec);
    const old = this.#resources.get(spec.id);
    const copy: ResourceSpec = {
      id: spec.id,
      agent: { ...spec.agent },
      params: { ...(spec.params ?? {}) },
      meta: { ...(spec.meta ?? {}) },
    };
    if (old !== undefined) {
      old.spec = copy;
      old.history.agent = copy.agent;
      return;
    }
    this.#resources.set(spec.id, {
      spec: copy,
      queue: [],
      recurring: new Map(),
      history: new History(spec.id, copy.agent),
      deleted: false,
    });
  }

  /**
   * Forget a resource: its recurring operations and queued ones end as cancelled; a running
   * one finishes and is reported with `deleted: true`.
   */
  unregister(id: string): UnregisterResult {
    const rsc = this.#resources.get(id);
    if (rsc === undefined) return { removed: false, inProgress: false };
    this.#resources.delete(id);
    rsc.deleted = true;
    this.#dropPending(rsc, "resource unregistered");
    return { removed: true, inProgress: rsc.running !== undefined };
  }

  /** The registered resource, or undefined. */
  resource(id: string): ResourceSpec | undefined {
    return this.#resources.get(id)?.spec;
  }

  /** Ids of every registered resource. */
  resources(): string[] {
    return [...this.#resources.keys()];
  }

  /**
   * Accept an operation and return its call id; results come as events. A recurring request
   * (intervalMs > 0) first runs after `startDelayMs`, then every `intervalMs` from its
   * previous *scheduled* time. A request duplicating a scheduled recurring operation (same
   * action and interval) takes it over with the new call id and runs now, as Pacemaker does.
   * @throws {AtriumError} `EXECUTOR_UNKNOWN_RESOURCE` when the resource is not registered.
   * @throws {TypeError|RangeError} on malformed requests.
   */
  exec(req: ExecRequest): number {
    if (this.#closed) throw new AtriumError("EXECUTOR_CLOSED", `Cannot run ${quote(req?.action)}: the executor is closed`);
    validateRequest(req);
    const rsc = this.#resources.get(req.resource);
    if (rsc === undefined) {
      throw new AtriumError(
        "EXECUTOR_UNKNOWN_RESOURCE",
        `Cannot run ${quote(req.action)} on resource ${quote(req.resource)}: it is not registered`,
        { details: { resource: req.resource } },
      );
    }
    const intervalMs = req.intervalMs ?? 0;
    const callId = req.callId ?? this.#nextCallId++;
    if (req.callId !== undefined && req.callId >= this.#nextCallId) this.#nextCallId = req.callId + 1;
    const key = opKey(req.action, intervalMs);
    const dup = intervalMs > 0 ? rsc.recurring.get(key) : undefined;
    if (dup !== undefined && !dup.cancelled) {
      dup.callId = callId;
      dup.userdata = req.userdata;
      dup.run = 0;
      delete dup.last;
      if (dup.timer !== undefined) {
        this.#clock.clearTimeout(dup.timer);
        dup.timer = undefined;
        dup.scheduledAt = this.#clock.now();
        this.#enqueue(rsc, dup);
      }
      return callId;
    }
    const meta: Record<string, string> = { ...(req.meta ?? rsc.spec.meta ?? {}) };
    meta["timeout"] ??= String(req.timeoutMs);
    meta["interval"] ??= String(intervalMs);
    meta["name"] ??= req.action;
    const env: Record<string, string> = { ...(req.env ?? {}) };
    if (req.depth !== undefined) env["OCF_CHECK_LEVEL"] = String(req.depth);
    const now = this.#clock.now();
    const call: Call = {
      callId,
      resource: req.resource,
      agent: rsc.spec.agent,
      action: req.action,
      intervalMs,
      timeoutMs: req.timeoutMs,
      startDelayMs: req.startDelayMs ?? 0,
      userdata: req.userdata,
      params: { ...(req.params ?? rsc.spec.params ?? {}) },
      meta,
      env,
      run: 0,
      scheduledAt: now + (req.startDelayMs ?? 0),
      queuedAt: now,
      timer: undefined,
      cancelled: false,
    };
    if (intervalMs > 0) rsc.recurring.set(key, call);
    if (call.startDelayMs > 0) this.#schedule(rsc, call);
    else this.#enqueue(rsc, call);
    return callId;
  }

  /**
   * Run a one-shot operation and resolve with its record (convenience over {@link exec}).
   * For a recurring request it resolves with the first run.
   */
  run(req: ExecRequest): Promise<OperationRecord> {
    return new Promise((resolve, reject) => {
      let callId = -1;
      const off = this.on("result", (r) => {
        if (r.callId === callId && r.resource === req.resource) {
          off();
          resolve(r);
        }
      });
      try {
        callId = this.exec(req);
      } catch (e) {
        off();
        reject(e);
      }
    });
  }

  /**
   * Cancel a recurring (or still queued) operation by action and interval. A run in flight is
   * killed. Emits a final record with status "cancelled" (before returning). False when there
   * is no such operation.
   */
  cancel(resource: string, action: string, intervalMs: number): boolean {
    const rsc = this.#resources.get(resource);
    if (rsc === undefined) return false;
    const key = opKey(action, intervalMs);
    const call = rsc.recurring.get(key) ?? rsc.queue.find((c) => opKey(c.action, c.intervalMs) === key);
    if (call === undefined || call.cancelled) return false;
    this.#cancelCall(rsc, call, "cancelled");
    return true;
  }

  /** Recurring operations scheduled now, for one resource or all. */
  recurring(resource?: string): RecurringInfo[] {
    const out: RecurringInfo[] = [];
    for (const rsc of this.#resources.values()) {
      if (resource !== undefined && rsc.spec.id !== resource) continue;
      for (const c of rsc.recurring.values()) out.push(recurringInfo(c));
    }
    return out;
  }

  /** History of a resource (last record per operation, last failure, queue state). */
  history(resource: string): ResourceHistory | undefined {
    const rsc = this.#resources.get(resource);
    if (rsc === undefined) return undefined;
    return rsc.history.snapshot(rsc.queue.length, rsc.running?.call.action);
  }

  /** Agent meta-data, cached per agent; concurrent requests share one run. */
  metadata(agent: AgentRef): Promise<AgentMetadata> {
    return this.#metadata.get(agent);
  }

  /** Drop cached meta-data for one agent, or all. */
  invalidateMetadata(agent?: AgentRef): void {
    this.#metadata.invalidate(agent);
  }

  /** Load figures. */
  stats(): ExecutorStats {
    let queued = 0;
    let recurring = 0;
    for (const r of this.#resources.values()) {
      queued += r.queue.length;
      recurring += r.recurring.size;
    }
    return { resources: this.#resources.size, running: this.#running, queued, recurring, completed: this.#completed };
  }

  /** Cancel everything, kill running agents and wait for them. The executor accepts no more work. */
  async close(): Promise<void> {
    this.#closed = true;
    const waits: Promise<unknown>[] = [];
    for (const rsc of this.#resources.values()) {
      this.#dropPending(rsc, "executor closed");
      if (rsc.running !== undefined) {
        rsc.running.handle.cancel("executor closed");
        waits.push(rsc.running.handle.done);
      }
    }
    await Promise.all(waits);
    // Let completion handlers run before returning.
    await Promise.resolve();
  }

  // -------------------------------------------------------------------------------------------

  #dropPending(rsc: Rsc, reason: string): void {
    for (const call of [...rsc.recurring.values(), ...rsc.queue]) {
      if (!call.cancelled) this.#cancelCall(rsc, call, reason);
    }
  }

  #cancelCall(rsc: Rsc, call: Call, reason: string): void {
    call.cancelled = true;
    if (call.timer !== undefined) {
      this.#clock.clearTimeout(call.timer);
      call.timer = undefined;
    }
    rsc.recurring.delete(opKey(call.action, call.intervalMs));
    if (rsc.running?.call === call) {
      rsc.running.handle.cancel(reason);
      return; // reported when the killed run completes
    }
    const i = rsc.queue.indexOf(call);
    if (i >= 0) rsc.queue.splice(i, 1);
    if (rsc.queue.length === 0) this.#unready(rsc);
    const last = call.last;
    this.#complete(rsc, call, {
      rc: last?.rc ?? 0,
      status: "cancelled",
      reason,
      stdout: "",
      stderr: "",
      execTimeMs: 0,
    }, 0);
  }

  #schedule(rsc: Rsc, call: Call): void {
    call.timer = this.#clock.setTimeout(() => {
      call.timer = undefined;
      if (!call.cancelled) this.#enqueue(rsc, call);
    }, call.scheduledAt - this.#clock.now());
  }

  #enqueue(rsc: Rsc, call: Call): void {
    call.queuedAt = this.#clock.now();
    rsc.queue.push(call);
    if (rsc.running === undefined && !this.#ready.includes(rsc)) this.#ready.push(rsc);
    this.#pump();
  }

  #unready(rsc: Rsc): void {
    const i = this.#ready.indexOf(rsc);
    if (i >= 0) this.#ready.splice(i, 1);
  }

  #pump(): void {
    while (this.#running < this.#maxConcurrent && this.#ready.length > 0) {
      const rsc = this.#ready.shift()!;
      if (rsc.running !== undefined) continue; // one operation per resource at a time
      const call = rsc.queue.shift();
      if (call === undefined) continue;
      this.#start(rsc, call);
    }
  }

  #start(rsc: Rsc, call: Call): void {
    const runAt = this.#clock.now();
    const op: OperationRequest = {
      resource: call.resource,
      agent: call.agent,
      action: call.action,
      intervalMs: call.intervalMs,
      timeoutMs: call.timeoutMs,
      params: call.params,
      meta: call.meta,
      env: call.env,
    };
    const cls = this.#resolveClass(call.agent.class);
    const handle = startRun(cls, op, this.#settings);
    rsc.running = { call, handle };
    this.#running++;
    void handle.done.then((outcome) => {
      this.#running--;
      rsc.running = undefined;
      this.#complete(rsc, call, outcome, runAt);
      if (call.intervalMs > 0 && !call.cancelled && !rsc.deleted && !this.#closed) {
        let next = call.scheduledAt + call.intervalMs;
        const now = this.#clock.now();
        if (next < now) next += Math.ceil((now - next) / call.intervalMs) * call.intervalMs;
        call.scheduledAt = next;
        this.#schedule(rsc, call);
      } else if (call.intervalMs > 0) {
        rsc.recurring.delete(opKey(call.action, call.intervalMs));
      }
      if (rsc.running === undefined && rsc.queue.length > 0 && !this.#ready.includes(rsc)) this.#ready.push(rsc);
      this.#pump();
    });
  }

  #complete(rsc: Rsc, call: Call, o: RunOutcome, runAt: number): void {
    const record = buildRecord(rsc, call, o, runAt, this.#clock.now());
    call.run++;
    call.last = { rc: o.rc, status: o.status };
    rsc.history.add(record);
    this.#completed++;
    this.#emitter.emit("result", record);
    if (record.changed) this.#emitter.emit("change", record);
  }
}
