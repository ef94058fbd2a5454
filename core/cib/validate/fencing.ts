/**
 * Nodes that need fencing. When Pacemaker's scheduler finds an unclean cluster or remote node
 * it warns that it schedules fencing (or that the node is unclean but cannot be fenced), and
 * crm_verify counts that warning. This file predicts those nodes from the status section the
 * way unpack.c and the scheduler do: node membership state (determine_online_status), nodes
 * never seen while startup-fencing is on, managed resources active on nodes that are down,
 * failures whose on-fail is fence (a failed stop by default), failed or stranded remote
 * connections, and deadman tickets (loss-policy=fence). Guest nodes are "fenced" by
 * recovering their container, which is not a warning.
 */
import { type Ctx, isTrue, kid, kids, loc, nvMap, report, section } from "./_tree.ts";
import { agentOf, isRemoteConnection, type Rsc, top } from "./_rsc.ts";
import { baseId, rscState } from "./_history.ts";
import { connectionCanMove } from "./_placement.ts";
import { buildModel, candidates, connFailed, managed, mark, type Model, onFailOf } from "./_fence_model.ts";

/** Resources active on nodes that are down, and failures whose on-fail is fence. */
function fromHistory(m: Model): void {
  for (const { ns, lrm } of m.histories) {
    const id = lrm.attrs.id ?? "";
    const rsc = m.byId.get(id) ?? m.byId.get(baseId(id));
    const st = rscState(lrm);
    if (st.active && !ns.online && !ns.maintenance && managed(m, rsc) && m.fencing) {
      // A remote node whose connection has not failed is fenced only when the connection
      // cannot be re-established on some other cluster node.
      const conn = ns.info.kind === "remote" ? ns.info.rsc : undefined;
      if (conn === undefined || connFailed(m, conn) || !connectionCanMove(m.ctx, m.byId.get(conn), candidates(m))) {
        mark(m, ns.info.name, `${id} is thought to be active there`);
      }
    }
    if (!managed(m, rsc) || ns.unclean !== undefined || !m.fencing) continue;
    for (const f of st.failedOps) {
      const onFail = onFailOf(m, rsc, f.name, Number(f.op.attrs.interval ?? 0))?.toLowerCase();
      // A stop's on-fail defaults to fence (and invalid values for stop are reset to it).
      const fence = onFail === "fence" ||
        (f.name === "stop" && (onFail === undefined || ["standby", "demote", "stop"].includes(onFail)));
      if (fence) mark(m, ns.info.name, `${id} failed there`);
    }
  }
}

/**
 * A failed remote connection (other than a probe or start, without an on-fail of its own)
 * makes its remote node unrecoverable unless it was already fenced.
 */
function failedConnections(m: Model): void {
  if (!m.fencing) return;
  for (const { ns, lrm } of m.histories) {
    const id = lrm.attrs.id ?? "";
    const rsc = m.byId.get(id);
    if (ns.info.kind !== "cluster" || rsc === undefined || !isRemoteConnection(m.ctx, rsc.el) || !managed(m, rsc)) continue;
    const failed = rscState(lrm).currentFailures.some((f) => {
      const interval = Number(f.op.attrs.interval ?? 0);
      if (f.name === "start" || (f.name === "monitor" && interval === 0)) return false;
      return onFailOf(m, rsc, f.name, interval) === undefined;
    });
    const fenced = m.status.get(id)?.state?.attrs.node_fenced;
    if (failed && (fenced === undefined || fenced === "0")) mark(m, id, "remote connection is unrecoverable");
  }
}

