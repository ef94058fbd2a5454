/**
 * An in-memory {@link CibStore}: the reference implementation of the contract, for tests and
 * single-process use where durability is not wanted.
 *
 * @example
 * ```ts
 * const store = new MemoryStore();
 * await store.write(xml, { expected: null, next: { adminEpoch: 0, epoch: 1, numUpdates: 0 } });
 * ```
 */
import type { CibVersion } from "../model.ts";
import { checkCount, checkWrite, closedError, Watchers } from "./_common.ts";
import type { CibStore, CibWatchListener, CibWriteOptions, StoredCib } from "./types.ts";

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** How many versions `history` keeps (default 20). */
  readonly keep?: number;
  /** Receives errors thrown by watch listeners. */
  readonly onListenerError?: (e: unknown) => void;
}

/** See the module documentation. */
export class MemoryStore implements CibStore {
  readonly #keep: number;
  readonly #watchers: Watchers;
  #versions: StoredCib[] = []; // newest first
  #closed = false;

  constructor(opts: MemoryStoreOptions = {}) {
    this.#keep = checkKeep(opts.keep);
    this.#watchers = new Watchers(opts.onListenerError);
  }

  read(): Promise<StoredCib | undefined> {
    if (this.#closed) return Promise.reject(closedError("read the CIB", "in memory"));
    return Promise.resolve(this.#versions[0]);
  }

  write(xml: string, opts: CibWriteOptions): Promise<StoredCib> {
    try {
      if (this.#closed) throw closedError("write the CIB", "in memory");
      const previous: CibVersion | null = this.#versions[0]?.version ?? null;
      const { next } = checkWrite(xml, opts, previous);
      const stored: StoredCib = Object.freeze({ version: Object.freeze(next), xml });
      this.#versions = [stored, ...this.#versions].slice(0, this.#keep);
      this.#watchers.emit({ previous, version: stored.version, xml });
      return Promise.resolve(stored);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  history(n?: number): Promise<StoredCib[]> {
    try {
      if (this.#closed) throw closedError("read the CIB history", "in memory");
      return Promise.resolve(this.#versions.slice(0, checkCount(n, this.#keep)));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  watch(listener: CibWatchListener): () => void {
    if (this.#closed) throw closedError("watch the CIB", "in memory");
    return this.#watchers.add(listener);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#watchers.clear();
    return Promise.resolve();
  }
}

/** Check the number of versions to keep (1 to 10000). */
export function checkKeep(keep: unknown): number {
  if (keep === undefined) return 20;
  if (typeof keep !== "number" || !Number.isSafeInteger(keep) || keep < 1 || keep > 10_000) {
    throw new RangeError(`Cannot create CIB store keeping ${JSON.stringify(keep)} versions: expected an integer from 1 to 10000`);
  }
  return keep;
}
