/**
 * `cleanupResource`: forget a resource's operation history and failures, as
 * `crm_resource --cleanup` / `--refresh` does: its `lrm_resource` entries (every resource
 * inside it, clone instances `ID:N` included) and its `fail-count-*` / `last-failure-*`
 * transient attributes, on every node or on one. A status-only change: the controller re-probes.
 */
import { AtriumError, quote } from "../../errors.ts";
import type { Cib, CibElement, CibNode } from "../model.ts";
import { childrenOf } from "../query.ts";
import { lrmResources, nodeStates } from "../query_status.ts";
import { checkId, checkName, findResource, requireNode, updateStatus } from "./_util.ts";
import { resourceIdsWithin } from "./resource_delete.ts";

/** Options of {@link cleanupResource}. */
export interface CleanupOptions {
  /** Only on this node (default: every node). */
  readonly node?: string;
}

function baseId(id: string): string {
  return id.replace(/:\d+$/, "");
}

function isFailAttr(name: string, ids: ReadonlySet<string>): boolean {
  const m = /^(?:fail-count|last-failure)-(.+?)(?:#.*)?$/.exec(name);
  return m !== null && ids.has(baseId(m[1]!));
}

function without(e: CibElement, drop: (c: CibNode) => boolean): CibElement {
  const kids = e.children.filter((c) => !drop(c));
  return kids.length === e.children.length ? e : { tag: e.tag, attrs: e.attrs, children: kids };
}

function cleanNodeState(ns: CibElement, ids: ReadonlySet<string>): CibElement {
  return {
    tag: ns.tag,
    attrs: ns.attrs,
    children: ns.children.map((c) => {
      if (c.tag === "lrm") {
        return { ...(c as CibElement), children: (c as CibElement).children.map((r) =>
          r.tag === "lrm_resources" ? without(r as CibElement, (x) => x.tag === "lrm_resource" && ids.has(baseId((x as CibElement).attrs.id ?? ""))) : r
        ) };
      }
      if (c.tag === "transient_attributes") {
        return { ...(c as CibElement), children: (c as CibElement).children.map((set) =>
          set.tag === "instance_attributes" ? without(set as CibElement, (p) => p.tag === "nvpair" && isFailAttr((p as CibElement).attrs.name ?? "", ids)) : set
        ) };
      }
      return c;
    }),
  };
}

function touches(ns: CibElement, ids: ReadonlySet<string>): boolean {
  if (lrmResources(ns).some((r) => ids.has(baseId(r.attrs.id ?? "")))) return true;
  for (const ta of childrenOf(ns, "transient_attributes")) {
    for (const set of childrenOf(ta, "instance_attributes")) {
      if (childrenOf(set, "nvpair").some((p) => isFailAttr(p.attrs.name ?? "", ids))) return true;
    }
  }
  return false;
}

/**
 * A new document without the operation history and failure attributes of resource `id` (the
 * same document when there is nothing to forget). A resource that is no longer configured but
 * still has history (an orphan) can be cleaned up too.
 *
 * @throws {AtriumError} `CIB_NOT_FOUND` when neither the configuration nor the status knows `id`,
 *   or for an unknown node
 * @example
 * ```ts
 * cleanupResource(cib, "web", { node: "node1" });
 * ```
 */
export function cleanupResource(cib: Cib, id: string, options: CleanupOptions = {}): Cib {
  checkId(id, "resource id");
  const r = findResource(cib, id);
  const ids = r !== undefined ? resourceIdsWithin(r) : new Set([id]);
  const states = nodeStates(cib);
  if (r === undefined && !states.some((ns) => touches(ns, ids))) {
    throw new AtriumError("CIB_NOT_FOUND", `Cannot clean up resource ${quote(id)}: no resource has that id and no node has history of it`, {
      details: { resource: id },
    });
  }
  let node: string | undefined;
  if (options.node !== undefined) {
    node = checkName(options.node, "node name");
    const known = states.some((ns) => ns.attrs.uname === node || ns.attrs.id === node);
    if (!known) requireNode(cib, node, `clean up resource "${id}" on`);
  }
  const targets = states.filter((ns) => (node === undefined || ns.attrs.uname === node || ns.attrs.id === node) && touches(ns, ids));
  if (targets.length === 0) return cib;
  return updateStatus(cib, (st) => ({
    tag: st.tag,
    attrs: st.attrs,
    children: st.children.map((c) => (targets.includes(c as never) ? cleanNodeState(c as CibElement, ids) : c)),
  }));
}
