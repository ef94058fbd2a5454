/**
 * Phase 1c: the status section. Node membership (online, unclean, pending, shutdown, standby,
 * maintenance via transient attributes), remote and guest node state, and each resource's
 * operation history reduced to where it is active, in which role, and what failed.
 */
import type { Cib, CibElement } from "../cib/model.ts";
import { kid, kids, bool, isTrue } from "./_cib.ts";
import { unpackNvSets, type RuleContext } from "./_rules.ts";
import { parseScore, INFINITY } from "./scores.ts";
import { historyState, type HistState } from "./_history.ts";
import { addCloneInstance, makePrimitive } from "./unpack_resources.ts";
import { cloneOf, type Clone, type Primitive, type Rsc, type SNode, type WorkingSet } from "./_model.ts";
import { makeNode } from "./unpack_config.ts";
import { connectionFailureFences, connectionOnFail } from "./remote_fencing.ts";
import { fenceGuest, fenceNodeForFailure, fillerStopFailure, guestContainerFails } from "./remote_container.ts";
import { noteShutdownLock } from "./shutdown_lock.ts";

function nodeOnline(ws: WorkingSet, n: SNode, st: CibElement): void {
  const a = st.attrs;
  const inCluster = a.in_ccm;
  const inTrue = inCluster !== undefined && (isTrue(inCluster) || /^[1-9]\d*$/.test(inCluster));
  const crmdOnline = (a.crmd ?? "").toLowerCase() === "online" || /^[1-9]\d*$/.test(a.crmd ?? "");
  const join = (a.join ?? "").toLowerCase();
  const expected = (a.expected ?? "down").toLowerCase();
  const term = n.attrs.get("terminate");
  const doTerminate = isTrue(term) || (term !== undefined && /^[1-9]/.test(term));
  n.unclean = false;
  n.seen = true;
  let online = false;
  if (!ws.options.stonithEnabled) {
    if (!inTrue) online = false;
    else if (crmdOnline) online = join === "member";
    else if (expected === "member" && !n.shutdown) n.unclean = true;
  } else {
    online = inTrue;
    if (n.shutdown) online = crmdOnline;
    else if (inCluster === undefined) n.unclean = true;
    else if (join === "nack" || join === "banned") n.unclean = true;
    else if (!doTerminate && expected === "down") {
      if (inTrue || crmdOnline) { n.pending = true; n.standby = true; }
    } else if (doTerminate && join === "down" && !inTrue && !crmdOnline) online = false;
    else if (!inTrue) n.unclean = true;
    else if (!crmdOnline) n.unclean = true;
    else if (doTerminate) n.unclean = true;
    else if (join === "member") { /* active */ }
    else if (join === "pending" || join === "down") { n.pending = true; n.standby = true; }
    else n.unclean = true;
  }
  if (n.unclean) online = false;
  n.online = online;
}

/** Where history of a given lrm_resource id goes. */
interface Target { prim?: Primitive; clone?: Clone; member?: number; suffix?: string }

function cloneTemplateIndex(ws: WorkingSet): Map<string, { clone: Clone; member: number }> {
  const m = new Map<string, { clone: Clone; member: number }>();
  for (const r of ws.resources) {
    if (r.kind !== "clone") continue;
    const t = r.template;
    if (t.tag === "group") kids(t, "primitive").forEach((p, i) => m.set(p.attrs.id ?? "", { clone: r, member: i }));
    else m.set(t.attrs.id ?? "", { clone: r, member: -1 });
  }
  return m;
}

function resolveTarget(id: string, ws: WorkingSet, tmpl: Map<string, { clone: Clone; member: number }>): Target {
  const dash = /^(.*)-(\d+)$/.exec(id);
  if (dash) {
    const c = tmpl.get(dash[1]!);
    if (c && c.clone.instanceSep === "-") return { clone: c.clone, member: c.member, suffix: dash[2]! };
  }
  const m = /^(.*):(\d+)$/.exec(id);
  const baseId = m ? m[1]! : id;
  const c = tmpl.get(baseId);
  if (c) return { clone: c.clone, member: c.member, ...(m ? { suffix: m[2]! } : {}) };
  const r = ws.byId.get(id);
  if (r && r.kind === "primitive" && !cloneOf(r)) return { prim: r };
  return {};
}

