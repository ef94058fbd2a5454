/**
 * The state the fencing prediction works on: every configured node with its membership
 * state (as unpack.c's determine_online_status derives it), every recorded resource history,
 * and where each resource is active or promoted. Private to `fencing.ts`.
 */
import type { CibElement } from "../model.ts";
import { clusterOptions, type Ctx, isFalse, isTrue, kids, nvMap, section, stonithEnabled } from "./_tree.ts";
import { allResources, opsOf, type Rsc } from "./_rsc.ts";
import { baseId, configuredNodes, lrmResources, type NodeInfo, nodeOfState, rscState, transientAttrs } from "./_history.ts";
import { parseIntervalMs } from "./_values.ts";
import type { Candidate } from "./_placement.ts";

/** One node as the prediction sees it. */
export interface NodeStatus {
  readonly info: NodeInfo;
  readonly state: CibElement | undefined;
  online: boolean;
  maintenance: boolean;
  standby: boolean;
  /** Why the node is unclean (undefined while it is clean). */
  unclean?: string;
}

/** Everything the rules need. */
export interface Model {
  readonly ctx: Ctx;
  readonly fencing: boolean;
  readonly startupFencing: boolean;
  readonly maintenanceMode: boolean;
  readonly defaultOnFail: string | undefined;
  readonly byId: ReadonlyMap<string, Rsc>;
  readonly status: ReadonlyMap<string, NodeStatus>;
  readonly histories: readonly { ns: NodeStatus; lrm: CibElement }[];
  readonly activeOn: ReadonlyMap<string, ReadonlySet<string>>;
  readonly promotedOn: ReadonlyMap<string, ReadonlySet<string>>;
}

function clusterNodeStatus(ctx: Ctx, ns: NodeStatus, fencing: boolean, startupFencing: boolean): void {
  const st = ns.state;
  if (st === undefined) {
    if (startupFencing) ns.unclean = "it has not been seen by the cluster (startup-fencing is on)";
    return;
  }
  const attrs = transientAttrs(ctx, st);
  if (isTrue(attrs.get("maintenance"))) ns.maintenance = true;
  if (isTrue(attrs.get("standby"))) ns.standby = true;
  const shutdownAttr = attrs.get("shutdown");
  const shutdown = shutdownAttr !== undefined && shutdownAttr !== "" && shutdownAttr !== "0";
  const expected = st.attrs.expected;
  const inCluster = st.attrs.in_ccm;
  const crmdOnline = (st.attrs.crmd ?? "").toLowerCase() === "online";
  const join = st.attrs.join;
  const term = attrs.get("terminate");
  const doTerminate = isTrue(term) || (term !== undefined && term !== "" && term[0] !== "0" && /\d/.test(term[0]!));
  if (!fencing) {
    if (!isTrue(inCluster)) return;
    if (crmdOnline) {
      ns.online = (join ?? "").toLowerCase() === "member";
    } else if (!shutdown && expected === "member") {
      ns.unclean = "peer is unexpectedly down";
    }
    return;
  }
  const exp = expected ?? "down";
  if (shutdown) {
    ns.online = crmdOnline;
  } else if (inCluster === undefined) {
    ns.unclean = "peer has not been seen by the cluster";
  } else if (join === "banned") {
    ns.unclean = "peer failed Pacemaker membership criteria";
  } else if (!doTerminate && exp === "down") {
    ns.online = isTrue(inCluster);
  } else if (doTerminate && join === "down" && !isTrue(inCluster) && !crmdOnline) {
    ns.online = false;
  } else if (!isTrue(inCluster)) {
    ns.unclean = "peer is no longer part of the cluster";
  } else if (!crmdOnline) {
    ns.unclean = "peer process is no longer available";
  } else if (doTerminate) {
    ns.unclean = "termination was requested";
  } else if (join === "member" || join === "pending" || join === "down") {
    ns.online = true;
  } else {
    ns.unclean = "peer was in an unknown state";
  }
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  if (!map.has(key)) map.set(key, new Set());
  map.get(key)!.add(value);
}

