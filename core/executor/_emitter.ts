/**
 * A small typed event emitter that behaves the same on Node and Deno.
 * @module
 */

/** Listener for one event of map `M`. */
export type Listener<M, K extends keyof M> = (payload: M[K]) => void;

/**
 * Typed emitter: `on` returns an unsubscribe function; a listener that throws is reported to
 * `onError` and never stops the others or the emitter.
 */
export class TypedEmitter<M> {
  readonly #listeners = new Map<keyof M, Set<Listener<M, keyof M>>>();
  readonly #onError: (error: unknown, event: keyof M) => void;

  constructor(onError: (error: unknown, event: keyof M) => void = () => {}) {
    this.#onError = onError;
  }

  /** Subscribe; returns a function that unsubscribes. */
  on<K extends keyof M>(event: K, listener: Listener<M, K>): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener<M, keyof M>);
    return () => this.off(event, listener);
  }

  /** Unsubscribe a listener added with {@link on}. */
  off<K extends keyof M>(event: K, listener: Listener<M, K>): void {
    this.#listeners.get(event)?.delete(listener as Listener<M, keyof M>);
  }

  /** Deliver `payload` to every listener of `event`, synchronously, in subscription order. */
  emit<K extends keyof M>(event: K, payload: M[K]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (error) {
        this.#onError(error, event);
      }
    }
  }
}