function instancePrim(inst: Rsc, member: number): Primitive | undefined {
  if (member < 0) return inst.kind === "primitive" ? inst : undefined;
  return inst.kind === "group" ? inst.members[member] as Primitive | undefined : undefined;
}

function isActive(st: HistState): boolean {
  return st.role !== "Stopped" || st.stopFailed;
}

function applyState(p: Primitive, node: SNode, st: HistState, ws: WorkingSet, historyId?: string): void {
  if (historyId !== undefined) {
    const m = (p as { historyName?: Map<string, string> }).historyName ?? new Map<string, string>();
    m.set(node.name, historyId);
    (p as { historyName?: Map<string, string> }).historyName = m;
  }
  const promotable = cloneOf(p)?.promotable ?? false;
  if (st.probed) p.probed.add(node.name);
  // A "not installed" probe result past failure-timeout is ignored (Pacemaker masks expired probe failures).
  const niAt = st.notInstalledAt ?? 0;
  const niExpired = p.failureTimeout > 0 && niAt > 0 && niAt + p.failureTimeout <= ws.now.getTime() / 1000 && !p.bundle;
  if (st.notInstalled && !niExpired) p.failed.set(node.name, { op: "monitor", interval: 0, rc: 5, onFail: "ban", lastRun: 0, severity: "hard" });
  if (isActive(st)) {
    let role = st.role === "Stopped" ? "Started" : st.role;
    if (promotable && role === "Started") role = "Unpromoted";
    if (!promotable && (role === "Unpromoted")) role = "Started";
    p.running.set(node.name, role);
  }
  if (st.migrateTo && st.role !== "Stopped") p.partialMigration = { source: node.name, target: st.migrateTo };
  for (const f of st.failures) {
    const cfg = p.ops.find((o) => o.name === f.op && o.interval === f.interval)
      ?? (f.op === "monitor" ? p.ops.find((o) => o.name === f.op) : undefined);
    let onFail = (cfg?.onFail ?? "").toLowerCase();
    if (!onFail) onFail = f.op === "stop" ? (ws.options.stonithEnabled ? "fence" : "block") : "restart";
    if (onFail === "fence" && !ws.options.stonithEnabled) onFail = "block";
    if (fillerStopFailure(ws, p, node, f.op, cfg?.onFail)) continue;
    onFail = connectionOnFail(p, f.op, f.interval, cfg?.onFail) ?? onFail;
    if (f.notInstalled && onFail === "ignore") onFail = "restart";
    if (f.cleared && !["stop", "fence", "standby"].includes(onFail)) continue;
    if (onFail === "ignore") {
      if (f.op === "stop") p.running.delete(node.name);
      (p as { failureIgnored?: boolean }).failureIgnored = true; // also ignores migration-threshold
      continue;
    }
    if (p.failureTimeout > 0 && f.lastRun > 0 && f.lastRun + p.failureTimeout <= ws.now.getTime() / 1000 && f.op !== "stop") continue;
    const severity = f.fatal ? "fatal" : f.hard || f.op === "stop" ? "hard" : "soft";
    if (node.unclean) {
      // Failures on a node that is already lost are moot: the node will be fenced.
      if (severity !== "soft") p.failed.set(node.name, { op: f.op, interval: f.interval, rc: f.rc, onFail: "ignore", lastRun: f.lastRun, severity });
      continue;
    }
    if (p.container && !p.remoteNode && onFail === "restart" && !cfg?.onFail) {
      const c = ws.byId.get(p.container);
      if (c && c.kind === "primitive" && c.running.has(node.name)) c.restartOn.add(node.name);
    }
    p.failed.set(node.name, { op: f.op, interval: f.interval, rc: f.rc, onFail, lastRun: f.lastRun, severity });
    switch (onFail) {
      case "fence": fenceNodeForFailure(ws, node); break;
      case "block": p.managed = false; (p as { failBlocked?: boolean }).failBlocked = true; break;
      case "standby": node.standby = true; break;
      case "stop": p.targetRole = "Stopped"; break;
      default: break;
    }
  }
}

