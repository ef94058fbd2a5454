/**
 * Phase 1b (bundles): a `<bundle>` becomes what Pacemaker builds from it — per replica a
 * container primitive (`B-docker-N`, `B-podman-N`, `B-rkt-N`, distributed like clone
 * instances, `replicas-per-host` per node), an optional IP address primitive (`B-ip-ADDR`)
 * and, when the bundle wraps a resource, a guest node `B-N` with its connection resource and
 * one instance of the wrapped resource that runs only on that guest node.
 */
import type { CibElement } from "../cib/model.ts";
import { kid, kids } from "./_cib.ts";
import type { RuleContext } from "./_rules.ts";
import { INFINITY } from "./scores.ts";
import type { Clone, Primitive, WorkingSet } from "./_model.ts";
import { addCloneInstance, makeClone, makePrimitive } from "./unpack_resources.ts";
import { makeNode } from "./unpack_config.ts";

const RUNTIMES = ["docker", "podman", "rkt"];

function nextIp(start: string, i: number): string | undefined {
  const parts = start.split(".").map(Number);
  if (parts.length !== 4 || parts.some((x) => Number.isNaN(x))) return undefined;
  let v = ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]! + i;
  const out: number[] = [];
  for (let k = 0; k < 4; k++) { out.unshift(v & 255); v = Math.floor(v / 256); }
  return out.join(".");
}

function prim(ws: WorkingSet, ctx: RuleContext, id: string, cls: string, provider: string, type: string, meta: Record<string, string>): Primitive {
  const children: CibElement[] = Object.keys(meta).length
    ? [{ tag: "meta_attributes", attrs: { id: `${id}-meta` }, children: Object.entries(meta).map(([k, v]) => ({ tag: "nvpair", attrs: { id: `${id}-${k}`, name: k, value: v }, children: [] })) }]
    : [];
  return makePrimitive({ tag: "primitive", attrs: { id, class: cls, provider, type }, children }, id, undefined, ws, ctx);
}

/** Unpack one bundle into the working set. */
export function unpackBundle(el: CibElement, ws: WorkingSet, ctx: RuleContext): void {
  const id = el.attrs.id ?? "";
  const rt = kids(el).find((c) => RUNTIMES.includes(c.tag));
  if (!rt) { ws.warnings.push(`Bundle "${id}" has no container runtime`); return; }
  const replicas = Math.max(0, Number.parseInt(rt.attrs.replicas ?? rt.attrs["promoted-max"] ?? rt.attrs["masters"] ?? "1", 10) || 1);
  const perHost = Math.max(1, Number.parseInt(rt.attrs["replicas-per-host"] ?? "1", 10) || 1);
  const promotedMax = Number.parseInt(rt.attrs["promoted-max"] ?? rt.attrs.masters ?? "0", 10) || 0;
  const net = kid(el, "network");
  const ipStart = net?.attrs["ip-range-start"];
  const child = kid(el, "primitive");
  const bundleMeta = kids(el, "meta_attributes");
  // Containers: a clone of the container primitive, instances named B-<runtime>-N.
  const contTemplate: CibElement = { tag: "primitive", attrs: { id: `${id}-${rt.tag}`, class: "ocf", provider: "heartbeat", type: rt.tag }, children: bundleMeta };
  const cloneEl: CibElement = { tag: "clone", attrs: { id }, children: [contTemplate, { tag: "meta_attributes", attrs: { id: `${id}-clone-meta` }, children: [
    { tag: "nvpair", attrs: { id: `${id}-cm`, name: "clone-max", value: String(replicas) }, children: [] },
    { tag: "nvpair", attrs: { id: `${id}-cnm`, name: "clone-node-max", value: String(perHost) }, children: [] },
    { tag: "nvpair", attrs: { id: `${id}-gu`, name: "globally-unique", value: "true" }, children: [] },
  ] }, ...bundleMeta] };
  const containers = makeClone(cloneEl, undefined, ws, ctx)!;
  containers.instanceSep = "-";
  ws.resources.push(containers);
  ws.byId.set(id, containers);
  for (let i = 0; i < replicas; i++) {
    const c = addCloneInstance(containers, ws, ctx) as Primitive;
    c.bundle = { id, part: "container", replica: i };
  }
  let childClone: Clone | undefined;
  if (child) {
    const meta: CibElement[] = [{ tag: "nvpair", attrs: { id: `${id}-ccm`, name: "clone-max", value: String(replicas) }, children: [] },
      { tag: "nvpair", attrs: { id: `${id}-ccnm`, name: "clone-node-max", value: "1" }, children: [] }];
    if (promotedMax > 0) {
      meta.push({ tag: "nvpair", attrs: { id: `${id}-cp`, name: "promotable", value: "true" }, children: [] },
        { tag: "nvpair", attrs: { id: `${id}-cpm`, name: "promoted-max", value: String(promotedMax) }, children: [] });
    }
    const cel: CibElement = { tag: "clone", attrs: { id: `${id}-clone` }, children: [child, { tag: "meta_attributes", attrs: { id: `${id}-child-meta` }, children: meta }] };
    childClone = makeClone(cel, undefined, ws, ctx);
    if (childClone) {
      childClone.bundleOf = id;
      containers.bundleChild = childClone;
      ws.resources.push(childClone);
      ws.byId.set(childClone.id, childClone);
    }
  }
  containers.instances.forEach((cont, i) => {
    const c = cont as Primitive;
    if (ipStart) {
      const addr = nextIp(ipStart, i);
      if (addr) {
        const ip = prim(ws, ctx, `${id}-ip-${addr}`, "ocf", "heartbeat", "IPaddr2", {});
        ip.bundle = { id, part: "ip", replica: i };
        ws.resources.push(ip);
        ws.byId.set(ip.id, ip);
        ws.colocations.push({ id: `${ip.id}-with-${c.id}`, dependent: ip, primary: c, score: INFINITY, nodeAttribute: "#uname", influence: true });
        ws.orderings.push({ id: `${ip.id}-before-${c.id}`, first: ip, firstAction: "start", then: c, thenAction: "start", kind: "Mandatory", symmetrical: true });
      }
    }
    if (!child) return;
    const nodeName = `${id}-${i}`;
    const conn = prim(ws, ctx, nodeName, "ocf", "pacemaker", "remote", {});
    conn.container = c.id;
    conn.remoteNode = nodeName;
    conn.bundle = { id, part: "remote", replica: i };
    ws.resources.push(conn);
    ws.byId.set(conn.id, conn);
    c.guestNode = nodeName;
    if (!ws.nodes.has(nodeName)) {
      const n = makeNode(nodeName, nodeName, "guest", ws.options, undefined, ctx);
      n.unclean = false;
      ws.nodes.set(nodeName, n);
    }
    const gn = ws.nodes.get(nodeName)!;
    gn.containerRsc = c.id;
    gn.remoteRsc = conn.id;
    gn.bundleNode = id;
    ws.colocations.push({ id: `${conn.id}-with-container`, dependent: conn, primary: c, score: INFINITY, nodeAttribute: "#uname", influence: true });
    ws.orderings.push({ id: `${conn.id}-after-container`, first: c, firstAction: "start", then: conn, thenAction: "start", kind: "Mandatory", symmetrical: true });
  });
  if (childClone) {
    for (let i = 0; i < replicas; i++) {
      const inst = addCloneInstance(childClone, ws, ctx);
      if (inst.kind === "primitive") {
        inst.bundle = { id, part: "child", replica: i };
        (inst as { forceNode?: string }).forceNode = `${id}-${i}`;
      }
    }
  }
}
