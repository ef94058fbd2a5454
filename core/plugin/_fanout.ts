/**
 * Notifier fan-out: one lane per notifier, each a bounded FIFO delivered one event at a time, so
 * a slow or failing notifier never delays the caller or the other notifiers. Failures (a throw
 * from `accepts` or `notify`, a timeout, an overflow) are reported, never thrown.
 */
import { AtriumError, quote } from "../errors.ts";
import { hookError } from "./_wrap.ts";
import type { ClusterEvent, Notifier, PluginContext } from "./types.ts";

/** How a {@link NotifierLane} queues, times out and reports. */
export interface LaneOptions {
  /** Most events waiting per notifier; beyond it the oldest is dropped and reported. */
  readonly queueLimit: number;
  /** A delivery running longer is abandoned (its signal aborted) and reported. */
  readonly timeoutMs: number;
  readonly report: (err: AtriumError) => void;
  /** The context for one delivery, whose signal is `signal`. */
  readonly context: (signal: AbortSignal) => PluginContext;
}

/** One notifier's delivery queue. */
export class NotifierLane {
  readonly plugin: string;
  readonly notifier: Notifier;
  readonly #opts: LaneOptions;
  readonly #queue: ClusterEvent[] = [];
  #running = false;
  #closed = false;
  #waiters: (() => void)[] = [];

  constructor(plugin: string, notifier: Notifier, opts: LaneOptions) {
    this.plugin = plugin;
    this.notifier = notifier;
    this.#opts = opts;
  }

  /** Filter and enqueue `event`; true when it was queued. Never throws. */
  offer(event: ClusterEvent): boolean {
    if (this.#closed) return false;
    const where = { kind: "notifier" as const, name: this.notifier.name };
    if (this.notifier.accepts) {
      let ok: unknown;
      try {
        ok = this.notifier.accepts(event);
      } catch (e) {
        this.#opts.report(hookError(this.plugin, "accepts", where, e));
        return false;
      }
      if (ok !== true) return false;
    }
    if (this.#queue.length >= this.#opts.queueLimit) {
      const dropped = this.#queue.shift();
      this.#opts.report(
        new AtriumError(
          "PLUGIN_NOTIFY_OVERFLOW",
          `Plugin ${quote(this.plugin)} notifier ${quote(this.notifier.name)} is ${this.#opts.queueLimit} events behind: dropped event ${dropped?.sequence}`,
          { plugin: this.plugin, hook: "notify", details: { kind: "notifier", name: this.notifier.name, sequence: dropped?.sequence } },
        ),
      );
    }
    this.#queue.push(event);
    if (!this.#running) {
      this.#running = true;
      queueMicrotask(() => void this.#pump());
    }
    return true;
  }

  /** Resolves once every queued event has been delivered (or has failed). */
  idle(): Promise<void> {
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Stop taking events; queued ones are still delivered. */
  close(): void {
    this.#closed = true;
  }

  async #pump(): Promise<void> {
    while (this.#queue.length > 0) {
      const event = this.#queue.shift()!;
      await this.#deliver(event);
    }
    this.#running = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  async #deliver(event: ClusterEvent): Promise<void> {
    const where = { kind: "notifier" as const, name: this.notifier.name };
    const ac = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.#opts.timeoutMs);
    });
    try {
      const delivery = Promise.resolve().then(() => this.notifier.notify(event, this.#opts.context(ac.signal)));
      const r = await Promise.race([delivery, timeout]);
      if (r === "timeout") {
        ac.abort();
        delivery.catch(() => {});
        this.#opts.report(
          hookError(this.plugin, "notify", where, new Error(`timed out after ${this.#opts.timeoutMs}ms on event ${event.sequence}`)),
        );
      }
    } catch (e) {
      this.#opts.report(hookError(this.plugin, "notify", where, e));
    } finally {
      clearTimeout(timer);
    }
  }
}
