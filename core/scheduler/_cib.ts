/**
 * Small read helpers over the CIB tree used by the scheduler's unpack phase (kept local so the
 * scheduler depends only on `core/cib/model.ts`).
 */
import { isElement, type CibElement } from "../cib/model.ts";

/** Child elements, optionally only those with tag `tag`. */
export function kids(el: CibElement | undefined, tag?: string): CibElement[] {
  if (!el) return [];
  const out: CibElement[] = [];
  for (const c of el.children) if (isElement(c) && (tag === undefined || c.tag === tag)) out.push(c);
  return out;
}

/** The first child element with tag `tag`. */
export function kid(el: CibElement | undefined, tag: string): CibElement | undefined {
  if (!el) return undefined;
  for (const c of el.children) if (isElement(c) && c.tag === tag) return c;
  return undefined;
}

/** Every descendant element with tag `tag`, document order. */
export function descendants(el: CibElement, tag: string, out: CibElement[] = []): CibElement[] {
  for (const c of el.children) {
    if (!isElement(c)) continue;
    if (c.tag === tag) out.push(c);
    descendants(c, tag, out);
  }
  return out;
}

/** Index of every element with an `id` attribute (first wins), for id-ref resolution. */
export function indexIds(root: CibElement): Map<string, CibElement> {
  const m = new Map<string, CibElement>();
  const walk = (el: CibElement): void => {
    const id = el.attrs.id;
    if (id !== undefined && !m.has(id)) m.set(id, el);
    for (const c of el.children) if (isElement(c)) walk(c);
  };
  walk(root);
  return m;
}

/** Resolve an `id-ref` element to the element it references (or itself). */
export function deref(el: CibElement, ids: ReadonlyMap<string, CibElement>): CibElement {
  const ref = el.attrs["id-ref"];
  if (ref !== undefined) return ids.get(ref) ?? el;
  return el;
}

/** True for the CIB's boolean spellings of true. */
export function isTrue(v: string | undefined): boolean {
  if (v === undefined) return false;
  const t = v.trim().toLowerCase();
  return t === "true" || t === "on" || t === "yes" || t === "y" || t === "1";
}

/** True for the CIB's boolean spellings of false. */
export function isFalse(v: string | undefined): boolean {
  if (v === undefined) return false;
  const t = v.trim().toLowerCase();
  return t === "false" || t === "off" || t === "no" || t === "n" || t === "0";
}

/** Boolean option with a default. */
export function bool(v: string | undefined, dflt: boolean): boolean {
  return isTrue(v) ? true : isFalse(v) ? false : dflt;
}
