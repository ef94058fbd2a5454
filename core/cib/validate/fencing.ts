/**
 * Nodes that need fencing. When Pacemaker's scheduler finds an unclean cluster or remote node
 * it warns that it schedules fencing (or that the node is unclean but cannot be fenced), and
 * crm_verify counts that warning. This file predicts those nodes from the status section the
 * way unpack.c does: node membership state (determine_online_status), nodes never seen while
 * startup-fencing is on, managed resources active on nodes that are down, failures whose
 * on-fail is fence (a failed stop by default), and deadman tickets (loss-policy=fence).
 * Guest nodes are "fenced" by recovering their container, which is not a warning.
 */
import type { CibElement } from "../model.ts";
import { clusterOptions, type Ctx, isFalse, isTrue, kid, kids, loc, nvMap, report, section, stonithEnabled } from "./_tree.ts";
import { agentOf, allResources, isRemoteConnection, opsOf, type Rsc, top } from "./_rsc.ts";
import { baseId, configuredNodes, lrmResources, type NodeInfo, nodeOfState, rscState, transientAttrs } from "./_history.ts";
import { parseIntervalMs } from "./_values.ts";
import { type Candidate, connectionCanMove } from "./_placement.ts";

interface NodeStatus {
  readonly info: NodeInfo;
  readonly state: CibElement | undefined;
  online: boolean;
  maintenance: boolean;
  standby: boolean;
  unclean?: string;
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
  } else if (join === "member") {
    ns.online = true;
  } else if (join === "pending" || join === "down") {
    ns.online = true;
  } else {
    ns.unclean = "peer was in an unknown state";
  }
}

function onFailOf(ctx: Ctx, rsc: Rsc | undefined, opName: string, intervalMs: number, defaults: string | undefined): string | undefined {
  if (rsc === undefined || rsc.tag !== "primitive") return defaults;
  for (const op of opsOf(ctx, rsc.el)) {
    if (op.attrs.name === opName && (parseIntervalMs(op.attrs.interval) ?? -1) === intervalMs) {
      return op.attrs["on-fail"] ?? defaults;
    }
  }
  return defaults;
}

function managed(r: Rsc | undefined, maintenanceMode: boolean): boolean {
  if (maintenanceMode) return false;
  if (r === undefined) return true;
  return !isFalse(r.meta.get("is-managed")) && !isTrue(r.meta.get("maintenance"));
}

function deadmanTickets(
  ctx: Ctx,
  byId: Map<string, Rsc>,
  activeOn: Map<string, Set<string>>,
  promotedOn: Map<string, Set<string>>,
  mark: (n: string, why: string) => void,
): void {
  const granted = new Set<string>();
  for (const t of kids(kid(ctx.status, "tickets"), "ticket_state")) {
    if (t.attrs.id !== undefined && isTrue(t.attrs.granted)) granted.add(t.attrs.id);
  }
  for (const c of kids(section(ctx, "constraints"), "rsc_ticket")) {
    if (c.attrs["loss-policy"] !== "fence" || c.attrs.ticket === undefined || granted.has(c.attrs.ticket)) continue;
    const ids = c.attrs.rsc !== undefined ? [c.attrs.rsc] : [];
    for (const set of kids(c, "resource_set")) for (const ref of kids(set, "resource_ref")) if (ref.attrs.id) ids.push(ref.attrs.id);
    for (const id of ids) {
      const members = [...byId.values()].filter((r) => {
        for (let p: Rsc | undefined = r; p !== undefined; p = p.parent) if (p.id === id) return true;
        return false;
      });
      // With rsc-role, only the nodes where the resource has that role lose it.
      const where = /^(promoted|master)$/i.test(c.attrs["rsc-role"] ?? "") ? promotedOn : activeOn;
      for (const m of members) for (const n of where.get(m.id) ?? []) mark(n, "deadman ticket was lost");
    }
  }
}

