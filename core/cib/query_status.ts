/**
 * Typed read helpers over the CIB status section: node states, operation history
 * (`lrm_resource` / `lrm_rsc_op`), transient node attributes and tickets.
 *
 * @example
 * ```ts
 * for (const ns of nodeStates(cib)) {
 *   for (const r of lrmResources(ns)) console.log(ns.attrs.uname, r.attrs.id, lrmRscOps(r).length);
 * }
 * ```
 */
import type { Cib, CibElement, CibNode, LrmResource, LrmRscOp, NodeState, NvPair } from "./model.ts";

function kids<T extends string>(el: CibElement | undefined, tag: T): CibElement<T>[] {
  if (el === undefined) return [];
  const out: CibElement<T>[] = [];
  for (const c of el.children as readonly CibNode[]) if (c.tag === tag) out.push(c as CibElement<T>);
  return out;
}

function first<T extends string>(el: CibElement | undefined, tag: T): CibElement<T> | undefined {
  if (el === undefined) return undefined;
  for (const c of el.children as readonly CibNode[]) if (c.tag === tag) return c as CibElement<T>;
  return undefined;
}

/** The `<node_state>` entries of the status section, in document order. */
export function nodeStates(cib: Cib): NodeState[] {
  return kids(first(cib, "status"), "node_state") as NodeState[];
}

/** The node state of the node with id or uname `node` (id matched first). */
export function nodeState(cib: Cib, node: string): NodeState | undefined {
  const all = nodeStates(cib);
  return all.find((n) => n.attrs.id === node) ?? all.find((n) => n.attrs.uname === node);
}

/** The `<lrm_resource>` entries (operation history per resource) of a node state. */
export function lrmResources(ns: CibElement): LrmResource[] {
  return kids(first(first(ns, "lrm"), "lrm_resources"), "lrm_resource") as LrmResource[];
}

/** The recorded operations of an `lrm_resource`, in document order. */
export function lrmRscOps(r: CibElement): LrmRscOp[] {
  return kids(r, "lrm_rsc_op") as LrmRscOp[];
}

/** The `transient_attributes` nvpairs of a node state (all `instance_attributes` sets, in order). */
export function transientAttributePairs(ns: CibElement): NvPair[] {
  const out: NvPair[] = [];
  for (const ta of kids(ns, "transient_attributes")) {
    for (const set of kids(ta, "instance_attributes")) out.push(...(kids(set, "nvpair") as NvPair[]));
  }
  return out;
}

/** A node state's transient attributes as name -> value (first value of a name wins). */
export function transientAttributes(ns: CibElement): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of transientAttributePairs(ns)) {
    const name = p.attrs.name;
    if (name !== undefined && !out.has(name)) out.set(name, p.attrs.value ?? "");
  }
  return out;
}

/** The `<ticket_state>` entries of `status/tickets`. */
export function ticketStates(cib: Cib): CibElement<"ticket_state">[] {
  return kids(first(first(cib, "status"), "tickets"), "ticket_state");
}
