/**
 * The fencing history: one entry per fencing operation (who asked, the target, the action, the
 * devices, the outcome, when it started and ended, and which node carried it out), newest
 * last, bounded (Pacemaker keeps 500). It lives in memory; {@link FenceHistory.toJSON} gives a
 * serializable form the caller may persist and {@link FenceHistory.fromJSON} reads it back
 * (validated: bad input throws `TypeError` and changes nothing).
 *
 * @example
 * ```ts
 * const h = new FenceHistory({ limit: 100 });
 * h.list({ target: "node1" }).at(-1)?.state; // "success"
 * ```
 * @module
 */
import type { ClusterEvent } from "../plugin/types.ts";

/** The state of a fencing operation. */
export type FenceState = "pending" | "success" | "failed";

/** One device action of an operation. */
export interface FenceAttempt {
  readonly device: string;
  /** The action run through the device (a reboot may run as off, or as off then on). */
  readonly action: string;
  readonly level?: number;
  readonly ok: boolean;
  readonly rc: number;
  readonly status: string;
  readonly reason?: string;
  /** How many times the agent was run. */
  readonly tries: number;
  /** The delay waited before it, in ms. */
  readonly delayMs: number;
  readonly startedAt: string;
  readonly endedAt: string;
}

/** One fencing operation. */
export interface FenceHistoryEntry {
  readonly id: string;
  readonly target: string;
  readonly action: string;
  /** The node that asked. */
  readonly origin: string;
  /** The client that asked (the controller, the CLI, ...). */
  readonly client: string;
  /** The node that carried it out. */
  readonly delegate: string;
  readonly reason?: string;
  readonly state: FenceState;
  /** The devices that did the job (success) or were tried (failure). */
  readonly devices: readonly string[];
  readonly attempts: readonly FenceAttempt[];
  /** Why it failed. */
  readonly error?: string;
  /** Ids of requests merged into this one. */
  readonly merged: readonly string[];
  /** ISO 8601 times. */
  readonly startedAt: string;
  readonly endedAt?: string;
}

/** The serialized history. */
export interface SerializedFenceHistory {
  readonly version: 1;
  readonly entries: readonly FenceHistoryEntry[];
}

/** Filter of {@link FenceHistory.list}. */
export interface HistoryFilter {
  /** Only this target (case-insensitive). */
  readonly target?: string;
  readonly state?: FenceState;
  /** The newest N entries. */
  readonly limit?: number;
}

/** The default number of entries kept (as Pacemaker's fencer). */
export const DEFAULT_HISTORY_LIMIT = 500;

/** The bounded fencing history. */
export class FenceHistory {
  readonly #limit: number;
  #entries: FenceHistoryEntry[] = [];

  constructor(options: { limit?: number } = {}) {
    const limit = options.limit ?? DEFAULT_HISTORY_LIMIT;
    if (!Number.isInteger(limit) || limit <= 0) {
      throw new RangeError(`Cannot create fencing history: limit ${JSON.stringify(limit)} must be a positive integer`);
    }
    this.#limit = limit;
  }

  /** Add or replace (same id) an entry; the oldest finished entries go beyond the limit. */
  record(entry: FenceHistoryEntry): void {
    const i = this.#entries.findIndex((e) => e.id === entry.id);
    if (i >= 0) this.#entries[i] = entry;
    else this.#entries.push(entry);
    while (this.#entries.length > this.#limit) {
      const j = this.#entries.findIndex((e) => e.state !== "pending");
      this.#entries.splice(j >= 0 ? j : 0, 1);
    }
  }

  /** The entry with id `id`. */
  get(id: string): FenceHistoryEntry | undefined {
    return this.#entries.find((e) => e.id === id);
  }

