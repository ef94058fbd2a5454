/**
 * The per-document index behind `findById` and the update helpers: every element's `id`
 * (all elements carrying that id, in document order) and every element's parent. Built once per
 * root object and cached in a WeakMap, so an unchanged document is indexed once and a new
 * (updated) document gets its own index.
 */
import type { CibElement } from "./model.ts";

/** What the index knows about one document. */
export interface CibIndex {
  /** id -> the elements with that `id` attribute, in document order. */
  readonly byId: ReadonlyMap<string, readonly CibElement[]>;
  /** element -> its parent element (the root has none). */
  readonly parent: ReadonlyMap<CibElement, CibElement>;
}

const cache = new WeakMap<CibElement, CibIndex>();
/** element -> the root of a document it was indexed in (the latest one). */
const owner = new WeakMap<CibElement, CibElement>();

function build(root: CibElement): CibIndex {
  const byId = new Map<string, CibElement[]>();
  const parent = new Map<CibElement, CibElement>();
  const stack: CibElement[] = [root];
  // Depth-first, document order: push children reversed.
  while (stack.length > 0) {
    const el = stack.pop()!;
    owner.set(el, root);
    const id = el.attrs.id;
    if (id !== undefined) {
      const list = byId.get(id);
      if (list === undefined) byId.set(id, [el]);
      else list.push(el);
    }
    const ch = el.children;
    for (let i = ch.length - 1; i >= 0; i--) {
      const c = ch[i]!;
      if (c.tag === "#text" || c.tag === "#comment") continue;
      const ce = c as CibElement;
      parent.set(ce, el);
      stack.push(ce);
    }
  }
  return { byId, parent };
}

/** The index of the document rooted at `root` (built on first use, then cached). */
export function indexOf(root: CibElement): CibIndex {
  let idx = cache.get(root);
  if (idx === undefined) {
    idx = build(root);
    cache.set(root, idx);
  }
  return idx;
}

/** The root of a document `el` was last indexed in, if any. */
export function ownerRoot(el: CibElement): CibElement | undefined {
  return owner.get(el);
}
