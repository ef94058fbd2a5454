/**
 * Immutable updates: each helper returns a new tree that shares every unchanged subtree with
 * the old one (only the ancestors of the changed element are copied). The old tree is never
 * modified, so a rejected update changes nothing.
 *
 * @example
 * ```ts
 * const next = replaceById(cib, "rsc1", { ...rsc1, attrs: { ...rsc1.attrs, type: "Stateful" } });
 * ```
 */
import { AtriumError, quote } from "../errors.ts";
import { indexOf } from "./_index.ts";
import type { CibElement, CibNode } from "./model.ts";

function notFound(what: string, id: string): AtriumError {
  return new AtriumError("CIB_NOT_FOUND", `Cannot ${what} element ${quote(id)}: no element has that id`, {
    details: { id },
  });
}

/** Rebuild the ancestors of `target` (inside `root`) with `replacement` in its place. */
function rebuild<T extends CibElement>(root: T, target: CibElement, replacement: CibElement | undefined): T {
  if (target === root) {
    if (replacement === undefined) throw new RangeError("Cannot remove the root element of a document");
    return replacement as T;
  }
  const parent = indexOf(root).parent;
  let cur: CibElement = target;
  let next: CibElement | undefined = replacement;
  for (;;) {
    const p = parent.get(cur);
    if (p === undefined) throw new RangeError("Cannot update an element that is not part of the document");
    const i = p.children.indexOf(cur);
    const children: CibNode[] = p.children.slice();
    if (next === undefined) children.splice(i, 1);
    else children[i] = next;
    next = { tag: p.tag, attrs: p.attrs, children };
    if (p === root) return next as T;
    cur = p;
  }
}

/**
 * A new document with `target` (an element of `root`, by identity) replaced by `replacement`.
 *
 * @throws {RangeError} when `target` is not in the document
 */
export function replaceElement<T extends CibElement>(
  root: T,
  target: CibElement,
  replacement: CibElement,
): T {
  return rebuild(root, target, replacement);
}

/**
 * A new document with `target` (by identity) removed.
 *
 * @throws {RangeError} when `target` is the root or not in the document
 */
export function removeElement<T extends CibElement>(root: T, target: CibElement): T {
  return rebuild(root, target, undefined);
}

/**
 * A new document where the first element with id `id` is replaced by `newEl`.
 *
 * @throws {AtriumError} `CIB_NOT_FOUND` when no element has that id
 * @example
 * ```ts
 * const next = replaceById(cib, "rsc1-meta", metaEl);
 * ```
 */
export function replaceById<T extends CibElement>(root: T, id: string, newEl: CibElement): T {
  const el = indexOf(root).byId.get(id)?.[0];
  if (el === undefined) throw notFound("replace", id);
  return rebuild(root, el, newEl);
}

/**
 * A new document without the first element with id `id` (and its subtree).
 *
 * @throws {AtriumError} `CIB_NOT_FOUND` when no element has that id
 */
export function removeById<T extends CibElement>(root: T, id: string): T {
  const el = indexOf(root).byId.get(id)?.[0];
  if (el === undefined) throw notFound("remove", id);
  return rebuild(root, el, undefined);
}

/**
 * A new element: `parent` with `node` appended to its children (attributes and other children
 * shared). To put it into a document, use {@link replaceElement} or {@link appendChildById}.
 *
 * @example
 * ```ts
 * const resources2 = appendChild(resources, primitiveEl);
 * ```
 */
export function appendChild<T extends CibElement>(parent: T, node: CibNode): T {
  return { tag: parent.tag, attrs: parent.attrs, children: [...parent.children, node] } as CibElement as T;
}

/**
 * A new document where `node` is appended to the first element with id `parentId`.
 *
 * @throws {AtriumError} `CIB_NOT_FOUND` when no element has that id
 */
export function appendChildById<T extends CibElement>(root: T, parentId: string, node: CibNode): T {
  const el = indexOf(root).byId.get(parentId)?.[0];
  if (el === undefined) throw notFound("append to", parentId);
  return rebuild(root, el, appendChild(el, node));
}

/**
 * A new element with attributes changed: a string sets (kept in place, or appended), `undefined`
 * removes.
 *
 * @example
 * ```ts
 * withAttrs(op, { timeout: "30s", description: undefined });
 * ```
 */
export function withAttrs<T extends CibElement>(
  el: T,
  changes: Readonly<Record<string, string | undefined>>,
): T {
  const attrs: Record<string, string> = { ...el.attrs };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete attrs[k];
    else Object.defineProperty(attrs, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return { tag: el.tag, attrs, children: el.children } as CibElement as T;
}