  /** Entries, oldest first, filtered. */
  list(filter: HistoryFilter = {}): FenceHistoryEntry[] {
    let out = this.#entries.filter((e) =>
      (filter.target === undefined || e.target.toLowerCase() === filter.target.toLowerCase()) &&
      (filter.state === undefined || e.state === filter.state)
    );
    if (filter.limit !== undefined && filter.limit >= 0) out = out.slice(Math.max(0, out.length - filter.limit));
    return out;
  }

  /** Forget finished entries (all, or those of `target`); returns how many went. */
  clear(target?: string): number {
    const before = this.#entries.length;
    this.#entries = this.#entries.filter((e) =>
      e.state === "pending" || (target !== undefined && e.target.toLowerCase() !== target.toLowerCase())
    );
    return before - this.#entries.length;
  }

  /** The serializable form. */
  toJSON(): SerializedFenceHistory {
    return { version: 1, entries: this.#entries.map((e) => structuredClone(e)) };
  }

  /**
   * Read a serialized history (from {@link toJSON}). Entries still pending when it was saved are
   * read as failed ("interrupted"). Throws `TypeError` naming the bad field.
   */
  static fromJSON(data: unknown, options: { limit?: number } = {}): FenceHistory {
    const h = new FenceHistory(options);
    if (typeof data !== "object" || data === null || (data as { version?: unknown }).version !== 1) {
      throw new TypeError(`Cannot read fencing history: expected an object with version 1`);
    }
    const entries = (data as { entries?: unknown }).entries;
    if (!Array.isArray(entries)) throw new TypeError(`Cannot read fencing history: "entries" is not an array`);
    const ok: FenceHistoryEntry[] = [];
    entries.forEach((e, i) => ok.push(checkEntry(e, `entries[${i}]`)));
    for (const e of ok) {
      h.record(e.state === "pending" ? { ...e, state: "failed", error: e.error ?? "interrupted", endedAt: e.endedAt ?? e.startedAt } : e);
    }
    return h;
  }
}

const STRINGS = ["id", "target", "action", "origin", "client", "delegate", "state", "startedAt"] as const;

function checkEntry(e: unknown, path: string): FenceHistoryEntry {
  if (typeof e !== "object" || e === null) throw new TypeError(`Cannot read fencing history: ${path} is not an object`);
  const r = e as Record<string, unknown>;
  for (const k of STRINGS) {
    if (typeof r[k] !== "string") throw new TypeError(`Cannot read fencing history: ${path}.${k} ${JSON.stringify(r[k])} is not a string`);
  }
  if (!["pending", "success", "failed"].includes(r.state as string)) {
    throw new TypeError(`Cannot read fencing history: ${path}.state ${JSON.stringify(r.state)} is not pending, success or failed`);
  }
  for (const k of ["devices", "attempts", "merged"] as const) {
    if (!Array.isArray(r[k])) throw new TypeError(`Cannot read fencing history: ${path}.${k} is not an array`);
  }
  if (!(r.devices as unknown[]).every((d) => typeof d === "string")) {
    throw new TypeError(`Cannot read fencing history: ${path}.devices holds a non-string`);
  }
  for (const k of ["reason", "error", "endedAt"] as const) {
    if (r[k] !== undefined && typeof r[k] !== "string") {
      throw new TypeError(`Cannot read fencing history: ${path}.${k} ${JSON.stringify(r[k])} is not a string`);
    }
  }
  return structuredClone(r) as unknown as FenceHistoryEntry;
}

/**
 * The `fencing` event of a finished operation, for notifiers: `node` is the target, `task` the
 * action, `rc` 0 on success, `desc` as Pacemaker's fencing alerts word it.
 *
 * @example
 * ```ts
 * fencingEvent(entry, 7).desc; // "Operation reboot of node2 by node1 for controller@node1: OK"
 * ```
 */
export function fencingEvent(e: FenceHistoryEntry, sequence: number): ClusterEvent {
  const ok = e.state === "success";
  return {
    kind: "fencing",
    sequence,
    timestamp: e.endedAt ?? e.startedAt,
    node: e.target,
    task: e.action,
    rc: ok ? 0 : 1,
    status: e.state,
    desc: `Operation ${e.action} of ${e.target} by ${e.delegate} for ${e.client}@${e.origin}: ${ok ? "OK" : e.error ?? "Error"}`,
  };
}
