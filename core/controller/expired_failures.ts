/**
 * Expired failures, cleared as Pacemaker 2.1.5's scheduler has them cleared (its
 * `clear_failcount` operation): once every failure of a resource on a node is older than the
 * resource's `failure-timeout` (meta attribute or rsc_defaults) — or, for a remote connection
 * without one, its `reconnect_interval` — the scheduler ignores them, and the controller removes
 * the `fail-count-*` and `last-failure-*` node attributes. Without that, a later failure would
 * count on top of the expired ones and reach `migration-threshold` too early.
 *
 * @example
 * ```ts
 * for (const f of expiredFailures(view, Date.now())) cib = clearFailures(cib, f.node, f.resource);
 * ```
 * @module
 */
import type { Cib } from "../cib/model.ts";
import { nodeStates, nvValues, primitives, rscDefaults, transientAttributes } from "../cib/query.ts";
import type { Logger } from "../plugin/types.ts";
import { clearFailures } from "./_dispatch.ts";
import { durationMs } from "./_duration.ts";

/** A resource whose failures on a node have all expired. */
export interface ExpiredFailure {
  readonly node: string;
  /** The history id: the primitive's, with `:N` for a clone instance. */
  readonly resource: string;
}

function isRemoteConnection(p: { attrs: Record<string, string | undefined> }): boolean {
  return p.attrs.class === "ocf" && p.attrs.provider === "pacemaker" && p.attrs.type === "remote";
}

/**
 * Failure expiry per primitive id, in ms (only primitives that have one): `failure-timeout`,
 * else, unless `failureTimeoutOnly`, for a remote connection its `reconnect_interval` (which
 * clears its fail count in Pacemaker 2.1.5 but does not make the failed operation expired).
 */
export function failureExpiryTimes(cib: Cib, failureTimeoutOnly = false): Map<string, number> {
  const defaults = rscDefaults(cib);
  const out = new Map<string, number>();
  for (const p of primitives(cib)) {
    const id = p.attrs.id;
    if (id === undefined) continue;
    let ms = durationMs(nvValues(p, "meta_attributes", { cib }).get("failure-timeout") ?? defaults.get("failure-timeout"), 0);
    if (ms <= 0 && !failureTimeoutOnly && isRemoteConnection(p)) ms = durationMs(nvValues(p, "instance_attributes", { cib }).get("reconnect_interval"), 0);
    if (ms > 0) out.set(id, ms);
  }
  return out;
}

const FAILURE_ATTR = /^(fail-count|last-failure)-((.+?)(?::\d+)?)#/;

/**
 * The (node, resource) pairs whose recorded failures have all expired at `nowMs` (Pacemaker
 * compares whole seconds: a failure expires when `last-failure + timeout <= now`).
 */
export function expiredFailures(cib: Cib, nowMs: number): ExpiredFailure[] {
  const expiry = failureExpiryTimes(cib);
  if (expiry.size === 0) return [];
  const nowSec = Math.floor(nowMs / 1000);
  const out: ExpiredFailure[] = [];
  for (const ns of nodeStates(cib)) {
    const node = ns.attrs.uname ?? ns.attrs.id;
    if (node === undefined) continue;
    /** History id (with a clone instance's ":N") -> its expiry in ms, when it has a fail count. */
    const counted = new Map<string, number>();
    const latest = new Map<string, number>();
    for (const [name, value] of transientAttributes(ns)) {
      const m = FAILURE_ATTR.exec(name);
      const ms = m ? expiry.get(m[3]!) : undefined;
      if (!m || ms === undefined) continue;
      const rsc = m[2]!;
      if (m[1] === "fail-count") {
        if (value.trim() !== "0" && value.trim() !== "") counted.set(rsc, ms);
        continue;
      }
      const at = Number(value);
      latest.set(rsc, Math.max(latest.get(rsc) ?? 0, Number.isFinite(at) ? at : Number.POSITIVE_INFINITY));
    }
    for (const [rsc, ms] of counted) {
      const last = latest.get(rsc);
      // No last-failure: nothing says when it failed, so it never expires (as Pacemaker).
      if (last === undefined || !Number.isFinite(last)) continue;
      if (last + Math.floor(ms / 1000) <= nowSec) out.push({ node, resource: rsc });
    }
  }
  return out;
}

/**
 * Clear the expired failures of `view` (the scheduler's view of the CIB) through `write`;
 * resolves how many (node, resource) pairs were cleared. Never throws: a failed write is logged.
 */
export async function clearExpiredFailures(
  view: Cib,
  nowMs: number,
  write: (edit: (cib: Cib) => Cib) => Promise<void>,
  log?: Logger,
): Promise<number> {
  const expired = expiredFailures(view, nowMs);
  if (expired.length === 0) return 0;
  try {
    await write((c) => expired.reduce((acc, f) => clearFailures(acc, f.node, f.resource), c));
    for (const f of expired) log?.info(`Clearing the expired failures of ${f.resource} on ${f.node}`);
    return expired.length;
  } catch (e) {
    log?.warn(`Cannot clear expired failures: ${e instanceof Error ? e.message : String(e)}`);
    return 0;
  }
}
