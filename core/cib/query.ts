/**
 * Typed read helpers over the CIB tree: sections, resources, constraints, name/value sets,
 * operations, alerts, fencing topology, tags, ACLs and `findById`. Status helpers are in
 * `query_status.ts`, the cluster's node list (cluster, remote and guest nodes) in
 * `query_nodes.ts`, immutable updates in `update.ts`; this module re-exports them all.
 *
 * Nothing here evaluates rules: name/value sets are returned in the order Pacemaker considers
 * them (see {@link nvValues}); the rules engine decides which sets apply.
 *
 * @example
 * ```ts
 * for (const p of primitives(cib)) {
 *   const meta = nvValues(p, "meta_attributes", { cib });
 *   console.log(p.attrs.id, meta.get("target-role"));
 * }
 * ```
 */
import { quote } from "../errors.ts";
import { indexOf, ownerRoot } from "./_index.ts";
import type {
  Alert,
  Bundle,
  Cib,
  CibElement,
  CibNode,
  Clone,
  Constraint,
  ConstraintTag,
  FencingLevel,
  Group,
  Master,
  NodeEl,
  NvPair,
  NvSet,
  NvSetTag,
  Op,
  Primitive,
  Recipient,
  ResourceEl,
  ResourceRef,
  ResourceSet,
  Tag,
  Template,
} from "./model.ts";

export * from "./query_status.ts";
export * from "./query_nodes.ts";
export * from "./update.ts";

function isEl(n: CibNode): n is CibElement {
  return n.tag !== "#text" && n.tag !== "#comment";
}

/** The first child element of `el` with tag `tag`, if any. */
export function child<T extends string>(el: CibElement | undefined, tag: T): CibElement<T> | undefined {
  if (el === undefined) return undefined;
  for (const c of el.children) if (c.tag === tag && isEl(c)) return c as CibElement<T>;
  return undefined;
}

/** The child elements of `el` with tag `tag` (every child element when `tag` is omitted). */
export function childrenOf<T extends string>(el: CibElement | undefined, tag?: T): CibElement<T>[] {
  if (el === undefined) return [];
  const out: CibElement<T>[] = [];
  for (const c of el.children) {
    if (isEl(c) && (tag === undefined || c.tag === tag)) out.push(c as CibElement<T>);
  }
  return out;
}

/**
 * `<configuration>`. Like every helper that starts from the document, it indexes the document
 * once (cached), so elements reached from it resolve `id-ref`s without a `{ cib }` option.
 */
export function configuration(cib: Cib): CibElement<"configuration"> | undefined {
  indexOf(cib);
  return child(cib, "configuration");
}

/** `<status>` (indexes the document once, as {@link configuration} does). */
export function status(cib: Cib): CibElement<"status"> | undefined {
  indexOf(cib);
  return child(cib, "status");
}

/** The configuration sections by tag. */
export type SectionName =
  | "crm_config"
  | "nodes"
  | "resources"
  | "constraints"
  | "rsc_defaults"
  | "op_defaults"
  | "alerts"
  | "fencing-topology"
  | "tags"
  | "acls";

/** A configuration section (`section(cib, "resources")`), if present. */
export function section<N extends SectionName>(cib: Cib, name: N): CibElement<N> | undefined {
  return child(configuration(cib), name);
}

/** Options for the name/value helpers. */
export interface NvOptions {
  /** The document `id-ref`s are resolved against (default: the one `el` was indexed in). */
  readonly cib?: CibElement;
}

/** One name/value set as Pacemaker considers it, with any `id-ref` resolved. */
export interface ResolvedNvSet {
  /** The set element as written where it is used (may be an `id-ref`). */
  readonly set: NvSet;
  /** The element holding the content: `set` itself, or the one its `id-ref` names. */
  readonly source: NvSet;
  /** `score` of the set (`INFINITY` and friends as written; absent means 0). */
  readonly score: string | undefined;
  /** The `rule` children of the source (the rules engine evaluates them). */
  readonly rules: readonly CibElement<"rule">[];
  /** The nvpairs of the source, each `id-ref` nvpair resolved. */
  readonly pairs: readonly NvPair[];
}

/**
 * Resolve an `id-ref` against the document: the first element with that id and the same tag,
 * as Pacemaker does. Returns `el` itself when it has no `id-ref`, undefined when nothing matches.
 *
 * @throws {TypeError} when `el` has an `id-ref` but its document is unknown: it was not
 *   reached from a document through these helpers and no `{ cib }` option was given
 */
export function resolveIdRef<T extends CibElement>(el: T, options: NvOptions = {}): T | undefined {
  const ref = el.attrs["id-ref"];
  if (ref === undefined) return el;
  const root = options.cib ?? ownerRoot(el);
  if (root === undefined) {
    throw new TypeError(
      `Cannot resolve id-ref ${quote(ref)} of <${el.tag}>: its document is unknown (pass the { cib } option)`,
    );
  }
  return findById(root, ref, el.tag) as T | undefined;
}

/**
 * The sets with tag `setTag` under `el`, in document order, `id-ref`s resolved. Sets whose
 * `id-ref` names nothing are left out.
 */
