/**
 * Remote and guest node rules. Some go beyond what crm_verify 2.1.5 checks, because the
 * configurations they reject do not work:
 *
 * - a guest's `remote-node` name (and a remote connection's id, which names its node) must not
 *   clash with a resource id or a cluster node's id or uname;
 * - a connection resource (`ocf:pacemaker:remote`) must not be in a group or clone, nor in a
 *   colocation or order constraint (the cluster orders and colocates it itself);
 * - `remote-port` / `port` are TCP ports (1-65535), timeouts and intervals are durations;
 * - a guest's container (the resource carrying `remote-node`) is a primitive, not cloned;
 * - a `container` meta attribute names an existing resource.
 */
import type { CibElement } from "../model.ts";
import { type Ctx, kids, loc, nvMap, report, section } from "./_tree.ts";
import { allResources, inClone, isRemoteConnection, type Rsc } from "./_rsc.ts";
import { isPort, parseIntervalMs } from "./_values.ts";

interface NodeName {
  readonly name: string;
  readonly el: CibElement;
  readonly attr: string;
  readonly what: string;
}

function clashTargets(ctx: Ctx): { rscs: Map<string, string>; nodes: Map<string, string> } {
  const rscs = new Map<string, string>();
  const out = new Map<string, string>();
  for (const r of allResources(ctx)) if (r.id !== "") rscs.set(r.id, `resource ${loc(ctx, r.el)}`);
  for (const n of kids(section(ctx, "nodes"), "node")) {
    if ((n.attrs.type ?? "member") === "remote") continue; // the remote node's own entry
    for (const a of ["id", "uname"]) {
      const v = n.attrs[a];
      if (v !== undefined && !out.has(v)) out.set(v, `cluster node ${loc(ctx, n)}`);
    }
  }
  return { rscs, nodes: out };
}

function checkClash(ctx: Ctx, names: NodeName[]): void {
  const targets = clashTargets(ctx);
  const seen = new Map<string, NodeName>();
  for (const n of names) {
    const other = seen.get(n.name);
    if (other !== undefined) {
      report(ctx, "error", "REMOTE_NODE_NAME_CLASH", loc(ctx, n.el, n.attr), n.name, "a node name used once",
        `Node name "${n.name}" of ${n.what} is also the node name of ${other.what}`);
      continue;
    }
    seen.set(n.name, n);
    // A connection resource's id is its node name, so it is not a clash with itself.
    const r = targets.rscs.get(n.name);
    const t = targets.nodes.get(n.name) ?? (r !== undefined && !(n.attr === "id" && r === `resource ${loc(ctx, n.el)}`) ? r : undefined);
    if (t !== undefined) {
      report(ctx, "error", "REMOTE_NODE_NAME_CLASH", loc(ctx, n.el, n.attr), n.name,
        "a node name that is not a resource id or a cluster node id or name",
        `Node name "${n.name}" of ${n.what} clashes with ${t}`);
    }
  }
}

function checkDuration(ctx: Ctx, el: CibElement, value: string | undefined): void {
  if (value === undefined || parseIntervalMs(value) !== undefined) return;
  report(ctx, "error", "INVALID_DURATION", loc(ctx, el, "value"), value, "a duration such as 60s",
    `Value "${value}" is not a duration`);
}

function checkPortValue(ctx: Ctx, el: CibElement, value: string | undefined): void {
  if (value === undefined || isPort(value)) return;
  report(ctx, "error", "INVALID_PORT", loc(ctx, el, "value"), value, "an integer 1-65535",
    `Value "${value}" is not a port`);
}

