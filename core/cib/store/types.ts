/**
 * The CIB store contract: the serialized CIB text plus its version, compare-and-set writes, a
 * short history and change notifications. One interface for every backend (memory, files,
 * later etcd); the store never parses the CIB — the service above it does.
 */
import type { CibVersion } from "../model.ts";

/** A stored CIB: the exact text written and the version it was written as. */
export interface StoredCib {
  readonly version: CibVersion;
  readonly xml: string;
}

/** The compare-and-set condition of {@link CibStore.write}. */
export interface CibWriteOptions {
  /**
   * The version the writer read (compare-and-set): the write is refused with
   * `CIB_VERSION_CONFLICT` unless the store's current version is exactly this. `null` means
   * "the store is empty" (the first write).
   */
  readonly expected: CibVersion | null;
  /** The version of the new text; must be greater than `expected`. */
  readonly next: CibVersion;
}

/** What a watcher is told after each committed write. */
export interface CibChange {
  readonly previous: CibVersion | null;
  readonly version: CibVersion;
  readonly xml: string;
}

/** A {@link CibStore.watch} listener; a throw is reported, never propagated. */
export type CibWatchListener = (change: CibChange) => void;

/** A versioned durable CIB store. */
export interface CibStore {
  /** The current CIB, or undefined when nothing was ever written. */
  read(): Promise<StoredCib | undefined>;
  /**
   * Store `xml` as version `next` if the current version is `expected`. Resolves once the write
   * is durable. A stale `expected` is refused with `AtriumError("CIB_VERSION_CONFLICT")` naming
   * both versions; a `next` not greater than `expected` is a `RangeError`. A refused write
   * changes nothing.
   */
  write(xml: string, opts: CibWriteOptions): Promise<StoredCib>;
  /** Up to `n` most recent versions (default: all kept), newest first, the current one first. */
  history(n?: number): Promise<StoredCib[]>;
  /** Call `listener` after every committed write; returns a function that stops it. */
  watch(listener: CibWatchListener): () => void;
  /** Release the store (locks, watchers). Further calls fail with `CIB_STORE_CLOSED`. */
  close(): Promise<void>;
}
