/**
 * Tree helpers private to the validator: child lookup, XPath-like locations, name/value sets
 * and the shared {@link Ctx} every check receives. Locations name an element by `@id` when it
 * has one (`nvpair` by `@name`), otherwise by tag, from `/cib` down.
 */
import type { CibElement, CibNode } from "../model.ts";
import type { Finding, Severity } from "./_types.ts";

/** Element children of `el` (optionally only those with tag `tag`). */
export function kids(el: CibElement | undefined, tag?: string): CibElement[] {
  if (el === undefined) return [];
  const out: CibElement[] = [];
  for (const c of el.children as readonly CibNode[]) {
    if (c.tag === "#text" || c.tag === "#comment") continue;
    if (tag === undefined || c.tag === tag) out.push(c as CibElement);
  }
  return out;
}

/** The first element child with tag `tag`. */
export function kid(el: CibElement | undefined, tag: string): CibElement | undefined {
  return kids(el, tag)[0];
}

/** All descendants of `el` (depth first, document order), excluding `el`. */
export function descendants(el: CibElement): CibElement[] {
  const out: CibElement[] = [];
  const walk = (e: CibElement): void => {
    for (const c of kids(e)) {
      out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}

/** One path step for `el`: `tag[@id='x']`, `nvpair[@name='n']` or `tag`. */
function step(el: CibElement): string {
  if (el.tag === "nvpair" && el.attrs.name !== undefined) return `nvpair[@name='${el.attrs.name}']`;
  if (el.attrs.id !== undefined) return `${el.tag}[@id='${el.attrs.id}']`;
  return el.tag;
}

/** What every check receives: the document, parents, id lookup and the finding sink. */
export interface Ctx {
  readonly cib: CibElement;
  readonly configuration: CibElement | undefined;
  readonly status: CibElement | undefined;
  readonly parent: ReadonlyMap<CibElement, CibElement>;
  /** Configuration elements by id (first occurrence, `id-ref` elements excluded). */
  readonly byId: ReadonlyMap<string, CibElement>;
  readonly findings: Finding[];
}

/** Build the context for `cib`. */
export function makeCtx(cib: CibElement): Ctx {
  const parent = new Map<CibElement, CibElement>();
  const byId = new Map<string, CibElement>();
  const configuration = kid(cib, "configuration");
  const walk = (e: CibElement, inConfig: boolean): void => {
    for (const c of kids(e)) {
      parent.set(c, e);
      const cfg = inConfig || c === configuration;
      const isRef = c.tag === "resource_ref" || c.tag === "obj_ref" || c.tag === "node";
      if (cfg && !isRef && c.attrs.id !== undefined && !byId.has(c.attrs.id)) byId.set(c.attrs.id, c);
      walk(c, cfg);
    }
  };
  walk(cib, false);
  return { cib, configuration, status: kid(cib, "status"), parent, byId, findings: [] };
}

/** The XPath-like location of `el` (optionally with `/@attr` appended). */
export function loc(ctx: Ctx, el: CibElement, attr?: string): string {
  const parts: string[] = [];
  for (let e: CibElement | undefined = el; e !== undefined; e = ctx.parent.get(e)) parts.push(step(e));
  // An nvpair's value is named by the nvpair itself (`.../nvpair[@name='port']`).
  const suffix = attr === undefined || (el.tag === "nvpair" && attr === "value") ? "" : `/@${attr}`;
  return "/" + parts.reverse().join("/") + suffix;
}

/** Record a finding. */
export function report(
  ctx: Ctx,
  severity: Severity,
  code: string,
  location: string,
  value: string | null | undefined,
  expected: string,
  message: string,
): void {
  ctx.findings.push({ severity, code, location, value: value ?? null, expected, message });
}

/** The resources section's top-level element. */
export function section(ctx: Ctx, tag: string): CibElement | undefined {
  return kid(ctx.configuration, tag);
}

/** Resolve an `id-ref` element to the element it names (itself when it has no id-ref). */
export function deref(ctx: Ctx, el: CibElement): CibElement {
  const ref = el.attrs["id-ref"];
  if (ref === undefined) return el;
  return ctx.byId.get(ref) ?? el;
}

/**
 * The nvpairs of every `setTag` set directly under `el` (id-refs resolved), first value of a
 * name winning as in Pacemaker's unpacking of sets without rules. Sets carrying a rule are
 * skipped (they apply only when their rule does).
 */
export function nvMap(ctx: Ctx, el: CibElement | undefined, setTag: string): Map<string, { value: string | undefined; el: CibElement }> {
  const out = new Map<string, { value: string | undefined; el: CibElement }>();
  for (const s of kids(el, setTag)) {
    const set = deref(ctx, s);
    if (kid(set, "rule") !== undefined) continue;
    for (const p of kids(set, "nvpair")) {
      const nv = deref(ctx, p);
      const name = nv.attrs.name;
      // Pacemaker drops "#default" values when it unpacks a set (the option stays unset).
      if (nv.attrs.value !== undefined && nv.attrs.value.toLowerCase() === "#default") continue;
      if (name !== undefined && !out.has(name)) out.set(name, { value: nv.attrs.value, el: p });
    }
  }
  return out;
}

/** The cluster properties (`crm_config` sets without rules), first value winning. */
export function clusterOptions(ctx: Ctx): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const [k, v] of nvMap(ctx, section(ctx, "crm_config"), "cluster_property_set")) out.set(k, v.value);
  return out;
}

/** Pacemaker's `crm_is_true`: yes, true, on, y, 1 (case-insensitive). */
export function isTrue(v: string | undefined): boolean {
  return v !== undefined && ["true", "yes", "on", "y", "1"].includes(v.toLowerCase());
}

/** Pacemaker's boolean test for a value that must be false: no, false, off, n, 0. */
export function isFalse(v: string | undefined): boolean {
  return v !== undefined && ["false", "no", "off", "n", "0"].includes(v.toLowerCase());
}

/** Whether `stonith-enabled` is on (the default). */
export function stonithEnabled(ctx: Ctx): boolean {
  const v = clusterOptions(ctx).get("stonith-enabled");
  // An invalid value is replaced by the default (true) before it is tested.
  return v === undefined || isTrue(v) || !isFalse(v);
}
