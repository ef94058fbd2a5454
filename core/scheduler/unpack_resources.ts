/**
 * Phase 1b: the resource tree (primitives, templates, groups, clones, promotable clones,
 * bundles as far as supported), resource meta-attributes with inheritance and defaults, and the
 * implicit remote/guest node machinery (a guest's connection resource, remote nodes).
 */
import type { Cib, CibElement } from "../cib/model.ts";
import { kid, kids, bool, isTrue } from "./_cib.ts";
import { unpackNvSets, parseIntervalMs, type RuleContext } from "./_rules.ts";
import { parseScore, INFINITY } from "./scores.ts";
import type { Clone, Group, OpConfig, Primitive, Rsc, WorkingSet } from "./_model.ts";
import type { Role } from "./transition.ts";
import { makeNode } from "./unpack_config.ts";
import { unpackBundle } from "./unpack_bundle.ts";

/** Parse a role name (old and new spellings). */
export function parseRole(text: string | undefined): Role | undefined {
  switch ((text ?? "").toLowerCase()) {
    case "started": return "Started";
    case "stopped": return "Stopped";
    case "master": case "promoted": return "Promoted";
    case "slave": case "unpromoted": return "Unpromoted";
    default: return undefined;
  }
}

function metaOf(el: CibElement, parent: Rsc | undefined, ws: WorkingSet, ctx: RuleContext, tmpl?: CibElement): Map<string, string> {
  const meta = unpackNvSets(kids(el, "meta_attributes"), ctx);
  if (tmpl) unpackNvSets(kids(tmpl, "meta_attributes"), ctx, meta);
  if (parent) for (const [k, v] of parent.meta) if (!meta.has(k)) meta.set(k, v);
  const cls = el.attrs.class ?? tmpl?.attrs.class;
  const rscCtx: RuleContext = cls !== undefined
    ? { ...ctx, rsc: { cls, type: el.attrs.type ?? tmpl?.attrs.type ?? "", ...(el.attrs.provider ?? tmpl?.attrs.provider ? { provider: el.attrs.provider ?? tmpl?.attrs.provider } : {}) } }
    : ctx;
  const defaults = ws.rscDefaultSets.length ? unpackNvSets(ws.rscDefaultSets, rscCtx) : ws.rscDefaults;
  for (const [k, v] of defaults) if (!meta.has(k)) meta.set(k, v);
  return meta;
}

function base(el: CibElement, id: string, meta: Map<string, string>, parent: Rsc | undefined, ws: WorkingSet) {
  const managedDefault = !ws.options.maintenanceMode;
  let managed = bool(meta.get("is-managed"), true) && managedDefault;
  if (bool(meta.get("maintenance"), false)) managed = false;
  const targetRole = parseRole(meta.get("target-role")) ?? "Started";
  return {
    id, xml: el, meta, parent,
    priority: parseScore(meta.get("priority"), 0),
    managed,
    targetRole,
    stickiness: parseScore(meta.get("resource-stickiness") ?? meta.get("default-resource-stickiness"), 0),
    allowed: new Map<string, number>(),
    contributions: [],
    processed: false,
    orphan: false,
  };
}

function opsOf(el: CibElement, tmpl: CibElement | undefined, ws: WorkingSet, ctx: RuleContext): OpConfig[] {
  const ops: OpConfig[] = [];
  for (const src of [el, tmpl]) {
    if (!src) continue;
    for (const op of kids(kid(src, "operations"), "op")) {
      const name = op.attrs.name ?? "";
      const interval = parseIntervalMs(op.attrs.interval, 0);
      if (ops.some((o) => o.name === name && o.interval === interval)) continue;
      const meta = unpackNvSets(kids(op, "meta_attributes"), ctx);
      const onFail = op.attrs["on-fail"] ?? meta.get("on-fail") ?? ws.opDefaults.get("on-fail");
      const o: OpConfig = {
        name, interval,
        enabled: bool(op.attrs.enabled ?? meta.get("enabled"), true),
        ...(op.attrs.role !== undefined ? { role: op.attrs.role } : {}),
        ...(onFail !== undefined ? { onFail } : {}),
      };
      ops.push(o);
    }
  }
  return ops;
}

