/**
 * Reading the status section as Pacemaker's unpacking does, far enough for the validator:
 * which nodes exist (cluster, remote, guest, bundle replicas), and for each recorded resource
 * history whether the resource is active on the node and whether a failure asks for fencing.
 */
import type { CibElement } from "../model.ts";
import { type Ctx, kid, kids, nvMap, section } from "./_tree.ts";
import { allResources, isRemoteConnection } from "./_rsc.ts";

/** A node the configuration defines. */
export interface NodeInfo {
  readonly name: string;
  readonly id: string;
  readonly kind: "cluster" | "remote" | "guest" | "ping";
  /** The connection resource (remote) or container resource (guest). */
  readonly rsc?: string;
}

/** Every node of the configuration: nodes section, remote connections, guests, bundle replicas. */
export function configuredNodes(ctx: Ctx): NodeInfo[] {
  const out: NodeInfo[] = [];
  const remoteIds = new Set<string>();
  for (const r of allResources(ctx)) {
    if (isRemoteConnection(ctx, r.el)) {
      out.push({ name: r.id, id: r.id, kind: "remote", rsc: r.id });
      remoteIds.add(r.id);
    }
    const rn = r.ownMeta.get("remote-node")?.value;
    if (rn !== undefined && r.tag === "primitive") {
      out.push({ name: rn, id: rn, kind: "guest", rsc: r.id });
      remoteIds.add(rn);
    }
    if (r.tag === "bundle" && kid(r.el, "primitive") !== undefined) {
      const runtime = kids(r.el).find((c) => ["docker", "podman", "rkt"].includes(c.tag));
      const n = Number(runtime?.attrs.replicas ?? "1");
      for (let i = 0; i < (Number.isFinite(n) ? n : 1); i++) {
        out.push({ name: `${r.id}-${i}`, id: `${r.id}-${i}`, kind: "guest", rsc: `${r.id}-${runtime?.tag ?? "docker"}-${i}` });
      }
    }
  }
  for (const n of kids(section(ctx, "nodes"), "node")) {
    const id = n.attrs.id;
    if (id === undefined) continue;
    const type = n.attrs.type ?? "member";
    const name = n.attrs.uname ?? id;
    if (type === "remote") {
      // A remote node entry without a connection resource is a leftover; Pacemaker keeps it
      // as a remote node that is never fenced.
      if (!remoteIds.has(name)) out.push({ name, id, kind: "remote" });
      continue;
    }
    out.push({ name, id, kind: type === "ping" ? "ping" : "cluster" });
  }
  return out;
}

/** Find the configured node a `node_state` is about (by id, then by uname). */
export function nodeOfState(nodes: readonly NodeInfo[], state: CibElement): NodeInfo | undefined {
  const id = state.attrs.id;
  const uname = state.attrs.uname;
  return nodes.find((n) => n.id === id) ?? nodes.find((n) => n.name === uname);
}

/** The expected result code of a recorded operation (from its transition key), default 0. */
function targetRc(op: CibElement): number {
  const key = op.attrs["transition-key"];
  if (key === undefined) return 0;
  const parts = key.split(":");
  const n = Number(parts[2]);
  return parts.length >= 4 && Number.isInteger(n) ? n : 0;
}

/** What the recorded history of one resource on one node says. */
export interface RscState {
  readonly active: boolean;
  /** Active in the promoted role (last promote, or a monitor that found it promoted). */
  readonly promoted: boolean;
  /** Every failed operation recorded (a failure stays on record until cleaned up). */
  readonly failedOps: readonly { op: CibElement; name: string; rc: number }[];
  /** The failures recorded after the last successful start or stop. */
  readonly currentFailures: readonly { op: CibElement; name: string; rc: number }[];
}

const stateCache = new WeakMap<CibElement, RscState>();

/** Replay `lrm_resource`'s operations in call order and report the resulting state. */
export function rscState(lrm: CibElement): RscState {
  let s = stateCache.get(lrm);
  if (s === undefined) {
    s = replay(lrm);
    stateCache.set(lrm, s);
  }
  return s;
}

function replay(lrm: CibElement): RscState {
  const ops = kids(lrm, "lrm_rsc_op").slice().sort((a, b) => {
    const ca = Number(a.attrs["call-id"] ?? 0);
    const cb = Number(b.attrs["call-id"] ?? 0);
    const ka = ca < 0 ? Number.MAX_SAFE_INTEGER : ca;
    const kb = cb < 0 ? Number.MAX_SAFE_INTEGER : cb;
    return ka - kb;
  });
  let active = false;
  let promoted = false;
  const failedOps: { op: CibElement; name: string; rc: number }[] = [];
  let sinceStart = 0;
  for (const op of ops) {
    const name = op.attrs.operation ?? "";
    const rc = Number(op.attrs["rc-code"] ?? 0);
    const status = Number(op.attrs["op-status"] ?? 0);
    const interval = Number(op.attrs.interval ?? 0);
    const pending = status === -1 || op.attrs["call-id"] === "-1";
    if (name === "notify" || name === "meta-data" || name === "cancel") continue;
    if (pending) {
      if (name === "start" || name === "promote" || name === "migrate_from" || name === "migrate_to") active = true;
      continue;
    }
    const expected = targetRc(op);
    // An error code is a failure even when the transition expected it.
    const failed = (rc !== expected || (rc !== 0 && rc !== 7 && rc !== 8)) && !(name === "monitor" && interval === 0 && rc === 7);
    if (name === "monitor") {
      if (rc === 7 || (rc === 5 && interval === 0)) active = false;
      else active = true;
      if (rc === 8) promoted = true;
      else if (rc === 0 || rc === 7) promoted = false;
      if (failed && !(interval === 0 && (rc === 7 || rc === 5))) failedOps.push({ op, name, rc });
      continue;
    }
    if (name === "stop") {
      if (rc === 0) {
        active = promoted = false;
        sinceStart = failedOps.length;
      } else {
        active = true;
        failedOps.push({ op, name, rc });
      }
      continue;
    }
    if (name === "start" || name === "promote" || name === "demote" || name === "migrate_from") {
      active = true;
      if (!failed) promoted = name === "promote";
      if (failed) failedOps.push({ op, name, rc });
      else if (name === "start" || name === "migrate_from") sinceStart = failedOps.length;
      continue;
    }
    if (name === "migrate_to") {
      active = true;
      continue;
    }
  }
  return { active, promoted, failedOps, currentFailures: failedOps.slice(sinceStart) };
}

/** Strip a clone instance suffix (`rsc:3` -> `rsc`). */
export function baseId(id: string): string {
  const i = id.lastIndexOf(":");
  return i > 0 && /^\d+$/.test(id.slice(i + 1)) ? id.slice(0, i) : id;
}

/** The transient attributes of a node_state (first value wins). */
export function transientAttrs(ctx: Ctx, state: CibElement): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  const ta = kid(state, "transient_attributes");
  for (const [k, v] of nvMap(ctx, ta, "instance_attributes")) out.set(k, v.value);
  return out;
}

/** The `lrm_resource` entries of a node_state. */
export function lrmResources(state: CibElement): CibElement[] {
  return kids(kid(kid(state, "lrm"), "lrm_resources"), "lrm_resource");
}
