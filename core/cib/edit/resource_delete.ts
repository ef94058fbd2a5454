/**
 * `deleteResource`: remove a resource and every constraint that refers to it (or to a resource
 * inside it), as `pcs resource delete` does. A group or clone left empty is removed too. The
 * operation history in the status section stays: the controller stops what is still running
 * (an orphan) and the history goes with the next cleanup.
 */
import type { Cib, CibElement, CibNode } from "../model.ts";
import { child, childrenOf } from "../query.ts";
import { removeElement } from "../update.ts";
import { checkId, parent, requireResource, updateSection } from "./_util.ts";

const REF_ATTRS = ["rsc", "with-rsc", "first", "then"];
const RSC_TAGS = new Set(["primitive", "group", "clone", "master", "bundle"]);

/** Every resource id at or below `r` (the resource itself first). */
export function resourceIdsWithin(r: CibElement): Set<string> {
  const out = new Set<string>();
  const stack = [r];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.attrs.id !== undefined) out.add(e.attrs.id);
    for (const c of childrenOf(e)) if (RSC_TAGS.has(c.tag)) stack.push(c);
  }
  return out;
}

function isEl(n: CibNode): n is CibElement {
  return n.tag !== "#text" && n.tag !== "#comment";
}

/** A constraint without references to `ids`, or undefined when nothing of it would be left. */
function pruneConstraint(c: CibElement, ids: ReadonlySet<string>): CibElement | undefined {
  for (const a of REF_ATTRS) if (c.attrs[a] !== undefined && ids.has(c.attrs[a]!)) return undefined;
  const sets = childrenOf(c, "resource_set");
  if (sets.length === 0) return c;
  let changed = false;
  const kids: CibNode[] = [];
  for (const k of c.children) {
    if (!isEl(k) || k.tag !== "resource_set") {
      kids.push(k);
      continue;
    }
    const refs = k.children.filter((r) => !(isEl(r) && r.tag === "resource_ref" && ids.has(r.attrs.id ?? "")));
    if (refs.length === k.children.length) {
      kids.push(k);
      continue;
    }
    changed = true;
    if (refs.some((r) => isEl(r) && r.tag === "resource_ref")) kids.push({ tag: k.tag, attrs: k.attrs, children: refs });
  }
  if (!changed) return c;
  if (!kids.some((k) => isEl(k) && k.tag === "resource_set")) return undefined;
  return { tag: c.tag, attrs: c.attrs, children: kids };
}

/**
 * The constraints section without any reference to `ids`: constraints naming one of them are
 * removed; in resource sets only the `resource_ref` goes (an emptied set, and a constraint left
 * without sets, go too).
 */
export function removeConstraintsOf(cib: Cib, ids: ReadonlySet<string>): Cib {
  const sec = child(child(cib, "configuration"), "constraints");
  if (sec === undefined) return cib;
  let changed = false;
  const kids: CibNode[] = [];
  for (const c of sec.children) {
    if (!isEl(c)) {
      kids.push(c);
      continue;
    }
    const p = pruneConstraint(c, ids);
    if (p !== c) changed = true;
    if (p !== undefined) kids.push(p);
  }
  return changed ? updateSection(cib, "constraints", (s) => ({ tag: s.tag, attrs: s.attrs, children: kids })) : cib;
}

/**
 * A new document without resource `id` (at any depth) and without the constraints that refer
 * to it or to a resource inside it.
 *
 * @throws {TypeError} for a malformed id
 * @throws {AtriumError} `CIB_NOT_FOUND` when no resource has that id
 * @example
 * ```ts
 * const next = deleteResource(cib, "web");
 * ```
 */
export function deleteResource(cib: Cib, id: string): Cib {
  checkId(id, "resource id");
  let target = requireResource(cib, id, "delete");
  const ids = resourceIdsWithin(target);
  // A group or clone with nothing else in it goes with its only member.
  for (;;) {
    const p = parent(cib, target);
    if (p === undefined || !RSC_TAGS.has(p.tag)) break;
    const others = childrenOf(p).filter((c) => c !== target && RSC_TAGS.has(c.tag));
    if (others.length > 0) break;
    target = p;
    if (p.attrs.id !== undefined) ids.add(p.attrs.id);
  }
  let next = removeElement(cib, target);
  next = removeConstraintsOf(next, ids);
  return next;
}
