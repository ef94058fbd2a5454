/**
 * The cluster's nodes with their kind, and the remote/guest node settings of resources.
 *
 * As in Pacemaker 2.1.5: cluster nodes come from the nodes section; a remote node is a
 * top-level `ocf:pacemaker:remote` primitive (the node is named after the resource, its
 * connection); a guest node is named by the `remote-node` meta attribute of a primitive (top
 * level or in a group; clones cannot hold guests), with an implicit connection resource of
 * the same name whose container is that primitive; bundles with a primitive and a network
 * (`ip-range-start` or `control-port`) create one implicit guest node per replica. `kind` is Pacemaker's `#kind`: `cluster`, `remote`,
 * `container` (Atrium's status output calls the last one `guest`).
 *
 * @example
 * ```ts
 * for (const n of clusterNodes(cib)) console.log(n.name, n.kind, n.connection ?? "-");
 * ```
 */
import type { Cib, CibElement, CibNode, Primitive } from "./model.ts";

/** Pacemaker's `#kind` of a node. */
export type NodeKind = "cluster" | "remote" | "container";

/** One node of the cluster as the configuration defines it. */
export interface ClusterNode {
  /** The node name (`uname`; for remote and guest nodes, the connection resource id). */
  readonly name: string;
  /** The node id (`node@id`; remote and guest nodes: the name). */
  readonly id: string;
  readonly kind: NodeKind;
  /** The connection resource id (remote and guest nodes). */
  readonly connection?: string;
  /** The container resource id (guest nodes). */
  readonly container?: string;
  /** The bundle that creates this guest node implicitly. */
  readonly bundle?: string;
  /** The `<node>` entry of the nodes section, if any. */
  readonly entry?: CibElement<"node">;
}

/** The guest-node meta attributes of a primitive (raw strings; defaults noted). */
export interface GuestNodeMeta {
  /** `remote-node`: the guest node's name. */
  readonly remoteNode: string;
  /** `remote-addr` (default: the node name). */
  readonly remoteAddr?: string;
  /** `remote-port` (default 3121). */
  readonly remotePort?: string;
  /** `remote-connect-timeout` (default "60s"). */
  readonly remoteConnectTimeout?: string;
  /** `remote-allow-migrate`. */
  readonly remoteAllowMigrate?: string;
}

/** The connection parameters of an `ocf:pacemaker:remote` primitive (raw strings). */
export interface RemoteConnectionParams {
  /** `server` (default: the resource id). */
  readonly server?: string;
  /** `port` (default 3121). */
  readonly port?: string;
  /** `reconnect_interval` (default 0: no reconnect interval). */
  readonly reconnectInterval?: string;
}

/** The default pacemaker_remote TCP port. */
export const DEFAULT_REMOTE_PORT = 3121;
/** The default `remote-connect-timeout` of a guest node. */
export const DEFAULT_REMOTE_CONNECT_TIMEOUT = "60s";

function kids(el: CibElement | undefined, tag?: string): CibElement[] {
  if (el === undefined) return [];
  const out: CibElement[] = [];
  for (const c of el.children as readonly CibNode[]) {
    if (c.tag !== "#text" && c.tag !== "#comment" && (tag === undefined || c.tag === tag)) {
      out.push(c as CibElement);
    }
  }
  return out;
}

function resourcesSection(cib: Cib): CibElement | undefined {
  return kids(kids(cib, "configuration")[0], "resources")[0];
}

/** True when `el` is an `ocf:pacemaker:remote` primitive (a remote node's connection). */
export function isRemoteConnection(el: CibElement): el is Primitive {
  return el.tag === "primitive" && el.attrs.class === "ocf" && el.attrs.provider === "pacemaker" &&
    el.attrs.type === "remote";
}

/**
 * The guest-node meta attributes of a primitive, or undefined when it has no `remote-node`.
 * Like Pacemaker, reads the nvpairs of every `meta_attributes` set directly (the last value of
 * a name wins; names compared case-insensitively).
 */
export function guestNodeMeta(el: CibElement): GuestNodeMeta | undefined {
  const v: Record<string, string> = {};
  for (const set of kids(el, "meta_attributes")) {
    for (const p of kids(set, "nvpair")) {
      const name = p.attrs.name?.toLowerCase();
      if (name !== undefined && p.attrs.value !== undefined) v[name] = p.attrs.value;
    }
  }
  const remoteNode = v["remote-node"];
  if (remoteNode === undefined) return undefined;
  const out: { -readonly [K in keyof GuestNodeMeta]: GuestNodeMeta[K] } = { remoteNode };
  if (v["remote-addr"] !== undefined) out.remoteAddr = v["remote-addr"];
  if (v["remote-port"] !== undefined) out.remotePort = v["remote-port"];
  if (v["remote-connect-timeout"] !== undefined) out.remoteConnectTimeout = v["remote-connect-timeout"];
  if (v["remote-allow-migrate"] !== undefined) out.remoteAllowMigrate = v["remote-allow-migrate"];
  return out;
}

