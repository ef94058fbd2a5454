/** What every store shares: argument checks, the compare-and-set rule, watchers. */
import { AtriumError, quote } from "../../errors.ts";
import type { CibVersion } from "../model.ts";
import type { CibChange, CibWatchListener, CibWriteOptions } from "./types.ts";
import { checkVersion, compareVersions, formatVersion, sameVersion } from "./version.ts";

function show(v: CibVersion | null): string {
  return v === null ? "(empty store)" : quote(formatVersion(v));
}

/**
 * Check a write's arguments and the compare-and-set rule against `current`. Throws TypeError
 * for bad arguments, RangeError when `next` is not greater than `expected`, and
 * `CIB_VERSION_CONFLICT` when `expected` is not the current version.
 */
export function checkWrite(xml: unknown, opts: CibWriteOptions, current: CibVersion | null): { next: CibVersion } {
  if (typeof xml !== "string" || xml.length === 0) {
    throw new TypeError(`Cannot write CIB: the text is ${typeof xml === "string" ? "empty" : typeof xml}, expected a non-empty string`);
  }
  if (typeof opts !== "object" || opts === null) {
    throw new TypeError(`Cannot write CIB: options ${quote(opts)} must be {expected, next}`);
  }
  const expected = opts.expected === null ? null : checkVersion(opts.expected, "expected CIB version");
  const next = checkVersion(opts.next, "next CIB version");
  if (expected !== null && compareVersions(next, expected) <= 0) {
    throw new RangeError(
      `Cannot write CIB version ${show(next)}: it must be greater than the expected version ${show(expected)}`,
    );
  }
  if (!sameVersion(expected, current)) {
    throw new AtriumError(
      "CIB_VERSION_CONFLICT",
      `Cannot write CIB version ${show(next)}: expected current version ${show(expected)}, but it is ${show(current)}`,
      {
        details: {
          expected: expected && formatVersion(expected),
          current: current && formatVersion(current),
          next: formatVersion(next),
        },
      },
    );
  }
  return { next };
}

/** The error for any call on a closed store. */
export function closedError(what: string, store: string): AtriumError {
  return new AtriumError("CIB_STORE_CLOSED", `Cannot ${what}: the CIB store ${store} is closed`);
}

/** A set of change listeners; a throwing listener is reported and does not stop the others. */
export class Watchers {
  readonly #listeners = new Set<{ fn: CibWatchListener }>();
  readonly #onError: (e: unknown) => void;

  constructor(onError: (e: unknown) => void = () => {}) {
    this.#onError = onError;
  }

  add(listener: CibWatchListener): () => void {
    if (typeof listener !== "function") {
      throw new TypeError(`Cannot watch the CIB store: listener ${quote(listener)} must be a function`);
    }
    const entry = { fn: listener };
    this.#listeners.add(entry);
    return () => void this.#listeners.delete(entry);
  }

  emit(change: CibChange): void {
    for (const { fn } of [...this.#listeners]) {
      try {
        fn(change);
      } catch (e) {
        try {
          this.#onError(e);
        } catch {
          // nothing more to do
        }
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}

/** Check a history length. */
export function checkCount(n: unknown, keep: number): number {
  if (n === undefined) return keep;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`Cannot read CIB history of ${quote(n)} versions: expected a non-negative integer`);
  }
  return Math.min(n, keep);
}
