/**
 * The controller's fencing: the `fence(node, op)` hook of {@link ControllerOptions} backed by
 * the fencer (core/fencer), configured from the CIB on every change, plus requests from other
 * clients (the API) and the fencing history, persisted in a file when asked.
 *
 * Only cluster and remote nodes go to fence devices. A guest node's fencing is implied by the
 * recovery of its container (Pacemaker makes it a pseudo-action), so the hook confirms it at
 * once and no device is ever asked. After a successful fencing the target's `node_state` is
 * written as Pacemaker 2.1.5's controller writes it (`send_stonith_update`): the node is down
 * and clean (`join`/`expected` down; remote nodes get `node_fenced`), its resource history and
 * transient attributes are erased. A failed fencing writes nothing: the node stays unclean and
 * the transition's actions that depend on the fencing never run.
 *
 * Failed fencing is retried as Pacemaker 2.1.5's controller retries it (controld_fencing.c):
 * each failure of the scheduler's fencing of a target counts (a success of any client resets
 * the target's count, and so does removing the node); after a failure a new transition starts
 * at once (through the controller given to {@link ControllerFencing.attach}) unless the count
 * reached `stonith-max-attempts` (default 10) or no device could fence the target at all: then
 * it waits for the next trigger (a CIB change, the recheck timer), and
 * {@link ControllerFencing.limits} reports the target for the status.
 *
 * @example
 * ```ts
 * const history = await loadFenceHistory(join(stateDir, "fencing.json"), log);
 * const fencer = new Fencer({ agents: registry, localNode: "node1", history, onEvent: notify });
 * const fencing = new ControllerFencing({ fencer, cib, localNode: "node1", historyPath: join(stateDir, "fencing.json") });
 * fencing.start();
 * const ctl = new Controller({ ..., fence: fencing.fence });
 * fencing.attach(ctl);   // retry failed fencing with new transitions
 * ```
 * @module
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import type { Cib, CibElement } from "../cib/model.ts";
import { clusterNodes } from "../cib/query_nodes.ts";
import { quote } from "../errors.ts";
import {
  DEFAULT_STONITH_MAX_ATTEMPTS,
  failureAttributes,
  FenceFailureCounts,
  FenceHistory,
  type FenceHistoryEntry,
  type FenceOptions,
  type FenceOutcome,
  type FencerConfig,
  type FencingAction,
  type FencingLimit,
  fencingLimits,
  type HistoryFilter,
  readFencerConfig,
  readStonithMaxAttempts,
} from "../fencer/mod.ts";
import type { Logger } from "../plugin/types.ts";
import { nodeRef, updateNodeState } from "./_status_tree.ts";
import type { CibAccess, NodeExecutor, OpRequest, OpResult } from "./types.ts";

/** What the controller needs of a fencer (core/fencer's `Fencer` fits). */
export interface FencerLike {
  configure(config: FencerConfig): void;
  fence(target: string, action: FencingAction, options?: FenceOptions): Promise<FenceOutcome>;
  readonly history: FenceHistory;
}

/** Options of {@link ControllerFencing}. */
export interface ControllerFencingOptions {
  readonly fencer: FencerLike;
  readonly cib: CibAccess;
  /** The node the controller runs on (origin of its requests, for the device configuration). */
  readonly localNode: string;
  readonly log?: Logger;
  /** A file to keep the fencing history in (written after every operation, atomically). */
  readonly historyPath?: string;
  /** Epoch ms (tests). */
  readonly now?: () => number;
}

/** What a failed fencing needs of the controller to start a new transition (the `Controller` fits). */
export interface TransitionTrigger {
  trigger(reason: string): void;
  idle(): Promise<void>;
  /** Stop re-scheduling on the controller's own writes until something else happens. */
  hold?(reason: string): void;
}

/** A request from a client other than the scheduler (the API, the CLI). */
export interface FenceRequest {
  readonly target: string;
  /** Default: the cluster's `stonith-action`. */
  readonly action?: FencingAction;
  readonly reason?: string;
  /** Who asks (default `atrium`). */
  readonly client?: string;
}

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Record that `node` was fenced, as Pacemaker's `send_stonith_update` does: `join` and
 * `expected` down (cluster nodes, which are also out of the membership), `remote_node` and
 * `node_fenced` (seconds since the epoch) for remote nodes, `in_ccm` false, and the node's
 * `lrm` and `transient_attributes` erased. A pure edit.
 */
export function markNodeFenced(cib: Cib, node: string, nowSec: number): Cib {
  const ref = nodeRef(cib, node);
  const origin = "send_stonith_update";
  return updateNodeState(cib, ref, origin, (ns) => {
    const attrs: Record<string, string> = { ...ns.attrs, id: ns.attrs.id ?? ref.id, uname: node, in_ccm: "false", "crm-debug-origin": origin };
    if (ref.remote) {
      attrs.remote_node = "true";
      attrs.node_fenced = String(Math.max(0, Math.floor(nowSec)));
    } else {
      attrs.crmd = "offline";
      attrs.join = "down";
      attrs.expected = "down";
    }
    const children = ns.children.filter((c) => !("attrs" in c) || (c.tag !== "lrm" && c.tag !== "transient_attributes"));
    return { ...ns, attrs, children } as CibElement;
  });
}