function failcounts(ws: WorkingSet, node: SNode, attrs: Map<string, string>): void {
  for (const [k, v] of attrs) {
    const m = /^(fail-count|last-failure)-(.+?)(?:#.*)?$/.exec(k);
    if (!m) continue;
    const id = m[2]!.replace(/:\d+$/, "");
    const prims: Primitive[] = [];
    const r = ws.byId.get(id) ?? ws.byId.get(m[2]!);
    if (r && r.kind === "primitive") prims.push(r);
    for (const x of ws.byId.values()) if (x.kind === "primitive" && x.instance !== undefined && x.id.replace(/:\d+$/, "") === id) prims.push(x);
    for (const p of prims) {
      if (m[1] === "fail-count") p.failcount.set(node.name, Math.min(INFINITY, (p.failcount.get(node.name) ?? 0) + parseScore(v)));
      else p.lastFailure.set(node.name, Math.max(p.lastFailure.get(node.name) ?? 0, Number(v) || 0));
    }
  }
}

/** Unpack `<status>` into node states and resource states. */
export function unpackStatus(cib: Cib, ws: WorkingSet, ctx: RuleContext): void {
  const status = kid(cib, "status");
  const tmpl = cloneTemplateIndex(ws);
  const states = kids(status, "node_state");
  const byId = new Map<string, SNode>();
  for (const n of ws.nodes.values()) byId.set(n.id, n);
  // Pass 1: node attributes and membership.
  for (const st of states) {
    const uname = st.attrs.uname ?? st.attrs.id ?? "";
    let node = ws.nodes.get(uname) ?? byId.get(st.attrs.id ?? "");
    if (!node) {
      if (!isTrue(st.attrs.remote_node)) continue;
      node = makeNode(uname, st.attrs.id ?? uname, "remote", ws.options, undefined, ctx);
      node.unclean = false;
      ws.nodes.set(uname, node);
    }
    const attrs = unpackNvSets(kids(kid(st, "transient_attributes"), "instance_attributes"), { ...ctx, node: node.attrs });
    for (const [k, v] of attrs) node.attrs.set(k, v);
    if (attrs.has("standby")) node.standby = bool(attrs.get("standby"), false) || node.standby;
    if (attrs.has("maintenance")) node.maintenance = bool(attrs.get("maintenance"), false);
    const sd = node.attrs.get("shutdown");
    if (sd !== undefined && sd !== "0" && sd !== "") node.shutdown = true;
    if (node.type === "cluster") nodeOnline(ws, node, st);
    else {
      node.seen = true;
      if (isTrue(st.attrs["remote-unclean"] ?? "")) node.unclean = true;
    }
    failcounts(ws, node, attrs);
  }
  // Pass 2: resource history, in Pacemaker's order: online cluster nodes, then remote and guest
  // nodes whose connection (and container) is up, then (only with fencing) everything else.
  const unpacked = new Set<CibElement>();
  const nodeOf = (st: CibElement): SNode | undefined => ws.nodes.get(st.attrs.uname ?? st.attrs.id ?? "") ?? byId.get(st.attrs.id ?? "");
  const upConn = (n: SNode): boolean => {
    const conn = n.remoteRsc ? ws.byId.get(n.remoteRsc) : undefined;
    if (!conn || conn.kind !== "primitive" || conn.running.size === 0) return false;
    if (n.type !== "guest") return true;
    const cont = n.containerRsc ? ws.byId.get(n.containerRsc) : undefined;
    return cont !== undefined && cont.kind === "primitive" && cont.running.size > 0;
  };
  const unpackHistory = (eligible: (n: SNode) => boolean): boolean => {
    let progress = false;
    for (const st of states) {
      if (unpacked.has(st)) continue;
      const node = nodeOf(st);
      if (!node || !eligible(node)) continue;
      unpacked.add(st);
      progress = true;
      unpackNodeHistory(st, node, ws, ctx, tmpl);
    }
    return progress;
  };
  while (unpackHistory((n) => n.type === "cluster" ? n.online : upConn(n)));
  // Shutdown locks need the history of offline nodes too (the lock lives there).
  if (ws.options.stonithEnabled || ws.options.shutdownLock) unpackHistory(() => true);
  multiplyActiveAndMaintenance(ws);
  activeOnDownNodes(ws, "cluster");
  remoteNodeStates(ws);
  activeOnDownNodes(ws, "remote");
  for (const n of ws.nodes.values()) if (n.type === "guest" && n.resetRequired) resetGuest(ws, n);
}

function unpackNodeHistory(st: CibElement, node: SNode, ws: WorkingSet, ctx: RuleContext,
  tmpl: Map<string, { clone: Clone; member: number }>): void {
  const cloneSlot = new Map<string, Rsc>();
    for (const lr of kids(kid(kid(st, "lrm"), "lrm_resources"), "lrm_resource")) {
      const id = lr.attrs.id ?? "";
      const hs = historyState(lr);
      const t = resolveTarget(id, ws, tmpl);
      if (t.prim) { applyState(t.prim, node, hs, ws); noteShutdownLock(ws, t.prim, node, lr.attrs["shutdown-lock"]); continue; }
      if (t.clone) {
        const c = t.clone;
        const member = t.member ?? -1;
        let inst: Rsc | undefined;
        const slotKey = c.anonymous ? `${c.id}` : `${c.id}:${t.suffix ?? ""}`;
        if (!isActive(hs) && hs.failures.length === 0) {
          for (const i of c.instances) { const p = instancePrim(i, member); if (p && hs.probed) p.probed.add(node.name); }
          // "Not installed" bans the whole anonymous clone from the node (see _fail_scope.ts).
          const first = c.anonymous && hs.notInstalled && !c.bundleOf ? c.instances[0] : undefined;
          const fp = first ? instancePrim(first, member) : undefined;
          if (fp) applyState(fp, node, hs, ws);
          continue;
        }
        inst = cloneSlot.get(slotKey);
        if (c.bundleOf) {
          const k = node.name.startsWith(`${c.bundleOf}-`) ? Number(node.name.slice(c.bundleOf.length + 1)) : NaN;
          inst = Number.isInteger(k) ? c.instances[k] : undefined;
          if (!inst) continue;
        } else if (!c.anonymous && t.suffix !== undefined) {
          const n = Number(t.suffix);
          while (c.instances.length <= n) addCloneInstance(c, ws, ctx);
          inst = c.instances[n];
        }
        if (!inst) {
          inst = c.instances.find((i) => {
            const p = instancePrim(i, member);
            return p !== undefined && p.running.size === 0 && !usedInstance(i, cloneSlot);
          });
          if (!inst) { inst = addCloneInstance(c, ws, ctx); inst.orphan = true; }
        }
        cloneSlot.set(slotKey, inst);
        const p = instancePrim(inst, member);
        if (p) applyState(p, node, hs, ws, id);
        continue;
      }
      // Orphan: in history, not configured.
      if (!isActive(hs)) continue;
      let orphan = ws.byId.get(id);
      if (!orphan || orphan.kind !== "primitive") {
        orphan = makePrimitive({ tag: "primitive", attrs: { id, class: lr.attrs.class ?? "ocf", type: lr.attrs.type ?? "",
          ...(lr.attrs.provider !== undefined ? { provider: lr.attrs.provider } : {}) }, children: [] }, id, undefined, ws, ctx);
        const rn = orphan.remoteNode !== undefined ? ws.nodes.get(orphan.remoteNode) : undefined;
        if (rn && !rn.remoteRsc) rn.remoteRsc = orphan.id;
        orphan.orphan = true;
        orphan.targetRole = "Stopped";
        if (!ws.options.stopOrphanResources) orphan.managed = false;
        ws.resources.push(orphan);
        ws.byId.set(id, orphan);
      }
      applyState(orphan as Primitive, node, hs, ws);
  }
}

function usedInstance(i: Rsc, slots: Map<string, Rsc>): boolean {
  for (const v of slots.values()) if (v === i) return true;
  return false;
}

/** multiple-active=block leaves a multiply-active resource alone; resources on a node in
 * maintenance are not managed there. */
function multiplyActiveAndMaintenance(ws: WorkingSet): void {
  for (const r of ws.byId.values()) {
    if (r.kind !== "primitive") continue;
    const ma = (r.meta.get("multiple-active") ?? "").toLowerCase();
    if (r.running.size > 1 && ma === "block") r.managed = false;
    if (r.running.size > 1 && ma === "stop_only") r.targetRole = "Stopped";
    for (const n of r.running.keys()) if (ws.nodes.get(n)?.maintenance) r.managed = false;
  }
}

/** A managed resource thought active on a node that is down means that node must be fenced. */
function activeOnDownNodes(ws: WorkingSet, which: "cluster" | "remote"): void {
  for (const r of ws.byId.values()) {
    if (r.kind !== "primitive" || !r.managed) continue;
    for (const n of r.running.keys()) {
      const node = ws.nodes.get(n);
      if (!node || node.online || node.maintenance) continue;
      if ((node.type === "cluster") !== (which === "cluster")) continue;
      if (node.type === "guest") fenceGuest(node);
      else if (ws.options.stonithEnabled && !node.unclean) {
        node.unclean = true;
        const conn = node.remoteRsc ? ws.byId.get(node.remoteRsc) : undefined;
        if (node.type === "remote" && conn && conn.kind === "primitive" && conn.failed.size === 0) node.revocable = true;
      }
    }
  }
}

/** Remote and guest nodes are online when their connection (and container) resource is. */
function remoteNodeStates(ws: WorkingSet): void {
  for (const n of ws.nodes.values()) {
    if (n.type === "cluster") continue;
    const conn = n.remoteRsc ? ws.byId.get(n.remoteRsc) : undefined;
    if (!conn || conn.kind !== "primitive") { n.online = false; continue; }
    const connRunning = conn.running.size > 0;
    const connFailed = [...conn.failed].some(([h, f]) => conn.running.has(h) && f.onFail !== "ignore");
    let online = connRunning;
    const cont = n.containerRsc ? ws.byId.get(n.containerRsc) : undefined;
    const container = cont && cont.kind === "primitive" ? cont : undefined;
    const hosts = container ? [...container.running.keys()] : [...conn.running.keys()];
    const host = hosts.length === 1 ? ws.nodes.get(hosts[0]!) : undefined;
    const contFailed = container ? [...container.failed].some(([h, f]) => container.running.has(h) && f.onFail !== "ignore") : false;
    if (contFailed) { online = false; fenceGuest(n); }
    else if (connFailed) { online = false; if (n.type !== "remote") fenceGuest(n); else if (connectionFailureFences(ws, conn)) n.unclean = true; }
    else if (!connRunning || (container && container.running.size === 0)) online = false;
    else if (host && !host.online && host.unclean) {
      online = false;
      // A remote node is fenced only if resources are active on it (activeOnDownNodes).
      if (n.type === "guest") n.resetRequired = true;
    }
    n.online = online;
  }
}

/** A guest node that must be reset: its container and the resources on it are recovered. */
function resetGuest(ws: WorkingSet, n: SNode): void {
  const cont = n.containerRsc ? ws.byId.get(n.containerRsc) : undefined;
  if (!cont || cont.kind !== "primitive" || !cont.managed) { n.resetRequired = false; return; }
  for (const h of cont.running.keys()) {
    if (guestContainerFails(n) && !cont.failed.has(h)) cont.failed.set(h, { op: "stop", interval: 0, rc: 1, onFail: "restart", lastRun: 0, severity: "soft" });
  }
  for (const r of ws.byId.values()) {
    if (r.kind !== "primitive" || !r.running.has(n.name) || !r.managed) continue;
    if (n.online) { r.restartOn.add(n.name); continue; } // a guest still up: residents restart, not failed
    if (!r.failed.has(n.name)) r.failed.set(n.name, { op: "monitor", interval: 0, rc: 1, onFail: "restart", lastRun: 0, severity: "soft" });
  }
}
