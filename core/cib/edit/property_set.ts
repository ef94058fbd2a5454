/**
 * `setProperty`: a cluster option in `cib-bootstrap-options` (`pcs property set NAME=VALUE`,
 * `crm_attribute --type crm_config`). An empty value or undefined removes it.
 */
import type { Cib, CibElement } from "../model.ts";
import { child } from "../query.ts";
import { replaceElement } from "../update.ts";
import { checkName, checkValue, el, setNvPair, updateSection } from "./_util.ts";

/**
 * A new document with cluster property `name` set to `value` in the `cib-bootstrap-options`
 * set (created when missing), or removed when `value` is undefined or empty.
 *
 * @throws {TypeError} for a malformed name or value
 * @example
 * ```ts
 * setProperty(cib, "stonith-enabled", "false");
 * ```
 */
export function setProperty(cib: Cib, name: string, value: string | undefined): Cib {
  checkName(name, "cluster property name");
  if (value !== undefined) checkValue(value, `value of cluster property "${name}"`);
  const v = value === "" ? undefined : value;
  const crm = child(child(cib, "configuration"), "crm_config");
  let doc = cib;
  let set: CibElement | undefined = crm?.children.find((c) => c.tag === "cluster_property_set" && (c as CibElement).attrs.id === "cib-bootstrap-options") as CibElement | undefined;
  if (set === undefined) {
    if (v === undefined) return cib;
    const fresh = el("cluster_property_set", { id: "cib-bootstrap-options" });
    doc = updateSection(cib, "crm_config", (s) => ({ tag: s.tag, attrs: s.attrs, children: [fresh, ...s.children] }));
    set = fresh;
  }
  // setNvPair works on an owner of sets: wrap the set's pairs through a pseudo owner.
  const owner = el("owner", {}, [set]);
  const updated = setNvPair(doc, owner, "cluster_property_set", "cib-bootstrap-options", name, v);
  if (updated === owner) return doc;
  const newSet = updated.children.find((c) => c.tag === "cluster_property_set") as CibElement | undefined;
  if (newSet === undefined) {
    // The set became empty: keep it (Pacemaker keeps cib-bootstrap-options), without pairs.
    return replaceElement(doc, set, { tag: set.tag, attrs: set.attrs, children: [] });
  }
  return replaceElement(doc, set, newSet);
}