/** Read a persisted fencing history; a missing file is an empty history, a bad one is ignored with a warning. */
export async function loadFenceHistory(path: string, log: Logger = SILENT): Promise<FenceHistory> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return new FenceHistory();
  }
  try {
    return FenceHistory.fromJSON(JSON.parse(text));
  } catch (e) {
    log.warn(`Cannot read the fencing history from ${quote(path)}: ${message(e)}; starting with an empty one`);
    return new FenceHistory();
  }
}

/** See the module documentation. */
export class ControllerFencing {
  readonly #o: ControllerFencingOptions;
  readonly #log: Logger;
  #off: (() => void) | undefined;
  #configuredFrom: unknown;
  #failureSig = "";
  #skippedSig = "";
  #saving: Promise<void> = Promise.resolve();
  readonly #failures = new FenceFailureCounts();
  #maxAttempts = DEFAULT_STONITH_MAX_ATTEMPTS;
  #controller: TransitionTrigger | undefined;
  /** A retry is queued, and whether the last failure still wants it. */
  #retryQueued = false;
  #retryWanted = false;

  constructor(options: ControllerFencingOptions) {
    if (typeof options.localNode !== "string" || options.localNode === "") {
      throw new TypeError(`Cannot create the controller's fencing for node ${quote(options.localNode)}: expected a node name`);
    }
    this.#o = options;
    this.#log = options.log ?? SILENT;
    this.fence = this.fence.bind(this);
  }

