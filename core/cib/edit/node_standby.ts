/**
 * `setNodeStandby`: the permanent `standby` node attribute in the nodes section, as
 * `crm_standby` / `pcs node standby` write it (`<instance_attributes id="nodes-ID">` with
 * `<nvpair id="nodes-ID-standby" name="standby" value="on">`). Remote and guest nodes get a
 * `<node type="remote">` entry when they have none, as Pacemaker creates one.
 */
import type { Cib, CibElement } from "../model.ts";
import { replaceElement } from "../update.ts";
import { checkName, el, requireNode, setNvPair, updateSection } from "./_util.ts";

/**
 * A new document where node `name` is in standby (`on` true) or not (the attribute removed).
 *
 * @throws {AtriumError} `CIB_NOT_FOUND` for an unknown node
 * @example
 * ```ts
 * setNodeStandby(cib, "node1", true);
 * ```
 */
export function setNodeStandby(cib: Cib, name: string, on: boolean): Cib {
  checkName(name, "node name");
  if (typeof on !== "boolean") throw new TypeError(`Cannot set standby of node "${name}" to ${JSON.stringify(on)}: expected true or false`);
  const node = requireNode(cib, name, on ? "put in standby" : "take out of standby");
  let doc = cib;
  let entry: CibElement | undefined = node.entry;
  if (entry === undefined) {
    if (!on) return cib; // nothing to remove
    const fresh = el("node", { id: node.id, uname: node.name, type: "remote" });
    doc = updateSection(cib, "nodes", (s) => ({ tag: s.tag, attrs: s.attrs, children: [...s.children, fresh] }));
    entry = fresh;
  }
  const id = entry.attrs.id ?? node.id;
  const next = setNvPair(doc, entry, "instance_attributes", `nodes-${id}`, "standby", on ? "on" : undefined);
  return next === entry ? doc : replaceElement(doc, entry, next);
}
