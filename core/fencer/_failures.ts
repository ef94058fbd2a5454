/**
 * Failure bans of fence devices on the local node. Pacemaker 2.1.5's fencer runs the scheduler
 * over the CIB before it registers devices (`cib_devices_update` calls
 * `pcmk__schedule_actions`), and `cib_device_update` leaves out a device whose score on the
 * local node is negative. Besides location constraints (`_location.ts`), what makes it negative
 * is the resource's failures: once its fail count on the node reaches its
 * `migration-threshold` (default INFINITY; 0 disables it), the node gets -INFINITY. A failed
 * start counts INFINITY when `start-failure-is-fatal` is true (the default), so a device whose
 * start (and the monitor that start runs) failed is no longer used for fencing from this node;
 * a failed recurring monitor alone counts 1 and the device stays until the threshold. Fail
 * counts past the resource's `failure-timeout` (after the last failure) no longer count.
 * @module
 */
import type { Cib } from "../cib/model.ts";
import { nodeStates, transientAttributes } from "../cib/query_status.ts";
import { parseIntervalMs, parseScore } from "../cib/rules/mod.ts";

const INF = 1_000_000;

/**
 * The `fail-count-*` and `last-failure-*` transient attributes of `node` (matched by `uname`,
 * then `id`), by name.
 *
 * @example
 * ```ts
 * failureAttributes(cib, "node1").get("fail-count-fence1#start_0"); // "INFINITY"
 * ```
 */
export function failureAttributes(cib: Cib, node: string): Map<string, string> {
  const all = nodeStates(cib);
  const ns = all.find((s) => s.attrs.uname === node) ?? all.find((s) => s.attrs.id === node);
  const out = new Map<string, string>();
  if (ns === undefined) return out;
  for (const [name, value] of transientAttributes(ns)) if (/^(fail-count|last-failure)-/.test(name)) out.set(name, value);
  return out;
}

/**
 * Why the failures of fence device `id` ban it from the node whose failure attributes are
 * `attrs` (see {@link failureAttributes}), or undefined when they do not. `meta` are the
 * device's effective meta attributes (`migration-threshold`, `failure-timeout`).
 *
 * @example
 * ```ts
 * failureBan("fence1", failureAttributes(cib, "node1"), meta, new Date());
 * // 'its fail count 1000000 reached migration-threshold 1000000'
 * ```
 */
export function failureBan(
  id: string,
  attrs: ReadonlyMap<string, string>,
  meta: ReadonlyMap<string, string>,
  now: Date,
): string | undefined {
  let count = 0;
  let last = 0;
  for (const [name, value] of attrs) {
    const m = /^(fail-count|last-failure)-(.+?)(?:#.*)?$/.exec(name);
    if (m === null || (m[2] !== id && m[2]!.replace(/:\d+$/, "") !== id)) continue;
    if (m[1] === "fail-count") count = Math.min(INF, count + Math.max(0, parseScore(value)));
    else last = Math.max(last, Number(value) || 0);
  }
  if (count <= 0) return undefined;
  const threshold = meta.has("migration-threshold") ? parseScore(meta.get("migration-threshold")) : INF;
  if (threshold <= 0) return undefined;
  const timeoutSec = Math.floor((parseIntervalMs(meta.get("failure-timeout") ?? "0") ?? 0) / 1000);
  if (timeoutSec > 0 && last > 0 && last + timeoutSec <= now.getTime() / 1000) return undefined;
  if (count < threshold) return undefined;
  return `its fail count ${count} reached migration-threshold ${threshold}`;
}
