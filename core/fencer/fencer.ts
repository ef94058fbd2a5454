/**
 * The fencer: carries out fencing requests through the fence agents of the plugin registry,
 * with Pacemaker 2.1.5's device selection, topology, delays, timeouts and retries (see
 * `_execute.ts`), keeps the fencing history and reports each result as a `fencing` event.
 *
 * Only cluster nodes run a fencer. Remote nodes are fenced through devices like cluster nodes;
 * a guest node is never fenced through devices: {@link Fencer.fence} refuses it with
 * `FENCE_GUEST_NODE` (fencing a guest is recovering its container, the controller's job).
 * Requests for the same target and action from different clients while one is in flight are
 * merged into it, as fenced does: they share its result.
 *
 * @example
 * ```ts
 * const fencer = new Fencer({ agents: registry, localNode: "node1", onEvent: (e) => registry.notifyAll(e) });
 * fencer.configure(readFencerConfig(cib, { localNode: "node1" }));
 * const r = await fencer.fence("node2", "reboot", { kind: "cluster", origin: "node1", reason: "node lost" });
 * r.ok; r.devices; fencer.history.list({ target: "node2" });
 * ```
 * @module
 */
import { AtriumError, quote } from "../errors.ts";
import type { ClusterEvent, FenceAgent, FenceResult, Logger, PluginContext } from "../plugin/types.ts";
import { Eligibility } from "./_eligibility.ts";
import { execute, type ExecDeps, type ExecOutcome, type ResolvedDevice } from "./_execute.ts";
import { DeviceLocks, type FencerClock, realClock, runAgent } from "./_run.ts";
import { emptyFencerConfig, type FencerConfig } from "./config.ts";
import type { FenceDevice } from "./devices.ts";
import { agentFeatures, type AgentFeatures, NO_FEATURES } from "../plugin/fence_features.ts";
import { FenceHistory, type FenceHistoryEntry, fencingEvent } from "./history.ts";
import { deviceTimeoutMs } from "./targets.ts";
import { topologyFor } from "./topology.ts";

/** Where the fencer finds fence agents and plugin contexts (the plugin `Registry` fits). */
export interface FenceAgentSource {
  fenceAgent(name: string, ctx?: PluginContext): Promise<FenceAgent | undefined>;
  context(signal?: AbortSignal): PluginContext;
}

/** The fencing actions a client may ask for. */
export type FencingAction = "reboot" | "off" | "on";

/** A node kind as the CIB (`container`) or Atrium's status (`guest`) names it. */
export type FenceTargetKind = "cluster" | "remote" | "container" | "guest";

/** Options of {@link Fencer}. */
export interface FencerOptions {
  readonly agents: FenceAgentSource;
  /** The node this fencer runs on (the delegate of what it carries out). */
  readonly localNode: string;
  readonly config?: FencerConfig;
  /** Receives a `fencing` event per finished operation (e.g. `registry.notifyAll`). */
  readonly onEvent?: (event: ClusterEvent) => void;
  /** Event sequence numbers (default: a counter of this fencer). */
  readonly nextSequence?: () => number;
  /** The history to keep (default: a new one of 500 entries). */
  readonly history?: FenceHistory;
  readonly clock?: FencerClock;
  /** Numbers in [0, 1) for random delays (default Math.random). */
  readonly random?: () => number;
  /** How long an agent's `list` output is trusted (default 60 s, as Pacemaker). */
  readonly listTtlMs?: number;
  readonly log?: Logger;
}

/** Options of one request. */
export interface FenceOptions {
  /** The target's kind (default cluster); guests are refused. */
  readonly kind?: FenceTargetKind;
  /** The node that asks (default: the local node). */
  readonly origin?: string;
  /** The client that asks (default: the origin); requests of different clients merge. */
  readonly client?: string;
  readonly reason?: string;
  /** Timeout of each device action unless the device sets `pcmk_<action>_timeout` (default stonith-timeout). */
  readonly timeoutMs?: number;
  /** Requested delay before the first device (priority-fencing-delay); -1 disables device delays. */
  readonly delayMs?: number;
  /** Whether the local node may fence itself (Pacemaker: only when it is the only member). */
  readonly allowSelf?: boolean;
}

/** The result of a request: its history entry, plus `ok` and, when merged, the operation it joined. */
export interface FenceOutcome extends FenceHistoryEntry {
  readonly ok: boolean;
  readonly mergedInto?: string;
  /** True when no device could even be tried (Pacemaker's PCMK_EXEC_NO_FENCE_DEVICE). */
  readonly noDevice?: boolean;
}

