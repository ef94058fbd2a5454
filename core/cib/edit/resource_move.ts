/**
 * `moveResource` / `clearResource`: the `cli-prefer-RSC` location constraint (score INFINITY on
 * the target node) that `crm_resource --move --node N` writes, and its removal together with any
 * `cli-ban-RSC-on-NODE` constraint, as `crm_resource --clear` does.
 */
import type { Cib, CibNode } from "../model.ts";
import { child } from "../query.ts";
import { checkId, checkName, el, requireNode, requireResource, updateSection } from "./_util.ts";

/** The id of the constraint {@link moveResource} writes for resource `rsc`. */
export function preferConstraintId(rsc: string): string {
  return `cli-prefer-${rsc}`;
}

function isCliConstraint(n: CibNode, rsc: string): boolean {
  if (n.tag !== "rsc_location") return false;
  const id = (n as { attrs: Record<string, string> }).attrs.id ?? "";
  return id === `cli-prefer-${rsc}` || id.startsWith(`cli-ban-${rsc}-on-`);
}

/**
 * A new document where resource `rsc` prefers `node` with score INFINITY (replacing an earlier
 * move of the same resource, and any ban of it).
 *
 * @throws {AtriumError} `CIB_NOT_FOUND` for an unknown resource or node
 * @example
 * ```ts
 * moveResource(cib, "web", "node2");
 * ```
 */
export function moveResource(cib: Cib, rsc: string, node: string): Cib {
  checkId(rsc, "resource id");
  checkName(node, "node name");
  requireResource(cib, rsc, "move");
  requireNode(cib, node, `move resource "${rsc}" to`);
  const loc = el("rsc_location", { id: preferConstraintId(rsc), rsc, role: "Started", node, score: "INFINITY" });
  return updateSection(cib, "constraints", (s) => ({
    tag: s.tag,
    attrs: s.attrs,
    children: [...s.children.filter((c) => !isCliConstraint(c, rsc)), loc],
  }));
}

/**
 * A new document without the move and ban constraints of resource `rsc` (the same document when
 * there are none). The resource need not exist any more: clearing what a deleted resource left
 * is allowed.
 *
 * @example
 * ```ts
 * clearResource(cib, "web");
 * ```
 */
export function clearResource(cib: Cib, rsc: string): Cib {
  checkId(rsc, "resource id");
  const sec = child(child(cib, "configuration"), "constraints");
  if (sec === undefined || !sec.children.some((c) => isCliConstraint(c, rsc))) {
    requireResource(cib, rsc, "clear the move constraints of");
    return cib;
  }
  return updateSection(cib, "constraints", (s) => ({
    tag: s.tag,
    attrs: s.attrs,
    children: s.children.filter((c) => !isCliConstraint(c, rsc)),
  }));
}