/** Create a primitive. */
export function makePrimitive(el: CibElement, id: string, parent: Rsc | undefined, ws: WorkingSet, ctx: RuleContext): Primitive {
  const tmpl = el.attrs.template !== undefined ? ws.ids.get(el.attrs.template) : undefined;
  const meta = metaOf(el, parent, ws, ctx, tmpl);
  const cls = el.attrs.class ?? tmpl?.attrs.class ?? "ocf";
  const p: Primitive = {
    ...base(el, id, meta, parent, ws),
    kind: "primitive",
    cls,
    type: el.attrs.type ?? tmpl?.attrs.type ?? "",
    running: new Map(),
    failed: new Map(),
    blockedOn: new Set(),
    failcount: new Map(),
    lastFailure: new Map(),
    probed: new Set(),
    ops: opsOf(el, tmpl, ws, ctx),
    migrationThreshold: parseScore(meta.get("migration-threshold"), INFINITY),
    failureTimeout: Math.floor(parseIntervalMs(meta.get("failure-timeout"), 0) / 1000),
    restartOn: new Set(),
  };
  const provider = el.attrs.provider ?? tmpl?.attrs.provider;
  if (provider !== undefined) (p as { provider?: string }).provider = provider;
  if (meta.get("remote-node")) p.guestNode = meta.get("remote-node")!;
  if (meta.get("container")) p.container = meta.get("container")!;
  if (cls === "ocf" && provider === "pacemaker" && p.type === "remote") p.remoteNode = id;
  if (p.migrationThreshold < 0) p.migrationThreshold = INFINITY;
  return p;
}

function makeGroup(el: CibElement, id: string, parent: Rsc | undefined, ws: WorkingSet, ctx: RuleContext, suffix: string): Group {
  const meta = metaOf(el, parent, ws, ctx);
  const g: Group = { ...base(el, id, meta, parent, ws), kind: "group", members: [] };
  for (const c of kids(el, "primitive")) {
    const m = makePrimitive(c, (c.attrs.id ?? "") + suffix, g, ws, ctx);
    g.members.push(m);
  }
  return g;
}

/** Make a clone (used by bundles too). */
export function makeClone(el: CibElement, parent: Rsc | undefined, ws: WorkingSet, ctx: RuleContext): Clone | undefined {
  const id = el.attrs.id ?? "";
  const meta = metaOf(el, parent, ws, ctx);
  if (!meta.has("resource-stickiness")) meta.set("resource-stickiness", "1");
  const template = kids(el).find((c) => c.tag === "primitive" || c.tag === "group");
  if (!template) return undefined;
  const promotable = el.tag === "master" || isTrue(meta.get("promotable"));
  const nNodes = ws.nodes.size;
  const num = (k: string, d: number): number => {
    const v = meta.get(k);
    if (v === undefined) return d;
    const n = Number.parseInt(v, 10);
    return Number.isNaN(n) || n < 0 ? d : n;
  };
  const c: Clone = {
    ...base(el, id, meta, parent, ws),
    kind: "clone",
    promotable,
    template,
    instances: [],
    cloneMax: num("clone-max", nNodes),
    cloneNodeMax: num("clone-node-max", 1),
    promotedMax: num("promoted-max", num("master-max", 1)),
    promotedNodeMax: num("promoted-node-max", num("master-node-max", 1)),
    anonymous: !bool(meta.get("globally-unique"), false),
    interleave: bool(meta.get("interleave"), false),
    ordered: bool(meta.get("ordered"), false),
    notify: bool(meta.get("notify"), false),
  };
  return c;
}

/** Add one more instance to a clone (numbered after the existing ones). */
export function addCloneInstance(c: Clone, ws: WorkingSet, ctx: RuleContext): Rsc {
  const n = c.instances.length;
  const suffix = `${c.instanceSep ?? ":"}${n}`;
  const t = c.template;
  const inst: Rsc = t.tag === "group"
    ? makeGroup(t, (t.attrs.id ?? "") + suffix, c, ws, ctx, suffix)
    : makePrimitive(t, (t.attrs.id ?? "") + suffix, c, ws, ctx);
  for (const p of inst.kind === "group" ? inst.members : [inst]) {
    if (p.kind === "primitive") { p.instance = n; ws.byId.set(p.id, p); }
  }
  ws.byId.set(inst.id, inst);
  c.instances.push(inst);
  return inst;
}

