/**
 * Recurring monitors the transition should have but does not: a resource active where it stays
 * (no action of its own in the transition) whose configured recurring monitor has no history
 * entry there (for instance after a transition was aborted between a start and its monitor).
 * Pacemaker's scheduler schedules those; the controller adds any that are missing.
 *
 * @example
 * ```ts
 * const t2 = withMissingMonitors(t, cib);
 * ```
 * @module
 */
import type { Cib } from "../cib/model.ts";
import { nvValues, ops, walkResources } from "../cib/query.ts";
import type { Transition, TransitionAction } from "../scheduler/mod.ts";
import { durationMs } from "./_duration.ts";
import { childEl, findNodeState, nodeRef } from "./_status_tree.ts";

/** The monitor interval (and timeout) of an implicit guest connection. */
export const GUEST_MONITOR_MS = 30_000;

function hasHistory(cib: Cib, node: string, rsc: string, id: string): boolean {
  const ns = findNodeState(cib, nodeRef(cib, node));
  const lr = childEl(childEl(childEl(ns, "lrm"), "lrm_resources"), "lrm_resource", rsc);
  if (childEl(lr, "lrm_rsc_op", id) !== undefined) return true;
  // A recurring monitor whose first run failed is only in last_failure_0: it was run, unless
  // the resource was (re)started after that failure (the monitor of that start never ran).
  const failure = childEl(lr, "lrm_rsc_op", `${rsc}_last_failure_0`);
  if (failure?.attrs.operation_key !== id) return false;
  const last = childEl(lr, "lrm_rsc_op", `${rsc}_last_0`);
  if (!last || !/^(start|promote|migrate_from)$/.test(last.attrs.operation ?? "")) return true;
  const n = (el: typeof last, a: string): number => Number(el.attrs[a] ?? -1);
  // Call ids restart with the daemon: a later change time also says "after".
  const after = n(last, "call-id") > n(failure, "call-id") || n(last, "last-rc-change") > n(failure, "last-rc-change");
  return !after;
}

/** `t` with the missing recurring monitors of stable, active primitives appended. */
export function withMissingMonitors(t: Transition, cib: Cib): Transition {
  const touched = new Set(t.actions.map((a) => a.resource).filter((r): r is string => r !== undefined));
  let next = t.actions.reduce((m, a) => Math.max(m, a.id), -1) + 1;
  const added: TransitionAction[] = [];
  for (const v of walkResources(cib)) {
    const p = v.resource;
    if (p.tag !== "primitive" || v.ancestors.some((a) => a.tag === "clone" || a.tag === "master" || a.tag === "bundle")) continue;
    const id = p.attrs.id;
    if (id === undefined || touched.has(id)) continue;
    const cur = t.current[id] ?? [];
    const after = t.placement[id] ?? [];
    if (cur.length !== 1 || after.length !== 1 || cur[0]!.node !== after[0]!.node || cur[0]!.role !== after[0]!.role) continue;
    const { node, role } = after[0]!;
    if (t.nodes[node]?.state !== "online") continue;
    const meta = nvValues(p, "meta_attributes", { cib });
    if (/^(false|no|off|0)$/i.test(meta.get("is-managed") ?? "true")) continue;
    for (const o of ops(p, { cib })) {
      const interval = durationMs(o.attrs.interval, 0);
      if (o.attrs.name !== "monitor" || interval <= 0 || /^(false|no|off|0)$/i.test(o.attrs.enabled ?? "true")) continue;
      const opRole = (o.attrs.role ?? "").toLowerCase();
      const promotedOp = opRole === "master" || opRole === "promoted";
      if (promotedOp !== (role === "Promoted")) continue;
      const key = `${id}_monitor_${interval}`;
      if (hasHistory(cib, node, id, key)) continue;
      added.push({
        id: next++, kind: "monitor", key, resource: id, node, interval, timeout: durationMs(o.attrs.timeout, 20_000), inputs: [], runnable: true,
      });
    }
  }
  // Implicit guest connections (Pacemaker gives them a 30s monitor with a 30s timeout).
  for (const v of walkResources(cib)) {
    if (v.resource.tag !== "primitive") continue;
    const guest = nvValues(v.resource, "meta_attributes", { cib }).get("remote-node");
    if (guest === undefined || touched.has(guest)) continue;
    const cur = t.current[guest] ?? [];
    const after = t.placement[guest] ?? [];
    if (cur.length !== 1 || after.length !== 1 || cur[0]!.node !== after[0]!.node) continue;
    const node = after[0]!.node;
    const key = `${guest}_monitor_${GUEST_MONITOR_MS}`;
    if (t.nodes[node]?.state !== "online" || hasHistory(cib, node, guest, key)) continue;
    added.push({ id: next++, kind: "monitor", key, resource: guest, node, interval: GUEST_MONITOR_MS, timeout: GUEST_MONITOR_MS, inputs: [], runnable: true });
  }
  return added.length === 0 ? t : { ...t, actions: [...t.actions, ...added] };
}