function checkConnection(ctx: Ctx, r: Rsc, names: NodeName[]): void {
  names.push({ name: r.id, el: r.el, attr: "id", what: `remote connection "${r.id}"` });
  if (r.parent?.tag === "group") {
    report(ctx, "error", "REMOTE_CONNECTION_IN_GROUP", loc(ctx, r.el), r.id, "a top-level primitive",
      `Remote connection resource "${r.id}" is in group "${r.parent.id}"; connection resources cannot be grouped`);
  }
  if (inClone(r)) {
    report(ctx, "error", "REMOTE_CONNECTION_CLONED", loc(ctx, r.el), r.id, "a top-level primitive",
      `Remote connection resource "${r.id}" is in a clone; connection resources cannot be cloned`);
  }
  const params = nvMap(ctx, r.el, "instance_attributes");
  const port = params.get("port");
  if (port !== undefined) checkPortValue(ctx, port.el, port.value);
  const ri = params.get("reconnect_interval");
  if (ri !== undefined) checkDuration(ctx, ri.el, ri.value);
}

function checkGuest(ctx: Ctx, r: Rsc, names: NodeName[]): void {
  const rn = r.ownMeta.get("remote-node");
  if (rn === undefined || rn.value === undefined) return;
  names.push({ name: rn.value, el: rn.el, attr: "value", what: `guest container "${r.id}"` });
  if (r.tag !== "primitive") {
    report(ctx, "error", "GUEST_CONTAINER_NOT_PRIMITIVE", loc(ctx, rn.el), rn.value, "remote-node on a primitive",
      `The ${r.tag} "${r.id}" sets remote-node "${rn.value}", but a guest's container must be a primitive`);
  } else if (inClone(r)) {
    report(ctx, "error", "GUEST_CONTAINER_CLONED", loc(ctx, rn.el), rn.value, "remote-node on a primitive that is not cloned",
      `Primitive "${r.id}" sets remote-node "${rn.value}" but is in a clone; a guest's container cannot be cloned`);
  }
  const port = r.ownMeta.get("remote-port");
  if (port !== undefined) checkPortValue(ctx, port.el, port.value);
  const to = r.ownMeta.get("remote-connect-timeout");
  if (to !== undefined) checkDuration(ctx, to.el, to.value);
}

function connectionIds(ctx: Ctx): Set<string> {
  const out = new Set<string>();
  for (const r of allResources(ctx)) if (isRemoteConnection(ctx, r.el)) out.add(r.id);
  return out;
}

function checkConstraintUse(ctx: Ctx): void {
  const conns = connectionIds(ctx);
  if (conns.size === 0) return;
  for (const c of kids(section(ctx, "constraints"))) {
    if (c.tag !== "rsc_colocation" && c.tag !== "rsc_order") continue;
    const refs: [CibElement, string][] = [];
    for (const a of ["rsc", "with-rsc", "first", "then"]) if (c.attrs[a] !== undefined) refs.push([c, a]);
    for (const set of kids(c, "resource_set")) for (const ref of kids(set, "resource_ref")) refs.push([ref, "id"]);
    for (const [el, a] of refs) {
      const v = el.attrs[a]!;
      if (!conns.has(v)) continue;
      report(ctx, "error", "REMOTE_CONNECTION_IN_CONSTRAINT", loc(ctx, el, a), v, "no remote connection resource in colocation or order constraints",
        `Constraint "${c.attrs.id}" uses remote connection resource "${v}" in ${c.tag === "rsc_order" ? "an order" : "a colocation"} constraint`);
    }
  }
}

/** Check remote connections, guest containers and resources tied to containers. */
export function checkRemoteGuest(ctx: Ctx): void {
  const names: NodeName[] = [];
  for (const r of allResources(ctx)) {
    if (isRemoteConnection(ctx, r.el)) checkConnection(ctx, r, names);
    checkGuest(ctx, r, names);
    const container = r.ownMeta.get("container");
    if (container?.value !== undefined && !allResources(ctx).some((x) => x.id === container.value)) {
      report(ctx, "error", "UNKNOWN_REFERENCE", loc(ctx, container.el, "value"), container.value, "the id of a resource",
        `Resource "${r.id}" names container "${container.value}", which is not a resource`);
    }
  }
  checkClash(ctx, names);
  checkConstraintUse(ctx);
}
