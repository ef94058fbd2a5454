/**
 * Immutable helpers over the status section: find or create a node's `node_state`, replace
 * children by id. Internal to the controller's recording.
 */
import type { Cib, CibElement, CibNode } from "../cib/model.ts";

/** A node as the status section names it. */
export interface NodeRef {
  readonly name: string;
  /** The node id (cluster nodes: from the nodes section; remote and guest nodes: the name). */
  readonly id: string;
  readonly remote: boolean;
}

/** Build an element. */
export function elem(tag: string, attrs: Record<string, string>, children: readonly CibNode[] = []): CibElement {
  return { tag, attrs, children };
}

/** The first child element with `tag` (and `id`, when given). */
export function childEl(el: CibElement | undefined, tag: string, id?: string): CibElement | undefined {
  if (!el) return undefined;
  for (const c of el.children) {
    if (c.tag === tag && "attrs" in c && (id === undefined || c.attrs.id === id)) return c;
  }
  return undefined;
}

/** Replace (or append) the child element `tag` whose id is `id` with `next` (or remove it when undefined). */
export function putChild(el: CibElement, tag: string, id: string | undefined, next: CibElement | undefined): CibElement {
  const kids: CibNode[] = [];
  let done = false;
  for (const c of el.children) {
    if (!done && c.tag === tag && "attrs" in c && (id === undefined || c.attrs.id === id)) {
      done = true;
      if (next) kids.push(next);
      continue;
    }
    kids.push(c);
  }
  if (!done && next) kids.push(next);
  return { ...el, children: kids };
}

/** Resolve a node name to its status reference (cluster node ids come from the nodes section). */
export function nodeRef(cib: Cib, name: string): NodeRef {
  const conf = childEl(cib, "configuration");
  const nodes = childEl(conf, "nodes");
  for (const n of nodes?.children ?? []) {
    if (n.tag !== "node" || !("attrs" in n)) continue;
    if (n.attrs.uname === name) {
      const t = n.attrs.type;
      const remote = t === "remote";
      return { name, id: n.attrs.id ?? name, remote };
    }
  }
  const status = childEl(cib, "status");
  for (const ns of status?.children ?? []) {
    if (ns.tag === "node_state" && "attrs" in ns && ns.attrs.uname === name) {
      return { name, id: ns.attrs.id ?? name, remote: ns.attrs.remote_node === "true" };
    }
  }
  return { name, id: name, remote: true };
}

/** Find the node state of `ref`. */
export function findNodeState(cib: Cib, ref: NodeRef): CibElement | undefined {
  const status = childEl(cib, "status");
  for (const ns of status?.children ?? []) {
    if (ns.tag === "node_state" && "attrs" in ns && (ns.attrs.id === ref.id || ns.attrs.uname === ref.name)) return ns;
  }
  return undefined;
}

/** Apply `fn` to the node state of `ref` (created when missing) and return the new CIB. */
export function updateNodeState(cib: Cib, ref: NodeRef, origin: string, fn: (ns: CibElement) => CibElement): Cib {
  const status = childEl(cib, "status") ?? elem("status", {});
  const old = findNodeState(cib, ref);
  const base = old ?? elem("node_state", ref.remote
    ? { id: ref.id, uname: ref.name, remote_node: "true", "crm-debug-origin": origin }
    : { id: ref.id, uname: ref.name, "crm-debug-origin": origin });
  const next = fn(base);
  if (old === next) return cib;
  const kids: CibNode[] = [];
  let done = false;
  for (const c of status.children) {
    if (!done && c === old) { kids.push(next); done = true; continue; }
    kids.push(c);
  }
  if (!done) kids.push(next);
  const newStatus: CibElement = { ...status, children: kids };
  return (childEl(cib, "status") ? putChild(cib, "status", undefined, newStatus) : { ...cib, children: [...cib.children, newStatus] }) as Cib;
}

/** Replace Pacemaker's invalid id characters (`:` and `#`) with `.` (`crm_xml_sanitize_id`). */
export function sanitizeId(id: string): string {
  return id.replace(/[:#]/g, ".");
}