function register(r: Rsc, ws: WorkingSet): void {
  ws.byId.set(r.id, r);
  if (r.kind === "group") for (const m of r.members) register(m, ws);
}

/** Unpack `<resources>` into the working set (top-level list, id index, guest/remote nodes). */
export function unpackResources(cib: Cib, ws: WorkingSet, ctx: RuleContext): void {
  const resEl = kid(kid(cib, "configuration"), "resources");
  for (const el of kids(resEl)) {
    let r: Rsc | undefined;
    if (el.tag === "primitive") r = makePrimitive(el, el.attrs.id ?? "", undefined, ws, ctx);
    else if (el.tag === "group") r = makeGroup(el, el.attrs.id ?? "", undefined, ws, ctx, "");
    else if (el.tag === "clone" || el.tag === "master") r = makeClone(el, undefined, ws, ctx);
    else if (el.tag === "bundle") { unpackBundle(el, ws, ctx); continue; }
    if (!r) continue;
    ws.resources.push(r);
    register(r, ws);
  }
  // Guest nodes (meta remote-node) get an implicit connection resource; remote connection
  // resources define remote nodes.
  for (const r of [...ws.byId.values()]) {
    if (r.kind !== "primitive") continue;
    if (r.guestNode && !ws.byId.has(r.guestNode)) {
      const conn = makePrimitive({ tag: "primitive", attrs: { id: r.guestNode, class: "ocf", provider: "pacemaker", type: "remote" }, children: [] },
        r.guestNode, undefined, ws, ctx);
      conn.container = r.id;
      conn.remoteNode = r.guestNode;
      (conn as { implicit?: boolean }).implicit = true;
      ws.resources.push(conn);
      ws.byId.set(conn.id, conn);
      if (!ws.nodes.has(r.guestNode)) {
        const n = makeNode(r.guestNode, r.guestNode, "guest", ws.options, undefined, ctx);
        n.unclean = false;
        ws.nodes.set(r.guestNode, n);
      }
      const gn = ws.nodes.get(r.guestNode)!;
      gn.containerRsc = r.id;
      gn.remoteRsc = conn.id;
      ws.colocations.push({ id: `${conn.id}-with-container`, dependent: conn, primary: r, score: INFINITY, nodeAttribute: "#uname", influence: true });
      ws.orderings.push({ id: `${conn.id}-after-container`, first: r, firstAction: "start", then: conn, thenAction: "start", kind: "Mandatory", symmetrical: true });
    } else if (r.remoteNode && !r.container) {
      let n = ws.nodes.get(r.remoteNode);
      if (!n) {
        n = makeNode(r.remoteNode, r.remoteNode, "remote", ws.options, undefined, ctx);
        ws.nodes.set(r.remoteNode, n);
      }
      n.remoteRsc = r.id;
      n.unclean = false;
    }
  }
  for (const n of ws.nodes.values()) {
    if (n.type === "remote" && !n.remoteRsc) n.unclean = false;
  }
  // Resources tied to a container (meta container=X) run with it and start after it.
  for (const r of [...ws.byId.values()]) {
    if (r.kind !== "primitive" || !r.container || r.remoteNode) continue;
    const c = ws.byId.get(r.container);
    if (!c) continue;
    if (c.kind === "primitive" && c.guestNode) { (r as { forceNode?: string }).forceNode = c.guestNode; continue; }
    ws.colocations.push({ id: `${r.id}-with-container`, dependent: r, primary: c, score: INFINITY, nodeAttribute: "#uname", influence: true });
    ws.orderings.push({ id: `${r.id}-after-container`, first: c, firstAction: "start", then: r, thenAction: "start", kind: "Mandatory", symmetrical: true });
  }
  // Clones need the node count, known only now (guests included).
  for (const r of ws.resources) {
    if (r.kind !== "clone") continue;
    const cm = r.meta.get("clone-max");
    if (r.instances.length > 0) continue;
    if (cm === undefined) r.cloneMax = [...ws.nodes.values()].filter((n) => !n.bundleNode).length;
    for (let i = 0; i < r.cloneMax; i++) addCloneInstance(r, ws, ctx);
  }
}