export function nvSets(
  el: CibElement | undefined,
  setTag: NvSetTag,
  options: NvOptions = {},
): ResolvedNvSet[] {
  const out: ResolvedNvSet[] = [];
  for (const set of childrenOf(el, setTag) as NvSet[]) {
    const source = resolveIdRef(set, options);
    if (source === undefined) continue;
    const pairs: NvPair[] = [];
    for (const p of childrenOf(source, "nvpair") as NvPair[]) {
      const r = resolveIdRef(p, options);
      if (r !== undefined) pairs.push(r);
    }
    out.push({
      set,
      source,
      score: set.attrs.score ?? source.attrs.score,
      rules: childrenOf(source, "rule"),
      pairs,
    });
  }
  return out;
}

/**
 * The nvpairs of every `setTag` set under `el`, in document order (`id-ref` sets and pairs
 * resolved). Rules are not evaluated.
 *
 * @example
 * ```ts
 * nvPairs(primitive, "instance_attributes").map((p) => [p.attrs.name, p.attrs.value]);
 * ```
 */
export function nvPairs(el: CibElement | undefined, setTag: NvSetTag, options: NvOptions = {}): NvPair[] {
  return nvSets(el, setTag, options).flatMap((s) => s.pairs);
}

/** Parse a score as Pacemaker does for ordering sets (INFINITY = 1,000,000; bad -> 0). */
export function scoreValue(score: string | undefined): number {
  if (score === undefined) return 0;
  const s = score.trim();
  if (/^\+?INFINITY$/i.test(s)) return 1_000_000;
  if (/^-INFINITY$/i.test(s)) return -1_000_000;
  const n = Number.parseInt(s, 10);
  if (!Number.isFinite(n)) return 0;
  return Math.max(-1_000_000, Math.min(1_000_000, n));
}

/** Options for {@link nvValues}. */
export interface NvValuesOptions extends NvOptions {
  /** A set id considered before all others (Pacemaker does so for `cib-bootstrap-options`). */
  readonly firstId?: string;
}

/**
 * The name -> value map of the `setTag` sets under `el`, ignoring rules: sets ordered by score
 * (highest first, document order among equals; `firstId` first of all), the first value of a
 * name wins, as Pacemaker unpacks them.
 *
 * @example
 * ```ts
 * nvValues(primitive, "meta_attributes").get("target-role"); // "Stopped"
 * ```
 */
export function nvValues(
  el: CibElement | undefined,
  setTag: NvSetTag,
  options: NvValuesOptions = {},
): Map<string, string> {
  const sets = nvSets(el, setTag, options)
    .map((s, i) => ({
      s,
      i,
      k: s.source.attrs.id === options.firstId && options.firstId !== undefined
        ? Infinity
        : scoreValue(s.score),
    }))
    .sort((a, b) => b.k - a.k || a.i - b.i);
  const out = new Map<string, string>();
  for (const { s } of sets) {
    for (const p of s.pairs) {
      const name = p.attrs.name;
      if (name !== undefined && !out.has(name)) out.set(name, p.attrs.value ?? "");
    }
  }
  return out;
}

/** Cluster options (`crm_config` property sets, `cib-bootstrap-options` first; rules ignored). */
export function clusterProperties(cib: Cib): Map<string, string> {
  return nvValues(section(cib, "crm_config"), "cluster_property_set", {
    cib,
    firstId: "cib-bootstrap-options",
  });
}

/** The `<node>` entries of the nodes section. */
export function nodes(cib: Cib): NodeEl[] {
  return childrenOf(section(cib, "nodes"), "node") as NodeEl[];
}

const RESOURCE_TAGS = new Set(["primitive", "group", "clone", "master", "bundle"]);

/** True when `el` is a resource element (primitive, group, clone, master, bundle). */
export function isResource(el: CibNode): el is ResourceEl {
  return RESOURCE_TAGS.has(el.tag);
}

/** The top-level resources (templates excluded), in document order. */
export function resources(cib: Cib): ResourceEl[] {
  return childrenOf(section(cib, "resources")).filter(isResource);
}

/** A resource with its enclosing resources (outermost first). */
export interface ResourceVisit {
  readonly resource: ResourceEl;
  /** The enclosing resources, outermost first (empty for a top-level resource). */
  readonly ancestors: readonly ResourceEl[];
}

/** Every resource at any depth (depth-first, document order), with its ancestors. */
export function walkResources(cib: Cib): ResourceVisit[] {
  const out: ResourceVisit[] = [];
  function visit(el: ResourceEl, ancestors: readonly ResourceEl[]): void {
    out.push({ resource: el, ancestors });
    const inner = [...ancestors, el];
    for (const c of el.children) if (isResource(c)) visit(c, inner);
  }
  for (const r of resources(cib)) visit(r, []);
  return out;
}

/** Every primitive at any depth (in groups, clones, masters and bundles), in document order. */
export function primitives(cib: Cib): Primitive[] {
  return walkResources(cib).map((v) => v.resource).filter((r): r is Primitive => r.tag === "primitive");
}

