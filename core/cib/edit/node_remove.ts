/**
 * `removeNode`: forget a node, as `crm_node --remove` / `pcs cluster node remove` do: its
 * entry in the nodes section AND its `node_state` in the status section (so no ghost node is
 * left behind). Refused while resources still tie the node in: a remote or guest node whose
 * connection or container resource is configured (delete that resource first, or the node
 * comes back with it), and a cluster node that hosts a configured guest's container or a
 * remote node's connection (delete or move those first).
 */
import { AtriumError, quote } from "../../errors.ts";
import type { Cib, CibNode } from "../model.ts";
import { clusterNodes } from "../query_nodes.ts";
import { nodes } from "../query.ts";
import { nodeStates } from "../query_status.ts";
import { clusterStatus } from "../../status/model.ts";
import { checkName, updateSection, updateStatus } from "./_util.ts";

function isEl(n: CibNode): n is CibNode & { attrs: Record<string, string> } {
  return n.tag !== "#text" && n.tag !== "#comment";
}

/** Throw NODE_IN_USE when cluster node `name` runs a guest's container or a remote connection. */
function refuseIfHosting(cib: Cib, name: string): void {
  const st = clusterStatus(cib);
  const active = new Map(st.resources.map((r) => [r.id, r.active_on]));
  const hosted = st.nodes.filter((n) =>
    n.kind !== "cluster" &&
    (n.host === name || (n.kind === "remote" && n.connection !== undefined && (active.get(n.connection) ?? []).includes(name)))
  );
  if (hosted.length === 0) return;
  const list = hosted.map((n) => `${n.kind} node ${quote(n.name)} (resource ${quote(n.container ?? n.connection ?? n.name)})`).join(", ");
  throw new AtriumError(
    "NODE_IN_USE",
    `Cannot remove node ${quote(name)}: it hosts ${list} (expected those resources to be deleted or moved first)`,
    { details: { node: name, hosted: hosted.map((n) => n.name) } },
  );
}

/**
 * A new document without node `name` (matched by uname, or id when it has no uname) in the
 * nodes and status sections.
 *
 * @throws {AtriumError} `CIB_NOT_FOUND` when neither section knows the node;
 *   `NODE_IN_USE` when a configured resource still defines it (remote connection or guest
 *   container), or when it hosts a guest's container or a remote node's connection
 * @example
 * ```ts
 * removeNode(cib, "node3");
 * ```
 */
export function removeNode(cib: Cib, name: string): Cib {
  checkName(name, "node name");
  const def = clusterNodes(cib).find((n) => n.name === name);
  if (def !== undefined && (def.connection !== undefined || def.container !== undefined)) {
    const rsc = def.bundle ?? def.container ?? def.connection!;
    const kind = def.kind === "remote" ? "remote" : "guest";
    throw new AtriumError(
      "NODE_IN_USE",
      `Cannot remove ${kind} node ${quote(name)}: resource ${quote(rsc)} still defines it (expected the resource to be deleted first)`,
      { details: { node: name, resource: rsc, kind } },
    );
  }
  if (def?.kind === "cluster") refuseIfHosting(cib, name);
  const matches = (a: Record<string, string>): boolean => a.uname === name || (a.uname === undefined && a.id === name) || (def !== undefined && a.id === def.id);
  const inNodes = nodes(cib).some((n) => matches(n.attrs));
  const inStatus = nodeStates(cib).some((s) => matches(s.attrs));
  if (!inNodes && !inStatus) {
    throw new AtriumError("CIB_NOT_FOUND", `Cannot remove node ${quote(name)}: no such node in the nodes or status section`, {
      details: { node: name },
    });
  }
  let next = cib;
  if (inNodes) {
    next = updateSection(next, "nodes", (s) => ({
      tag: s.tag,
      attrs: s.attrs,
      children: s.children.filter((c) => !(isEl(c) && c.tag === "node" && matches(c.attrs))),
    }));
  }
  if (inStatus) {
    next = updateStatus(next, (st) => ({
      tag: st.tag,
      attrs: st.attrs,
      children: st.children.filter((c) => !(isEl(c) && c.tag === "node_state" && matches(c.attrs))),
    }));
  }
  return next;
}