/** Report every cluster or remote node the scheduler would find unclean. */
export function checkFencing(ctx: Ctx): void {
  if (ctx.status === undefined) return;
  const opts = clusterOptions(ctx);
  const fencing = stonithEnabled(ctx);
  // Pacemaker reads startup-fencing only when fencing is enabled.
  const sf = opts.get("startup-fencing");
  const startupFencing = fencing && (sf === undefined || isTrue(sf) || !isFalse(sf));
  const maintenanceMode = isTrue(opts.get("maintenance-mode"));
  const defaultOnFail = nvMap(ctx, section(ctx, "op_defaults"), "meta_attributes").get("on-fail")?.value;
  const byId = new Map(allResources(ctx).map((r) => [r.id, r] as const));
  const nodes = configuredNodes(ctx);
  const status = new Map<string, NodeStatus>();
  const configAttrs = (info: NodeInfo): Map<string, { value: string | undefined }> => {
    const el = kids(section(ctx, "nodes"), "node").find((n) => n.attrs.id === info.id);
    return nvMap(ctx, el, "instance_attributes");
  };
  const fresh = (info: NodeInfo, state: CibElement | undefined): NodeStatus => {
    const attrs = configAttrs(info);
    return {
      info, state, online: false,
      maintenance: isTrue(attrs.get("maintenance")?.value),
      standby: isTrue(attrs.get("standby")?.value),
    };
  };
  for (const info of nodes) status.set(info.name, fresh(info, undefined));
  for (const st of kids(ctx.status, "node_state")) {
    const info = st.attrs.id !== undefined && st.attrs.uname !== undefined ? nodeOfState(nodes, st) : undefined;
    if (info !== undefined && status.get(info.name)!.state === undefined) status.set(info.name, fresh(info, st));
  }
  for (const ns of status.values()) if (ns.info.kind === "cluster") clusterNodeStatus(ctx, ns, fencing, startupFencing);

  // Where each resource is active (by configured id, clone suffix stripped).
  const activeOn = new Map<string, Set<string>>();
  const promotedOn = new Map<string, Set<string>>();
  const histories: { ns: NodeStatus; lrm: CibElement }[] = [];
  for (const ns of status.values()) {
    if (ns.state === undefined || ns.info.kind === "ping") continue;
    for (const lrm of lrmResources(ns.state)) {
      histories.push({ ns, lrm });
      const rs = rscState(lrm);
      if (!rs.active) continue;
      const id = baseId(lrm.attrs.id ?? "");
      if (rs.promoted) {
        if (!promotedOn.has(id)) promotedOn.set(id, new Set());
        promotedOn.get(id)!.add(ns.info.name);
      }
      if (!activeOn.has(id)) activeOn.set(id, new Set());
      activeOn.get(id)!.add(ns.info.name);
    }
  }
  const candidates = (): Candidate[] => [...status.values()].map((s) => ({
    name: s.info.name,
    state: s.state,
    usable: s.info.kind === "cluster" && s.online && s.unclean === undefined && !s.standby,
  }));
  const connFailed = (rsc: string): boolean =>
    histories.some(({ lrm }) => lrm.attrs.id === rsc && rscState(lrm).currentFailures.length > 0);
  // Remote and guest nodes are online while their connection (or container) is active and
  // has not failed.
  for (const ns of status.values()) {
    if ((ns.info.kind === "remote" || ns.info.kind === "guest") && ns.info.rsc !== undefined) {
      ns.online = (activeOn.get(ns.info.rsc)?.size ?? 0) > 0 && !connFailed(ns.info.rsc);
    }
  }
  const canHostConnection = (): boolean =>
    [...status.values()].some((s) => s.info.kind === "cluster" && s.online && s.unclean === undefined && !s.standby);
  const mark = (name: string, why: string): void => {
    const ns = status.get(name);
    if (ns === undefined || ns.unclean !== undefined || ns.info.kind === "guest" || ns.info.kind === "ping") return;
    ns.unclean = why;
  };
  for (const { ns, lrm } of histories) {
    const id = lrm.attrs.id ?? "";
    const rsc = byId.get(id) ?? byId.get(baseId(id));
    const st = rscState(lrm);
    if (st.active && !ns.online && !ns.maintenance && managed(rsc, maintenanceMode) && fencing) {
      // A remote node whose connection has not failed is fenced only when the connection
      // cannot be re-established on some other cluster node.
      const conn = ns.info.kind === "remote" && ns.info.rsc !== undefined ? connFailed(ns.info.rsc) : true;
      if (conn || !canHostConnection()) mark(ns.info.name, `${id} is thought to be active there`);
    }
    if (!managed(rsc, maintenanceMode) || ns.unclean !== undefined) continue;
    for (const f of st.failedOps) {
      const interval = Number(f.op.attrs.interval ?? 0);
      const onFail = onFailOf(ctx, rsc, f.name, interval, defaultOnFail)?.toLowerCase();
      const fence = onFail === "fence" || (onFail === undefined && f.name === "stop") ||
        (f.name === "stop" && onFail !== undefined && ["standby", "demote", "stop"].includes(onFail));
      if (fence && fencing) mark(ns.info.name, `${id} failed there`);
    }
  }
  // A failed remote connection (other than a probe or start, with no on-fail of its own)
  // makes its remote node unrecoverable unless it was already fenced.
  for (const { ns, lrm } of histories) {
    const id = lrm.attrs.id ?? "";
    const rsc = byId.get(id);
    if (!fencing || rsc === undefined || !isRemoteConnection(ctx, rsc.el) || !managed(rsc, maintenanceMode)) continue;
    if (ns.info.kind !== "cluster") continue;
    const failed = rscState(lrm).currentFailures.some((f) => {
      const interval = Number(f.op.attrs.interval ?? 0);
      if (f.name === "start" || (f.name === "monitor" && interval === 0)) return false;
      return onFailOf(ctx, rsc, f.name, interval, defaultOnFail) === undefined;
    });
    const remote = status.get(id);
    const fenced = remote?.state?.attrs.node_fenced;
    if (failed && (fenced === undefined || fenced === "0")) mark(id, "remote connection is unrecoverable");
  }
  // A remote node never seen stays unclean (startup-fencing) unless its connection can start.
  for (const ns of status.values()) {
    const conn = ns.info.kind === "remote" ? ns.info.rsc : undefined;
    if (conn === undefined || ns.state !== undefined || !startupFencing) continue;
    if (!connectionCanMove(ctx, byId.get(conn), candidates())) {
      mark(ns.info.name, "it has not been seen by the cluster and its connection cannot start (startup-fencing is on)");
    }
  }
  // A remote node with active resources whose connection is on an unclean cluster node and
  // cannot be started on any other node cannot be recovered.
  for (const ns of status.values()) {
    const conn = ns.info.kind === "remote" ? ns.info.rsc : undefined;
    if (conn === undefined || !fencing || ns.unclean !== undefined) continue;
    const hosts = [...(activeOn.get(conn) ?? [])];
    if (hosts.length === 0 || !hosts.every((h) => status.get(h)?.unclean !== undefined)) continue;
    if (connectionCanMove(ctx, byId.get(conn), candidates())) continue;
    const mine = histories.filter(({ ns: n }) => n === ns);
    if (mine.some(({ lrm }) => rscState(lrm).active)) {
      mark(ns.info.name, "resources are active but connection is unrecoverable");
      continue;
    }
    // With no resource history at all, resources there would need probes, which cannot run.
    // (Pacemaker decides per resource where probes are needed; an empty history is the
    // clear case.)
    const probeable = [...byId.values()].some((r) => r.tag === "primitive" &&
      agentOf(ctx, r.el).cls !== "stonith" && !isRemoteConnection(ctx, r.el) && top(r).tag !== "bundle");
    if (mine.length === 0 && probeable) mark(ns.info.name, "resources are in unknown state and connection is unrecoverable");
  }
  // A failed connection that cannot be started anywhere leaves its node unrecoverable
  // (unless it was fenced already and will be reconnected after reconnect_interval).
  for (const ns of status.values()) {
    const conn = ns.info.kind === "remote" ? ns.info.rsc : undefined;
    if (conn === undefined || !fencing || ns.unclean !== undefined || !connFailed(conn)) continue;
    const r = byId.get(conn);
    const reconnect = r !== undefined && nvMap(ctx, r.el, "instance_attributes").get("reconnect_interval")?.value;
    const wasFenced = (ns.state?.attrs.node_fenced ?? "0") !== "0";
    if (reconnect && wasFenced) continue;
    if (!connectionCanMove(ctx, r, candidates())) mark(ns.info.name, "the connection is unrecoverable");
  }
  deadmanTickets(ctx, byId, activeOn, promotedOn, mark);
  for (const ns of status.values()) {
    if (ns.unclean === undefined || ns.info.kind === "guest" || ns.info.kind === "ping") continue;
    const where = ns.state !== undefined ? loc(ctx, ns.state) : `/cib/status/node_state[@uname='${ns.info.name}']`;
    report(ctx, "warning", "NODE_NEEDS_FENCING", where, ns.info.name, "a clean node (no fencing needed)",
      fencing
        ? `Node "${ns.info.name}" is unclean and will be fenced: ${ns.unclean}`
        : `Node "${ns.info.name}" is unclean but cannot be fenced (fencing is disabled): ${ns.unclean}`);
  }
}
