/**
 * Clocks for the executor: the system clock and a manual fake clock for tests.
 * @module
 */
import type { Clock } from "./types.ts";

/**
 * The real clock: `Date.now()` and the global timers.
 *
 * @example
 * ```ts
 * const t = systemClock.setTimeout(() => console.log("tick"), 10);
 * systemClock.clearTimeout(t);
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface FakeTimer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/**
 * A manual clock: time moves only through {@link FakeClock.advance}; timers due in the advanced
 * span fire in time order, each seeing `now()` equal to its due time.
 *
 * @example
 * ```ts
 * const clock = new FakeClock(1_000);
 * clock.setTimeout(() => console.log(clock.now()), 500);
 * await clock.advance(500); // prints 1500
 * ```
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: FakeTimer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { id: ++this.#seq, at: this.#now + Math.max(0, ms), fn };
    this.#timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.length;
  }

  /**
   * Move time forward by `ms`, firing due timers in order. Between timers it yields to the
   * event loop (`settle` macrotask turns) so promise chains started by a timer can progress.
   */
  async advance(ms: number, settle = 2): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await flush(settle);
      const due = this.#timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
    }
    this.#now = end;
    await flush(settle);
  }
}

async function flush(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setTimeout(r, 0));
}