/** The groups at any depth. */
export function groups(cib: Cib): Group[] {
  return walkResources(cib).map((v) => v.resource).filter((r): r is Group => r.tag === "group");
}

/** The clones and masters (promotable clones of old schemas), in document order. */
export function clones(cib: Cib): (Clone | Master)[] {
  return walkResources(cib).map((v) => v.resource).filter((r): r is Clone | Master =>
    r.tag === "clone" || r.tag === "master"
  );
}

/** The bundles. */
export function bundles(cib: Cib): Bundle[] {
  return walkResources(cib).map((v) => v.resource).filter((r): r is Bundle => r.tag === "bundle");
}

/** The resource templates. */
export function templates(cib: Cib): Template[] {
  return childrenOf(section(cib, "resources"), "template") as Template[];
}

/** The template a primitive names with `template=`, if any. */
export function templateOf(cib: Cib, p: Primitive): Template | undefined {
  const t = p.attrs.template;
  return t === undefined ? undefined : (findById(cib, t, "template") as Template | undefined);
}

/** The ops of a primitive (or template): `operations` (id-ref resolved), then its `op`s (id-ref resolved). */
export function ops(el: CibElement, options: NvOptions = {}): Op[] {
  const out: Op[] = [];
  for (const o of childrenOf(el, "operations")) {
    const src = resolveIdRef(o, options);
    for (const op of childrenOf(src, "op") as Op[]) {
      const r = resolveIdRef(op, options);
      if (r !== undefined) out.push(r);
    }
  }
  return out;
}

/** `rsc_defaults` meta attributes (rules ignored). */
export function rscDefaults(cib: Cib): Map<string, string> {
  return nvValues(section(cib, "rsc_defaults"), "meta_attributes", { cib });
}

/** `op_defaults` meta attributes (rules ignored). */
export function opDefaults(cib: Cib): Map<string, string> {
  return nvValues(section(cib, "op_defaults"), "meta_attributes", { cib });
}

/** Every constraint, or those with tag `tag`, in document order. */
export function constraints<T extends ConstraintTag = ConstraintTag>(
  cib: Cib,
  tag?: T,
): Extract<Constraint, { tag: T }>[] {
  const all = childrenOf(section(cib, "constraints"));
  return all.filter((c) => (tag === undefined ? /^rsc_/.test(c.tag) : c.tag === tag)) as Extract<
    Constraint,
    { tag: T }
  >[];
}

/** The resource sets of a constraint (`id-ref` sets resolved). */
export function resourceSets(c: CibElement, options: NvOptions = {}): ResourceSet[] {
  const out: ResourceSet[] = [];
  for (const s of childrenOf(c, "resource_set") as ResourceSet[]) {
    const r = resolveIdRef(s, options);
    if (r !== undefined) out.push(r);
  }
  return out;
}

/** The resource ids a resource set lists, in order. */
export function resourceRefs(set: CibElement): string[] {
  return (childrenOf(set, "resource_ref") as ResourceRef[]).flatMap((
    r,
  ) => (r.attrs.id === undefined ? [] : [r.attrs.id]));
}

/** The alerts. */
export function alerts(cib: Cib): Alert[] {
  return childrenOf(section(cib, "alerts"), "alert") as Alert[];
}

/** The recipients of an alert. */
export function recipients(alert: CibElement): Recipient[] {
  return childrenOf(alert, "recipient") as Recipient[];
}

/** The fencing levels of `fencing-topology`. */
export function fencingLevels(cib: Cib): FencingLevel[] {
  return childrenOf(section(cib, "fencing-topology"), "fencing-level") as FencingLevel[];
}

/** The tags (`<tag>` of `<tags>`). */
export function tags(cib: Cib): Tag[] {
  return childrenOf(section(cib, "tags"), "tag") as Tag[];
}

/** The ids a tag refers to. */
export function tagRefs(tag: CibElement): string[] {
  return childrenOf(tag, "obj_ref").flatMap((r) => (r.attrs.id === undefined ? [] : [r.attrs.id]));
}

/** The ACL section, opaque. */
export function acls(cib: Cib): CibElement<"acls"> | undefined {
  return section(cib, "acls");
}

/**
 * The first element (document order) whose `id` is `id`, optionally only among those with tag
 * `tag`. Backed by an index built once per document.
 *
 * @example
 * ```ts
 * findById(cib, "rsc1", "primitive")?.attrs.type; // "Dummy"
 * ```
 */
export function findById(cib: CibElement, id: string, tag?: string): CibElement | undefined {
  const list = indexOf(cib).byId.get(id);
  if (list === undefined) return undefined;
  if (tag === undefined) return list[0];
  return list.find((e) => e.tag === tag);
}

/** Every element whose `id` is `id`, in document order (ids may repeat across sections). */
export function findAllById(cib: CibElement, id: string): readonly CibElement[] {
  return indexOf(cib).byId.get(id) ?? [];
}

/** The parent of `el` within `cib`, if `el` is in that document and not its root. */
export function parentOf(cib: CibElement, el: CibElement): CibElement | undefined {
  return indexOf(cib).parent.get(el);
}