/** The `server`, `port` and `reconnect_interval` of an `ocf:pacemaker:remote` primitive. */
export function remoteConnectionParams(el: CibElement): RemoteConnectionParams {
  const v: Record<string, string> = {};
  for (const set of kids(el, "instance_attributes")) {
    for (const p of kids(set, "nvpair")) {
      if (p.attrs.name !== undefined && p.attrs.value !== undefined && !(p.attrs.name in v)) {
        v[p.attrs.name] = p.attrs.value;
      }
    }
  }
  const out: { -readonly [K in keyof RemoteConnectionParams]: RemoteConnectionParams[K] } = {};
  if (v.server !== undefined) out.server = v.server;
  if (v.port !== undefined) out.port = v.port;
  if (v.reconnect_interval !== undefined) out.reconnectInterval = v.reconnect_interval;
  return out;
}

/** Pacemaker creates replica connections only for a bundle with a primitive and an IP range or control port. */
function bundleHasConnections(bundle: CibElement): boolean {
  const net = kids(bundle, "network")[0];
  return kids(bundle, "primitive").length > 0 && net !== undefined &&
    (net.attrs["ip-range-start"] !== undefined || net.attrs["control-port"] !== undefined);
}

function bundleReplicas(bundle: CibElement): number {
  const rt = kids(bundle).find((c) => c.tag === "docker" || c.tag === "podman" || c.tag === "rkt");
  const raw = rt?.attrs.replicas ?? rt?.attrs["promoted-max"] ?? rt?.attrs.masters;
  const n = raw === undefined ? 1 : Number.parseInt(raw, 10);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

/**
 * The cluster's nodes: nodes-section entries, then remote nodes, guest nodes and bundle
 * replicas, each name once (a nodes-section entry of a remote or guest node is merged into it).
 *
 * @example
 * ```ts
 * clusterNodes(cib).filter((n) => n.kind === "container").map((n) => n.container);
 * ```
 */
export function clusterNodes(cib: Cib): ClusterNode[] {
  const byName = new Map<string, ClusterNode>();
  const order: string[] = [];
  function put(n: ClusterNode): void {
    const old = byName.get(n.name);
    if (old === undefined) order.push(n.name);
    byName.set(
      n.name,
      old?.entry !== undefined && n.entry === undefined ? { ...n, id: old.id, entry: old.entry } : n,
    );
  }
  for (const e of kids(kids(kids(cib, "configuration")[0], "nodes")[0], "node") as CibElement<"node">[]) {
    const id = e.attrs.id;
    if (id === undefined) continue; // Pacemaker ignores a node entry without id
    const name = e.attrs.uname ?? id;
    if (byName.has(name)) continue;
    put({ name, id, kind: e.attrs.type?.toLowerCase() === "remote" ? "remote" : "cluster", entry: e });
  }
  for (const r of kids(resourcesSection(cib))) {
    if (isRemoteConnection(r)) {
      const name = r.attrs.id;
      if (name !== undefined) put({ name, id: name, kind: "remote", connection: name });
      continue;
    }
    const candidates = r.tag === "primitive" ? [r] : r.tag === "group" ? kids(r, "primitive") : [];
    for (const p of candidates) {
      const g = guestNodeMeta(p);
      if (g === undefined || p.attrs.id === undefined) continue;
      put({
        name: g.remoteNode,
        id: g.remoteNode,
        kind: "container",
        connection: g.remoteNode,
        container: p.attrs.id,
      });
    }
    if (r.tag === "bundle" && r.attrs.id !== undefined && bundleHasConnections(r)) {
      const rt = kids(r).find((c) => c.tag === "docker" || c.tag === "podman" || c.tag === "rkt");
      for (let i = 0; i < bundleReplicas(r); i++) {
        const name = `${r.attrs.id}-${i}`;
        put({
          name,
          id: name,
          kind: "container",
          connection: name,
          container: `${r.attrs.id}-${rt?.tag ?? "docker"}-${i}`,
          bundle: r.attrs.id,
        });
      }
    }
  }
  return order.map((n) => byName.get(n)!);
}
