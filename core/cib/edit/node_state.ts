/**
 * `markNodeMember`: record in the status section that a cluster node is up and a member (its
 * `node_state` with `in_ccm="true" crmd="online" join="member" expected="member"`), as
 * Pacemaker's controller does when the node joins. The daemon writes it for the local node at
 * start; the controller will own membership later.
 */
import type { Cib, CibElement } from "../model.ts";
import { nodeStates } from "../query_status.ts";
import { replaceElement } from "../update.ts";
import { clusterNodes } from "../query_nodes.ts";
import { checkName, el, requireNode, updateSection, updateStatus } from "./_util.ts";

const MEMBER = { in_ccm: "true", crmd: "online", join: "member", expected: "member" } as const;

/**
 * A new document with cluster node `name` in the nodes section (`<node id=NAME uname=NAME/>`),
 * or the same document when a node of that name is known, as the controller adds a joining node.
 *
 * @example
 * ```ts
 * markNodeMember(addClusterNode(cib, "node2"), "node2");
 * ```
 */
export function addClusterNode(cib: Cib, name: string): Cib {
  checkName(name, "node name");
  if (clusterNodes(cib).some((n) => n.name === name)) return cib;
  const fresh = el("node", { id: name, uname: name });
  return updateSection(cib, "nodes", (s) => ({ tag: s.tag, attrs: s.attrs, children: [...s.children, fresh] }));
}

/**
 * A new document where cluster node `name` is a member (`online` false: it left, `in_ccm` and
 * `crmd` false/offline, `join="down"`).
 *
 * @throws {AtriumError} `CIB_NOT_FOUND` for an unknown node
 * @example
 * ```ts
 * markNodeMember(cib, "node1");
 * ```
 */
export function markNodeMember(cib: Cib, name: string, online = true): Cib {
  checkName(name, "node name");
  const node = requireNode(cib, name, "record the membership of");
  const attrs: Record<string, string> = online
    ? { ...MEMBER }
    : { in_ccm: "false", crmd: "offline", join: "down", expected: "down" };
  const ns = nodeStates(cib).find((s) => s.attrs.uname === name || s.attrs.id === node.id);
  if (ns !== undefined) {
    if (Object.entries(attrs).every(([k, v]) => ns.attrs[k] === v)) return cib;
    return replaceElement(cib, ns, { ...(ns as CibElement), attrs: { ...ns.attrs, ...attrs } });
  }
  const fresh = el("node_state", { id: node.id, uname: name, ...attrs, "crm-debug-origin": "atriumd" });
  return updateStatus(cib, (st) => ({ tag: st.tag, attrs: st.attrs, children: [...st.children, fresh] }));
}
