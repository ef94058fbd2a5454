/**
 * `stonith-max-attempts`: how many times the controller's fencing of one target may fail before
 * the controller stops starting new transitions right away because of it, with Pacemaker
 * 2.1.5's semantics (daemons/controld/controld_fencing.c):
 *
 * - one failure count per target (node names compared exactly); a failed fencing of the
 *   scheduler increments it, a successful fencing of the target resets it, and so does the
 *   removal of the node from the configuration;
 * - after a failure the transition is aborted; when the target's count has reached the limit
 *   (count >= stonith-max-attempts), or when no device could fence it at all, no new
 *   transition is started for that reason ("Too many failures (N) to fence NODE, giving up"):
 *   the next attempt comes with the next trigger (a configuration change, a cleanup, the
 *   cluster-recheck-interval timer), and every further failure gives up again at once;
 * - the option is an integer > 0 or `INFINITY`/`+INFINITY` (exact case), capped at
 *   1000000; anything else falls back to the default, 10, with a configuration error that
 *   names the value.
 *
 * @example
 * ```ts
 * const max = readStonithMaxAttempts(cib, (m) => log.warn(m));
 * const counts = new FenceFailureCounts();
 * counts.increment("node2");
 * counts.reached("node2", max); // false
 * fencingLimitLines(fencingLimits(counts, max)); // [] until a target reaches the limit
 * ```
 * @module
 */
import type { Cib } from "../cib/model.ts";
import { clusterProperties } from "../cib/query.ts";
import { quote } from "../errors.ts";

/** Pacemaker's default `stonith-max-attempts`. */
export const DEFAULT_STONITH_MAX_ATTEMPTS = 10;
/** Pacemaker's INFINITY score, the highest value the option takes. */
const SCORE_INFINITY = 1_000_000;
const INT64_MAX = 9_223_372_036_854_775_807n;
const INT64_MIN = -9_223_372_036_854_775_808n;

/**
 * Parse a `stonith-max-attempts` value as Pacemaker 2.1.5 validates and reads it
 * (`pcmk__valid_positive_number`, then `char2score`): `INFINITY` or `+INFINITY`, or a base-10
 * integer (leading blanks and a sign allowed, trailing characters ignored with a warning)
 * greater than 0, capped at 1000000. Missing: the default. Invalid: the default, after a
 * warning through `warn` that names the value.
 *
 * @example
 * ```ts
 * parseStonithMaxAttempts("3");        // 3
 * parseStonithMaxAttempts("INFINITY"); // 1000000
 * parseStonithMaxAttempts("0", warn);  // 10, warn('Using the default value 10 for cluster option "stonith-max-attempts" because "0" is invalid ...')
 * ```
 */
export function parseStonithMaxAttempts(value: string | undefined, warn: (message: string) => void = () => {}): number {
  if (value === undefined) return DEFAULT_STONITH_MAX_ATTEMPTS;
  if (value === "INFINITY" || value === "+INFINITY") return SCORE_INFINITY;
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)([\s\S]*)$/.exec(value);
  const n = m ? BigInt(m[1]!) : undefined;
  if (n === undefined || n > INT64_MAX || n < INT64_MIN || n <= 0n) {
    warn(
      `Using the default value ${DEFAULT_STONITH_MAX_ATTEMPTS} for cluster option "stonith-max-attempts" because ${quote(value)} is invalid: expected a positive integer or INFINITY`,
    );
    return DEFAULT_STONITH_MAX_ATTEMPTS;
  }
  if (m![2] !== "") warn(`Ignoring the characters left over after parsing cluster option "stonith-max-attempts" ${quote(value)}: ${quote(m![2])}`);
  return n > BigInt(SCORE_INFINITY) ? SCORE_INFINITY : Number(n);
}

/** `stonith-max-attempts` of `cib`'s cluster properties (see {@link parseStonithMaxAttempts}). */
export function readStonithMaxAttempts(cib: Cib, warn?: (message: string) => void): number {
  return parseStonithMaxAttempts(clusterProperties(cib).get("stonith-max-attempts"), warn);
}

/** The failure counts of the controller's fencing, per target (see the module documentation). */
export class FenceFailureCounts {
  readonly #counts = new Map<string, number>();

  /** Count one more failed fencing of `target`; returns the new count. */
  increment(target: string): number {
    const n = (this.#counts.get(target) ?? 0) + 1;
    this.#counts.set(target, n);
    return n;
  }

  /** Forget the failures of `target` (after it was fenced, or removed), or of every target. */
  reset(target?: string): void {
    if (target === undefined) this.#counts.clear();
    else this.#counts.delete(target);
  }

  /** The failures of `target` since its last successful fencing. */
  count(target: string): number {
    return this.#counts.get(target) ?? 0;
  }

  /** True when `target`'s failures reached `maxAttempts` (Pacemaker's `too_many_st_failures`). */
  reached(target: string, maxAttempts: number): boolean {
    return this.count(target) >= maxAttempts;
  }

  /** Targets with failures, with their counts, in the order they first failed. */
  entries(): [string, number][] {
    return [...this.#counts];
  }
}

/** One target with failed fencing, as `atrium status --json` shows it (its snake_case names). */
export interface FencingLimit {
  readonly target: string;
  /** Failed fencings of the target since its last successful one. */
  readonly failures: number;
  /** The `stonith-max-attempts` in force. */
  readonly max_attempts: number;
  /** True when `failures >= max_attempts`: the controller no longer retries right away. */
  readonly limit_reached: boolean;
  /** What the operator can do (only when the limit is reached). */
  readonly hint?: string;
}

/**
 * The status entries of `counts` (targets with at least one failure), in the order of
 * {@link FenceFailureCounts.entries}.
 *
 * @example
 * ```ts
 * fencingLimits(counts, 10); // [{ target: "node2", failures: 10, max_attempts: 10, limit_reached: true, hint: "..." }]
 * ```
 */
export function fencingLimits(counts: FenceFailureCounts, maxAttempts: number): FencingLimit[] {
  return counts.entries().filter(([, n]) => n > 0).map(([target, failures]) => {
    const reached = failures >= maxAttempts;
    return {
      target,
      failures,
      max_attempts: maxAttempts,
      limit_reached: reached,
      ...(reached
        ? {
          hint: `Fencing of ${target} is not retried until the next cluster-recheck-interval or CIB change: ` +
            `repair the fence device, then run "atrium resource cleanup DEVICE" to retry now ` +
            `(or fence it by hand with "atrium fence ${target}")`,
        }
        : {}),
    };
  });
}

/**
 * crm_mon-style lines for the targets that reached the limit (empty when none did): a
 * "Fencing Limits:" section, one line per target with the operator's hint under it.
 *
 * @example
 * ```ts
 * fencingLimitLines(fencingLimits(counts, 10));
 * // ["", "Fencing Limits:", "  * node2: fencing failed 10 times (stonith-max-attempts=10), giving up for now", "    Fencing of node2 is not retried ..."]
 * ```
 */
export function fencingLimitLines(limits: readonly FencingLimit[] | undefined): string[] {
  const reached = (limits ?? []).filter((l) => l.limit_reached);
  if (reached.length === 0) return [];
  const out = ["", "Fencing Limits:"];
  for (const l of reached) {
    out.push(`  * ${l.target}: fencing failed ${l.failures} times (stonith-max-attempts=${l.max_attempts}), giving up for now`);
    if (l.hint !== undefined) out.push(`    ${l.hint}`);
  }
  return out;
}
