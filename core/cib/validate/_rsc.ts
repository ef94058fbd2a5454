/**
 * The resource list the checks share: every resource element of the resources section (bundle
 * children included) with its parent and its effective meta attributes (own, then inherited
 * from parents, then `rsc_defaults`), as Pacemaker resolves them when unpacking.
 */
import type { CibElement } from "../model.ts";
import { type Ctx, kid, kids, nvMap, section } from "./_tree.ts";

/** A configured resource. */
export interface Rsc {
  readonly el: CibElement;
  readonly id: string;
  readonly tag: string;
  readonly parent: Rsc | undefined;
  /** Effective meta: own, parents', then rsc_defaults (first wins). */
  readonly meta: ReadonlyMap<string, string | undefined>;
  /** The meta attributes written on the element itself. */
  readonly ownMeta: ReadonlyMap<string, { value: string | undefined; el: CibElement }>;
}

const RESOURCE_TAGS = new Set(["primitive", "group", "clone", "master", "bundle"]);
const cache = new WeakMap<Ctx, Rsc[]>();

/** Every resource in document order, parents before children. */
export function allResources(ctx: Ctx): Rsc[] {
  const hit = cache.get(ctx);
  if (hit !== undefined) return hit;
  const out: Rsc[] = [];
  const defaults = new Map<string, string | undefined>();
  for (const [k, v] of nvMap(ctx, section(ctx, "rsc_defaults"), "meta_attributes")) defaults.set(k, v.value);
  const visit = (el: CibElement, parent: Rsc | undefined): void => {
    const ownMeta = nvMap(ctx, el, "meta_attributes");
    const meta = new Map<string, string | undefined>();
    for (const [k, v] of ownMeta) meta.set(k, v.value);
    for (const [k, v] of parent?.meta ?? defaults) if (!meta.has(k)) meta.set(k, v);
    if (parent === undefined) for (const [k, v] of defaults) if (!meta.has(k)) meta.set(k, v);
    const r: Rsc = { el, id: el.attrs.id ?? "", tag: el.tag, parent, meta, ownMeta };
    out.push(r);
    for (const c of kids(el)) if (RESOURCE_TAGS.has(c.tag)) visit(c, r);
  };
  for (const el of kids(section(ctx, "resources"))) if (RESOURCE_TAGS.has(el.tag)) visit(el, undefined);
  cache.set(ctx, out);
  return out;
}

/** The topmost ancestor of `r` (itself when top-level). */
export function top(r: Rsc): Rsc {
  let t = r;
  while (t.parent !== undefined) t = t.parent;
  return t;
}

/** The templates of the resources section by id. */
export function templates(ctx: Ctx): Map<string, CibElement> {
  const out = new Map<string, CibElement>();
  for (const t of kids(section(ctx, "resources"), "template")) if (t.attrs.id !== undefined) out.set(t.attrs.id, t);
  return out;
}

/** A primitive's class/provider/type, taken from its template when it names one. */
export function agentOf(ctx: Ctx, p: CibElement): { cls: string; provider: string; type: string } {
  const t = p.attrs.template !== undefined ? templates(ctx).get(p.attrs.template) : undefined;
  return {
    cls: p.attrs.class ?? t?.attrs.class ?? "",
    provider: p.attrs.provider ?? t?.attrs.provider ?? "",
    type: p.attrs.type ?? t?.attrs.type ?? "",
  };
}

/** A primitive's `op` elements (its template's when it has none of its own). */
export function opsOf(ctx: Ctx, p: CibElement): CibElement[] {
  const own = kids(kid(p, "operations"), "op");
  if (own.length > 0 || p.attrs.template === undefined) return own;
  return kids(kid(templates(ctx).get(p.attrs.template), "operations"), "op");
}

/** True for a clone that is promotable (`master`, or `promotable=true`). */
export function isPromotable(r: Rsc): boolean {
  if (r.tag === "master") return true;
  if (r.tag !== "clone") return false;
  const v = r.meta.get("promotable");
  return v !== undefined && ["true", "yes", "on", "y", "1"].includes(v.toLowerCase());
}

/** True when `r` is (or is inside) a clone/master. */
export function inClone(r: Rsc): boolean {
  for (let p: Rsc | undefined = r; p !== undefined; p = p.parent) if (p.tag === "clone" || p.tag === "master") return true;
  return false;
}

/** True for a Pacemaker Remote connection resource (`ocf:pacemaker:remote`). */
export function isRemoteConnection(ctx: Ctx, el: CibElement): boolean {
  if (el.tag !== "primitive") return false;
  const a = agentOf(ctx, el);
  return a.cls === "ocf" && a.provider === "pacemaker" && a.type === "remote";
}