/** Build the model, or undefined when the CIB has no status section. */
export function buildModel(ctx: Ctx): Model | undefined {
  if (ctx.status === undefined) return undefined;
  const opts = clusterOptions(ctx);
  const fencing = stonithEnabled(ctx);
  // Pacemaker reads startup-fencing only when fencing is enabled.
  const sf = opts.get("startup-fencing");
  const startupFencing = fencing && (sf === undefined || isTrue(sf) || !isFalse(sf));
  const nodes = configuredNodes(ctx);
  const configEls = kids(section(ctx, "nodes"), "node");
  const fresh = (info: NodeInfo, state: CibElement | undefined): NodeStatus => {
    const attrs = nvMap(ctx, configEls.find((n) => n.attrs.id === info.id), "instance_attributes");
    return {
      info, state, online: false,
      maintenance: isTrue(attrs.get("maintenance")?.value),
      standby: isTrue(attrs.get("standby")?.value),
    };
  };
  const status = new Map<string, NodeStatus>();
  for (const info of nodes) status.set(info.name, fresh(info, undefined));
  for (const st of kids(ctx.status, "node_state")) {
    const info = st.attrs.id !== undefined && st.attrs.uname !== undefined ? nodeOfState(nodes, st) : undefined;
    if (info !== undefined && status.get(info.name)!.state === undefined) status.set(info.name, fresh(info, st));
  }
  for (const ns of status.values()) if (ns.info.kind === "cluster") clusterNodeStatus(ctx, ns, fencing, startupFencing);

  const activeOn = new Map<string, Set<string>>();
  const promotedOn = new Map<string, Set<string>>();
  const histories: { ns: NodeStatus; lrm: CibElement }[] = [];
  for (const ns of status.values()) {
    if (ns.state === undefined || ns.info.kind === "ping") continue;
    for (const lrm of lrmResources(ns.state)) {
      histories.push({ ns, lrm });
      const rs = rscState(lrm);
      const id = baseId(lrm.attrs.id ?? "");
      if (rs.active) add(activeOn, id, ns.info.name);
      if (rs.active && rs.promoted) add(promotedOn, id, ns.info.name);
    }
  }
  const m: Model = {
    ctx, fencing, startupFencing,
    maintenanceMode: isTrue(opts.get("maintenance-mode")),
    defaultOnFail: nvMap(ctx, section(ctx, "op_defaults"), "meta_attributes").get("on-fail")?.value,
    byId: new Map(allResources(ctx).map((r) => [r.id, r] as const)),
    status, histories, activeOn, promotedOn,
  };
  // Remote and guest nodes are online while their connection (or container) is active and
  // has not failed.
  for (const ns of status.values()) {
    if ((ns.info.kind === "remote" || ns.info.kind === "guest") && ns.info.rsc !== undefined) {
      ns.online = (activeOn.get(ns.info.rsc)?.size ?? 0) > 0 && !connFailed(m, ns.info.rsc);
    }
  }
  return m;
}

const failedCache = new WeakMap<Model, Map<string, boolean>>();

/** True when the connection (or container) `rsc` has a failure not cleared by a start or stop. */
export function connFailed(m: Model, rsc: string): boolean {
  let cache = failedCache.get(m);
  if (cache === undefined) {
    cache = new Map();
    for (const { lrm } of m.histories) {
      const id = lrm.attrs.id ?? "";
      if (rscState(lrm).currentFailures.length > 0) cache.set(id, true);
    }
    failedCache.set(m, cache);
  }
  return cache.get(rsc) === true;
}

/** The nodes a connection could be placed on, for `connectionCanMove`. */
export function candidates(m: Model): Candidate[] {
  return [...m.status.values()].map((s) => ({
    name: s.info.name,
    state: s.state,
    usable: s.info.kind === "cluster" && s.online && s.unclean === undefined && !s.standby,
  }));
}

/** Mark a cluster or remote node unclean (guests are recovered, not fenced; first reason wins). */
export function mark(m: Model, name: string, why: string): void {
  const ns = m.status.get(name);
  if (ns === undefined || ns.unclean !== undefined || ns.info.kind === "guest" || ns.info.kind === "ping") return;
  ns.unclean = why;
}

/** The on-fail configured for an operation (or op_defaults'), undefined for the default. */
export function onFailOf(m: Model, rsc: Rsc | undefined, opName: string, intervalMs: number): string | undefined {
  if (rsc === undefined || rsc.tag !== "primitive") return m.defaultOnFail;
  for (const op of opsOf(m.ctx, rsc.el)) {
    if (op.attrs.name === opName && (parseIntervalMs(op.attrs.interval) ?? -1) === intervalMs) {
      return op.attrs["on-fail"] ?? m.defaultOnFail;
    }
  }
  return m.defaultOnFail;
}

/** Whether the cluster manages `r` (not unmanaged, not in maintenance). */
export function managed(m: Model, r: Rsc | undefined): boolean {
  if (m.maintenanceMode) return false;
  if (r === undefined) return true;
  return !isFalse(r.meta.get("is-managed")) && !isTrue(r.meta.get("maintenance"));
}