  /** Configure the fencer from the current CIB, and again after every change. */
  start(): void {
    if (this.#off) return;
    this.#configure();
    this.#off = this.#o.cib.onChange(() => this.#configure());
  }

  /** Stop following the CIB and wait for the history to be written. */
  async close(): Promise<void> {
    this.#off?.();
    this.#off = undefined;
    await this.#saving;
  }

  /**
   * Start a new transition after a failed fencing of the scheduler, as Pacemaker restarts the
   * transition graph, until the target's failures reach `stonith-max-attempts`.
   */
  attach(controller: TransitionTrigger): void {
    this.#controller = controller;
  }

  /** The `stonith-max-attempts` in force. */
  get maxAttempts(): number {
    return this.#maxAttempts;
  }

  /** The failures of the scheduler's fencing of `target` since it was last fenced. */
  failureCount(target: string): number {
    return this.#failures.count(target);
  }

  /**
   * The targets whose fencing failed, with their counts and whether they reached
   * `stonith-max-attempts` (for the status: text with `fencingLimitLines`, JSON as is).
   */
  limits(): FencingLimit[] {
    return fencingLimits(this.#failures, this.#maxAttempts);
  }

  /** The fencing history (oldest first). */
  history(filter: HistoryFilter = {}): FenceHistoryEntry[] {
    return this.#o.fencer.history.list(filter);
  }

  /**
   * The controller's hook: fence `node` for the scheduler. Guest nodes are confirmed at once
   * (their container's recovery is the fencing); cluster and remote nodes go to the fencer.
   * Resolves true only when the fencing succeeded and was recorded (through `write` when given:
   * the controller's own CIB writes); never rejects.
   */
  async fence(node: string, op: FencingAction, write?: (edit: (cib: Cib) => Cib) => Promise<unknown>): Promise<boolean> {
    const kind = clusterNodes(this.#o.cib.get()).find((n) => n.name === node)?.kind;
    if (kind === "container") {
      this.#log.info(`Fencing of guest node ${node} is implied by the recovery of its container`);
      return true;
    }
    let outcome: FenceOutcome | undefined;
    try {
      outcome = await this.#run({ target: node, action: op, reason: "scheduler", client: "pacemaker-controld" }, write);
    } catch (e) {
      this.#log.warn(`Cannot fence ${node} (${op}): ${message(e)}`);
    }
    if (outcome?.ok === true) return true;
    this.#failed(node, outcome);
    return false;
  }

  /** Count a failure of the scheduler's fencing and decide whether to start a new transition at once. */
  #failed(node: string, outcome: FenceOutcome | undefined): void {
    const count = this.#failures.increment(node);
    const why = outcome?.error ?? "Agent returned error";
    let restart = true;
    if (outcome?.noDevice === true) {
      this.#log.warn(`Fence operation for ${node} failed: ${why} (aborting transition and giving up for now)`);
      restart = false;
    } else {
      this.#log.info(`Fence operation for ${node} failed: ${why} (aborting transition)`);
    }
    if (restart && this.#failures.reached(node, this.#maxAttempts)) {
      this.#log.warn(`Too many failures (${count}) to fence ${node}, giving up`);
      restart = false;
    }
    this.#retryWanted = restart;
    const ctl = this.#controller;
    if (!restart) ctl?.hold?.(`fencing of ${node} gave up`);
    if (!restart || ctl === undefined || this.#retryQueued) return;
    this.#retryQueued = true;
    // The transition ends with this failure: start the next one once it has.
    void ctl.idle().then(() => {
      this.#retryQueued = false;
      if (this.#retryWanted) ctl.trigger("Stonith failed");
    });
  }

  /**
   * Fence on behalf of another client (the API). Guest nodes are refused by the fencer
   * (`FENCE_GUEST_NODE`); bad targets and actions throw `TypeError`.
   */
  async request(req: FenceRequest): Promise<FenceOutcome> {
    return await this.#run(req);
  }

  async #run(req: FenceRequest, write?: (edit: (cib: Cib) => Cib) => Promise<unknown>): Promise<FenceOutcome> {
    const cib = this.#o.cib.get();
    this.#configure(true);
    const node = clusterNodes(cib).find((n) => n.name === req.target);
    const action = req.action ?? this.#stonithAction(cib);
    this.#log.info(`Fencing ${req.target} (${action})${req.reason ? `: ${req.reason}` : ""}`);
    const outcome = await this.#o.fencer.fence(req.target, action, {
      kind: node?.kind ?? "cluster",
      origin: this.#o.localNode,
      client: req.client ?? "atrium",
      ...(req.reason !== undefined ? { reason: req.reason } : {}),
    });
    this.#save();
    if (!outcome.ok) {
      this.#log.warn(`Fencing ${req.target} (${action}) failed${outcome.error ? `: ${outcome.error}` : ""}`);
      return outcome;
    }
    this.#log.info(`Fenced ${req.target} (${action}) with ${outcome.devices.join(", ") || "no device"}`);
    if (this.#failures.count(req.target) > 0) this.#log.info(`Resetting the fencing failures of ${req.target}`);
    this.#failures.reset(req.target);
    if (action === "on") return outcome;
    const now = (this.#o.now ?? Date.now)();
    try {
      const edit = (c: Cib): Cib => markNodeFenced(c, req.target, now / 1000);
      await (write ? write(edit) : this.#o.cib.apply(edit));
    } catch (e) {
      this.#log.error(`Cannot record the fencing of ${req.target}: ${message(e)}`);
      return { ...outcome, ok: false, error: `fenced, but the result could not be recorded: ${message(e)}` };
    }
    return outcome;
  }

  #stonithAction(cib: Cib): FencingAction {
    try {
      return readFencerConfig(cib, { localNode: this.#o.localNode }).stonithAction;
    } catch {
      return "reboot";
    }
  }

  /**
   * Configure the fencer when the configuration or this node's failure attributes (which can
   * ban devices) changed; `force` re-reads when there are failures (failure-timeout expiry).
   */
  #configure(force = false): void {
    const cib = this.#o.cib.get();
    // Status-only changes keep the (immutable) configuration element: nothing to re-read then.
    const conf = cib.children.find((c) => c.tag === "configuration") ?? cib;
    const failures = [...failureAttributes(cib, this.#o.localNode)].map(([k, v]) => `${k}=${v}`).join("\n");
    if (conf === this.#configuredFrom && failures === this.#failureSig && !(force && failures !== "")) return;
    const confChanged = conf !== this.#configuredFrom;
    this.#configuredFrom = conf;
    this.#failureSig = failures;
    try {
      const config = readFencerConfig(cib, { localNode: this.#o.localNode });
      this.#o.fencer.configure(config);
      const skipped = config.skipped.map((d) => `Fence device ${d.id} is not used from ${this.#o.localNode}: ${d.reason}`).join("\n");
      if (skipped !== this.#skippedSig && skipped !== "") this.#log.info(skipped);
      this.#skippedSig = skipped;
    } catch (e) {
      this.#log.warn(`Cannot read the fencing configuration: ${message(e)}; keeping the previous one`);
    }
    if (!confChanged) return;
    this.#maxAttempts = readStonithMaxAttempts(cib, (m) => this.#log.warn(m));
    // A node removed from the configuration takes its failures along (a new one may reuse the name).
    const known = new Set(clusterNodes(cib).map((n) => n.name));
    for (const [target] of this.#failures.entries()) if (!known.has(target)) this.#failures.reset(target);
  }

  #save(): void {
    const path = this.#o.historyPath;
    if (path === undefined) return;
    const text = JSON.stringify(this.#o.fencer.history.toJSON());
    this.#saving = this.#saving.then(async () => {
      const tmp = `${path}.tmp`;
      await writeFile(tmp, text + "\n", { mode: 0o600 });
      await rename(tmp, path);
    }).catch((e: unknown) => this.#log.warn(`Cannot save the fencing history to ${quote(path)}: ${message(e)}`));
  }
}

export { type DeviceMonitor, StonithDeviceExecutor, type StonithDeviceExecutorOptions } from "./fence_devices.ts";