interface InFlight {
  readonly id: string;
  readonly target: string;
  readonly action: FencingAction;
  readonly origin: string;
  readonly client: string;
  readonly created: number;
  readonly totalTimeoutMs: number;
  readonly done: Promise<FenceOutcome>;
  readonly merged: string[];
}

/** How long an agent's meta-data may take (as the fence-agents bridge's default). */
const METADATA_TIMEOUT_MS = 30_000;
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const ACTIONS: readonly string[] = ["reboot", "off", "on"];

/** The fencer (see the module documentation). */
export class Fencer {
  readonly history: FenceHistory;
  readonly #agents: FenceAgentSource;
  readonly #localNode: string;
  readonly #onEvent: ((e: ClusterEvent) => void) | undefined;
  readonly #nextSequence: () => number;
  readonly #clock: FencerClock;
  readonly #random: () => number;
  readonly #log: Logger;
  readonly #eligibility: Eligibility;
  readonly #features = new Map<string, Promise<AgentFeatures>>();
  readonly #locks = new DeviceLocks();
  readonly #inflight = new Map<string, InFlight>();
  #config: FencerConfig;
  #devices = new Map<string, FenceDevice>();
  #sequence = 0;

  constructor(options: FencerOptions) {
    if (typeof options.localNode !== "string" || options.localNode === "") {
      throw new TypeError(`Cannot create fencer: local node ${quote(options.localNode)} must be a non-empty name`);
    }
    this.#agents = options.agents;
    this.#localNode = options.localNode;
    this.#onEvent = options.onEvent;
    this.#nextSequence = options.nextSequence ?? (() => ++this.#sequence);
    this.history = options.history ?? new FenceHistory();
    this.#clock = options.clock ?? realClock;
    this.#random = options.random ?? Math.random;
    this.#log = options.log ?? silent;
    this.#config = emptyFencerConfig();
    this.#eligibility = new Eligibility({
      localNode: this.#localNode,
      clock: this.#clock,
      listTtlMs: options.listTtlMs ?? 60_000,
      context: (signal) => this.#agents.context(signal),
      queryTimeoutMs: () => this.#config.stonithTimeoutMs,
    });
    this.configure(options.config ?? emptyFencerConfig());
  }

  /** Replace the configuration (devices, topology, timeouts). Operations in flight keep theirs. */
  configure(config: FencerConfig): void {
    this.#config = config;
    this.#devices = new Map(config.devices.map((d) => [d.id, d]));
  }

  /** The current configuration. */
  get config(): FencerConfig {
    return this.#config;
  }

  /** The devices registered, in configuration order. */
  devices(): readonly FenceDevice[] {
    return this.#config.devices;
  }

  /** The agent features of a device (from its agent's meta-data; cached per agent). */
  async features(device: FenceDevice): Promise<AgentFeatures> {
    const r = await this.#resolve(device);
    return typeof r === "string" ? NO_FEATURES : r.features;
  }

  /**
   * The ids of the devices that can carry out `action` on `target` (asks agents for `list` or
   * `status` as their host check says), highest priority first.
   */
  async capableDevices(target: string, action: FencingAction = "reboot", allowSelf = false): Promise<string[]> {
    const sorted = [...this.#devices.values()].sort((a, b) => b.priority - a.priority || a.index - b.index);
    const out: string[] = [];
    for (const d of sorted) {
      const r = await this.#resolve(d);
      if (typeof r === "string") continue;
      if ((await this.#eligibility.check(d, r.agent, r.features, target, action, allowSelf)).can) out.push(d.id);
    }
    return out;
  }

  /**
   * Run the agent's `monitor` action for `device` (what the executor does when a stonith
   * resource starts, and for its recurring monitors): `pcmk_monitor_timeout` when the device
   * sets one, else `timeoutMs`; retried as any device action (`pcmk_monitor_retries`); one
   * action per device at a time. Never rejects: a missing agent or plugin is a result
   * (`not_installed`), as is a timeout.
   */
  async monitor(device: FenceDevice, timeoutMs: number): Promise<FenceResult> {
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`Cannot monitor fence device ${quote(device.id)}: timeout ${quote(timeoutMs)} must be a positive number of ms`);
    }
    const r = await this.#resolve(device);
    if (typeof r === "string") return { rc: 1, status: "not_installed", reason: r };
    const limit = deviceTimeoutMs(device.params["pcmk_monitor_timeout"]) ?? timeoutMs;
    const { result } = await this.#locks.run(device.id, () =>
      runAgent(r.agent, { action: "monitor", params: device.params, timeoutMs: limit }, (signal) => this.#agents.context(signal), this.#clock)
    );
    return result;
  }

  /**
   * The devices that make unfencing necessary: their agent's `on` is automatic, or their
   * `provides` meta attribute is `unfencing`. With these, or with resources that have
   * `requires=unfencing` (`config.requireUnfencing`), nodes get an `on` when they join.
   */
  async unfencingDevices(): Promise<string[]> {
    const out: string[] = [];
    for (const d of this.#config.devices) {
      if (d.provides?.toLowerCase() === "unfencing" || (await this.features(d)).automaticUnfencing) out.push(d.id);
    }
    return out;
  }

  /**
   * Fence `target`. Resolves with the outcome (failures are outcomes, not errors). Throws
   * `TypeError` for a bad target or action and `AtriumError` `FENCE_GUEST_NODE` for a guest.
   */
  fence(target: string, action: FencingAction, options: FenceOptions = {}): Promise<FenceOutcome> {
    if (typeof target !== "string" || target.trim() === "" || /[\0\r\n]/.test(target)) {
      throw new TypeError(`Cannot fence node ${quote(target)}: expected a node name`);
    }
    if (!ACTIONS.includes(action)) {
      throw new TypeError(`Cannot fence node ${quote(target)} with action ${quote(action)}: expected reboot, off or on`);
    }
    const kind = options.kind ?? "cluster";
    if (kind === "container" || kind === "guest") {
      throw new AtriumError(
        "FENCE_GUEST_NODE",
        `Cannot fence guest node ${quote(target)} through fence devices: a guest is fenced by recovering its container, which the controller does`,
        { details: { target, action, kind } },
      );
    }
    if (kind !== "cluster" && kind !== "remote") {
      throw new TypeError(`Cannot fence node ${quote(target)}: unknown node kind ${quote(kind)}`);
    }
    const timeoutMs = options.timeoutMs ?? this.#config.stonithTimeoutMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`Cannot fence node ${quote(target)}: timeout ${quote(timeoutMs)} must be a positive number of ms`);
    }
    const delayMs = options.delayMs ?? 0;
    if (!Number.isFinite(delayMs) || delayMs < -1) {
      throw new RangeError(`Cannot fence node ${quote(target)}: delay ${quote(delayMs)} must be -1 or more`);
    }
    const origin = options.origin ?? this.#localNode;
    const client = options.client ?? origin;
    const now = this.#clock.now();
    const id = crypto.randomUUID();
    const other = this.#findDuplicate(target, action, client, now);
    if (other !== undefined) return this.#merge(other, id, origin, client, options.reason);

    const base: FenceHistoryEntry = {
      id,
      target,
      action,
      origin,
      client,
      delegate: this.#localNode,
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
      state: "pending",
      devices: [],
      attempts: [],
      merged: [],
      startedAt: new Date(now).toISOString(),
    };
    this.history.record(base);
    const merged: string[] = [];
    const done = this.#run(base, merged, { timeoutMs, delayMs, allowSelf: options.allowSelf ?? false });
    const flight: InFlight = {
      id,
      target,
      action,
      origin,
      client,
      created: now,
      totalTimeoutMs: 1.2 * (timeoutMs + Math.max(0, delayMs)) * Math.max(1, this.#devices.size),
      done,
      merged,
    };
    this.#inflight.set(id, flight);
    done.finally(() => this.#inflight.delete(id)).catch(() => {});
    return done;
  }

  #findDuplicate(target: string, action: string, client: string, now: number): InFlight | undefined {
    for (const o of this.#inflight.values()) {
      if (o.target.toLowerCase() !== target.toLowerCase() || o.action !== action) continue;
      if (o.client.toLowerCase() === client.toLowerCase()) continue; // same client: its own request
      if (o.target.toLowerCase() === o.origin.toLowerCase()) continue; // self-fencing is never merged
      if (now > o.created + o.totalTimeoutMs) continue; // too old to piggyback on
      return o;
    }
    return undefined;
  }

  async #merge(other: InFlight, id: string, origin: string, client: string, reason?: string): Promise<FenceOutcome> {
    this.#log.info(`Merging fencing request ${id} (${other.action} of "${other.target}" from ${client}@${origin}) into ${other.id}`);
    other.merged.push(id);
    const started = new Date(this.#clock.now()).toISOString();
    this.history.record({
      id,
      target: other.target,
      action: other.action,
      origin,
      client,
      delegate: this.#localNode,
      ...(reason !== undefined ? { reason } : {}),
      state: "pending",
      devices: [],
      attempts: [],
      merged: [],
      startedAt: started,
    });
    const r = await other.done;
    const entry: FenceHistoryEntry = {
      id,
      target: other.target,
      action: other.action,
      origin,
      client,
      delegate: r.delegate,
      ...(reason !== undefined ? { reason } : {}),
      state: r.state,
      devices: r.devices,
      attempts: [],
      ...(r.error !== undefined ? { error: r.error } : {}),
      merged: [],
      startedAt: started,
      ...(r.endedAt !== undefined ? { endedAt: r.endedAt } : {}),
    };
    this.history.record(entry);
    return { ...entry, ok: r.ok, mergedInto: other.id, ...(r.noDevice ? { noDevice: true } : {}) };
  }

  async #run(
    base: FenceHistoryEntry,
    merged: readonly string[],
    o: { timeoutMs: number; delayMs: number; allowSelf: boolean },
  ): Promise<FenceOutcome> {
    const devices = this.#devices;
    const config = this.#config;
    const target = base.target;
    const deps: ExecDeps = {
      devices,
      resolve: (d) => this.#resolve(d),
      eligibility: this.#eligibility,
      clock: this.#clock,
      random: this.#random,
      context: (signal) => this.#agents.context(signal),
      withDevice: (id, fn) => this.#locks.run(id, fn),
      log: this.#log,
    };
    const attrs = config.nodeAttributes.get(target) ?? new Map<string, string>();
    this.#log.info(`Fencing (${base.action}) "${target}" for ${base.client}@${base.origin}${base.reason ? `: ${base.reason}` : ""}`);
    let outcome: ExecOutcome;
    try {
      outcome = await execute(
        { target, action: base.action as FencingAction, timeoutMs: o.timeoutMs, delayMs: o.delayMs, allowSelf: o.allowSelf },
        deps,
        topologyFor(config.topology, target, attrs),
      );
    } catch (e) {
      outcome = { ok: false, devices: [], attempts: [], error: `Fencing failed: ${e instanceof Error ? e.message : String(e)}` };
    }
    const endedAt = new Date(this.#clock.now()).toISOString();
    const entry: FenceHistoryEntry = {
      ...base,
      state: outcome.ok ? "success" : "failed",
      devices: outcome.devices,
      attempts: outcome.attempts,
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      merged: [...merged],
      endedAt,
    };
    this.history.record(entry);
    (outcome.ok ? this.#log.info : this.#log.warn).call(
      this.#log,
      `Fencing (${base.action}) of "${target}" ${outcome.ok ? "succeeded" : "failed"}${outcome.error ? `: ${outcome.error}` : ""}`,
    );
    this.#emit(entry);
    return { ...entry, ok: outcome.ok, ...(outcome.noDevice ? { noDevice: true } : {}) };
  }

  #emit(e: FenceHistoryEntry): void {
    if (this.#onEvent === undefined) return;
    try {
      this.#onEvent(fencingEvent(e, this.#nextSequence()));
    } catch (err) {
      this.#log.error(`Fencing event handler failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async #resolve(device: FenceDevice): Promise<ResolvedDevice | string> {
    let agent: FenceAgent | undefined;
    try {
      agent = await this.#agents.fenceAgent(device.agent, this.#agents.context());
    } catch (e) {
      return `cannot load fence agent "${device.agent}": ${e instanceof Error ? e.message : String(e)}`;
    }
    if (agent === undefined) return `no plugin provides fence agent "${device.agent}"`;
    let p = this.#features.get(device.agent);
    if (p === undefined) {
      const a = agent;
      const stop = new AbortController();
      const limit = this.#clock.sleep(METADATA_TIMEOUT_MS, stop.signal).then((): never => {
        throw new Error(`meta-data timed out after ${METADATA_TIMEOUT_MS}ms`);
      });
      limit.catch(() => {});
      p = Promise.race([a.metadata(this.#agents.context(stop.signal)).then(agentFeatures), limit]);
      p.finally(() => stop.abort()).catch(() => {});
      this.#features.set(device.agent, p);
      p.catch(() => this.#features.delete(device.agent));
    }
    let features: AgentFeatures;
    try {
      features = await p;
    } catch (e) {
      this.#log.warn(`Cannot read meta-data of fence agent "${device.agent}": ${e instanceof Error ? e.message : String(e)}`);
      features = NO_FEATURES;
    }
    return { device, agent, features };
  }
}