/** Remote nodes whose connection cannot be (re)started anywhere. */
function strandedRemotes(m: Model): void {
  const probeable = [...m.byId.values()].some((r) => r.tag === "primitive" &&
    agentOf(m.ctx, r.el).cls !== "stonith" && !isRemoteConnection(m.ctx, r.el) && top(r).tag !== "bundle");
  for (const ns of m.status.values()) {
    const conn = ns.info.kind === "remote" ? ns.info.rsc : undefined;
    if (conn === undefined || ns.unclean !== undefined) continue;
    const r = m.byId.get(conn);
    // Never seen: unclean by startup-fencing unless the connection will start.
    if (ns.state === undefined) {
      if (m.startupFencing && !connectionCanMove(m.ctx, r, candidates(m))) {
        mark(m, ns.info.name, "it has not been seen by the cluster and its connection cannot start (startup-fencing is on)");
      }
      continue;
    }
    if (!m.fencing || connectionCanMove(m.ctx, r, candidates(m))) continue;
    const hosts = [...(m.activeOn.get(conn) ?? [])];
    if (hosts.length > 0 && hosts.every((h) => m.status.get(h)?.unclean !== undefined)) {
      // The connection is on an unclean node and cannot move.
      const mine = m.histories.filter(({ ns: n }) => n === ns);
      if (mine.some(({ lrm }) => rscState(lrm).active)) {
        mark(m, ns.info.name, "resources are active but connection is unrecoverable");
      } else if (mine.length === 0 && probeable) {
        // Resources there would need probes, which cannot run. (Pacemaker decides per
        // resource where probes are needed; an empty history is the clear case.)
        mark(m, ns.info.name, "resources are in unknown state and connection is unrecoverable");
      }
    } else if (connFailed(m, conn)) {
      // A failed connection is unrecoverable, unless the node was fenced already and the
      // connection will be retried after reconnect_interval.
      const reconnect = r !== undefined && nvMap(m.ctx, r.el, "instance_attributes").get("reconnect_interval")?.value;
      if (!(reconnect && (ns.state.attrs.node_fenced ?? "0") !== "0")) mark(m, ns.info.name, "the connection is unrecoverable");
    }
  }
}

/** Tickets with loss-policy=fence that are not granted fence the nodes running their resources. */
function deadmanTickets(m: Model): void {
  const granted = new Set<string>();
  for (const t of kids(kid(m.ctx.status, "tickets"), "ticket_state")) {
    if (t.attrs.id !== undefined && isTrue(t.attrs.granted)) granted.add(t.attrs.id);
  }
  for (const c of kids(section(m.ctx, "constraints"), "rsc_ticket")) {
    if (c.attrs["loss-policy"] !== "fence" || c.attrs.ticket === undefined || granted.has(c.attrs.ticket)) continue;
    const ids = c.attrs.rsc !== undefined ? [c.attrs.rsc] : [];
    for (const set of kids(c, "resource_set")) for (const ref of kids(set, "resource_ref")) if (ref.attrs.id) ids.push(ref.attrs.id);
    // With rsc-role, only the nodes where the resource has that role lose it.
    const where = /^(promoted|master)$/i.test(c.attrs["rsc-role"] ?? "") ? m.promotedOn : m.activeOn;
    for (const id of ids) {
      for (const r of m.byId.values()) {
        let member = false;
        for (let p: Rsc | undefined = r; p !== undefined && !member; p = p.parent) member = p.id === id;
        if (member) for (const n of where.get(r.id) ?? []) mark(m, n, "deadman ticket was lost");
      }
    }
  }
}

/** Report every cluster or remote node the scheduler would find unclean. */
export function checkFencing(ctx: Ctx): void {
  const m = buildModel(ctx);
  if (m === undefined) return;
  fromHistory(m);
  failedConnections(m);
  strandedRemotes(m);
  deadmanTickets(m);
  for (const ns of m.status.values()) {
    if (ns.unclean === undefined) continue;
    const where = ns.state !== undefined ? loc(ctx, ns.state) : `/cib/status/node_state[@uname='${ns.info.name}']`;
    report(ctx, "warning", "NODE_NEEDS_FENCING", where, ns.info.name, "a clean node (no fencing needed)",
      m.fencing
        ? `Node "${ns.info.name}" is unclean and will be fenced: ${ns.unclean}`
        : `Node "${ns.info.name}" is unclean but cannot be fenced (fencing is disabled): ${ns.unclean}`);
  }
}
