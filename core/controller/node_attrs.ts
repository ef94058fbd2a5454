/**
 * Transient node attributes as Pacemaker 2.1.5 keeps them in the status section
 * (`node_state/transient_attributes/instance_attributes id="status-NODEID"`), the failure
 * attributes the controller sets after a failed operation (`fail-count-RSC#OP_INTERVAL` and
 * `last-failure-RSC#OP_INTERVAL`), and the `node_state` of remote and guest nodes.
 *
 * @example
 * ```ts
 * cib = recordFailure(cib, "node1", "web", "monitor", 10000, { now: Date.now() });
 * ```
 * @module
 */
import type { Cib, CibElement } from "../cib/model.ts";
import { childEl, elem, nodeRef, putChild, sanitizeId, updateNodeState } from "./_status_tree.ts";

/** Pacemaker's INFINITY score. */
export const INFINITY_SCORE = 1_000_000;

/** `fail-count-RSC#OP_INTERVAL` (`pcmk__failcount_name`). */
export function failCountName(resource: string, task: string, intervalMs: number): string {
  return `fail-count-${resource}#${task}_${intervalMs}`;
}

/** `last-failure-RSC#OP_INTERVAL` (`pcmk__lastfailure_name`). */
export function lastFailureName(resource: string, task: string, intervalMs: number): string {
  return `last-failure-${resource}#${task}_${intervalMs}`;
}

/** A node's transient attribute, or undefined. */
export function nodeAttribute(cib: Cib, node: string, name: string): string | undefined {
  const ref = nodeRef(cib, node);
  const status = childEl(cib, "status");
  const ns = status?.children.find((c) => c.tag === "node_state" && "attrs" in c && (c.attrs.id === ref.id || c.attrs.uname === node)) as CibElement | undefined;
  for (const ta of ns?.children ?? []) {
    if (ta.tag !== "transient_attributes" || !("attrs" in ta)) continue;
    for (const set of ta.children) {
      if (set.tag !== "instance_attributes" || !("attrs" in set)) continue;
      for (const p of set.children) if (p.tag === "nvpair" && "attrs" in p && p.attrs.name === name) return p.attrs.value;
    }
  }
  return undefined;
}

/** Set (or, with `undefined`, remove) a transient attribute of `node`. */
export function setNodeAttribute(cib: Cib, node: string, name: string, value: string | undefined): Cib {
  if (nodeAttribute(cib, node, name) === value) return cib;
  const ref = nodeRef(cib, node);
  return updateNodeState(cib, ref, "attrd", (ns) => {
    const ta = childEl(ns, "transient_attributes") ?? elem("transient_attributes", { id: ref.id });
    const setId = `status-${ref.id}`;
    const set = childEl(ta, "instance_attributes") ?? elem("instance_attributes", { id: setId });
    const existing = set.children.find((p) => p.tag === "nvpair" && "attrs" in p && p.attrs.name === name) as CibElement | undefined;
    const pairId = existing?.attrs.id ?? sanitizeId(`${setId}-${name}`);
    const pair = value === undefined ? undefined : elem("nvpair", { id: pairId, name, value });
    const kids = set.children.flatMap((p) => (p === existing ? (pair ? [pair] : []) : [p]));
    if (!existing && pair) kids.push(pair);
    const fixed: CibElement = { ...set, children: kids };
    return putChild(ns, "transient_attributes", undefined, putChild(ta, "instance_attributes", undefined, fixed));
  });
}

function parseCount(v: string | undefined): number {
  if (v === undefined) return 0;
  const t = v.trim().toUpperCase();
  if (t === "INFINITY" || t === "+INFINITY") return INFINITY_SCORE;
  const n = Number.parseInt(t, 10);
  return Number.isFinite(n) && n > 0 ? Math.min(n, INFINITY_SCORE) : 0;
}

/** Options of {@link recordFailure}. */
export interface FailureOptions {
  /** Epoch ms of the failure (last-failure is written in seconds). */
  readonly now: number;
  /** Set the fail count to INFINITY instead of incrementing it (failed start or stop). */
  readonly infinity?: boolean;
  /** on-fail=ignore: update last-failure only. */
  readonly ignore?: boolean;
}

/**
 * Update the failure attributes after a failed operation, as Pacemaker's controller does:
 * recurring operations, promote and demote increment the fail count; a failed start sets it to
 * INFINITY when start-failure-is-fatal (pass `infinity`), a failed stop always does.
 */
export function recordFailure(cib: Cib, node: string, resource: string, task: string, intervalMs: number, opts: FailureOptions): Cib {
  let out = cib;
  if (!opts.ignore) {
    const name = failCountName(resource, task, intervalMs);
    const infinity = opts.infinity === true || (task === "stop" && intervalMs === 0);
    const count = infinity ? INFINITY_SCORE : Math.min(INFINITY_SCORE, parseCount(nodeAttribute(cib, node, name)) + 1);
    out = setNodeAttribute(out, node, name, count >= INFINITY_SCORE ? "INFINITY" : String(count));
  }
  return setNodeAttribute(out, node, lastFailureName(resource, task, intervalMs), String(Math.floor(opts.now / 1000)));
}

/** Does a failed `task` at `intervalMs` update the failure attributes (probes do not)? */
export function countsAsFailure(task: string, intervalMs: number): boolean {
  return intervalMs > 0 || task === "promote" || task === "demote" || task === "start" || task === "stop";
}

/** Record a remote or guest node as up (`in_ccm="true"`) or down in its `node_state`. */
export function markRemoteNode(cib: Cib, name: string, up: boolean): Cib {
  const ref = { ...nodeRef(cib, name), remote: true };
  const origin = up ? "remote_node_up" : "remote_node_down";
  return updateNodeState(cib, ref, origin, (ns) => {
    const a = ns.attrs;
    if (a.in_ccm === String(up) && a.remote_node === "true") return ns;
    return { ...ns, attrs: { ...a, remote_node: "true", in_ccm: String(up), "crm-debug-origin": origin, node_fenced: a.node_fenced ?? "0" } };
  });
}
