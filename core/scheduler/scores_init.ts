/**
 * Phase 2b: each resource's starting node scores: symmetric/asymmetric base, location
 * constraints (and rules), resource stickiness, fail-count bans (migration-threshold), hard
 * failures, tickets, connection resources kept on cluster nodes, promotion scores.
 */
import { addScores, INFINITY } from "./scores.ts";
import { parseIntervalMs } from "./_rules.ts";
import { primitivesOf, cloneOf, type Primitive, type Rsc, type SNode, type WorkingSet } from "./_model.ts";
import { applyExclusiveDiscovery } from "./remote_discovery.ts";
import { failureBanTargets } from "./_fail_scope.ts";
import { applyShutdownLocks } from "./shutdown_lock.ts";
import { expireReconnectFailures } from "./remote_reconnect.ts";

/** Pacemaker's pcmk__node_available without score: can the node run resources at all. */
export function nodeAvailable(n: SNode | undefined): boolean {
  return n !== undefined && n.online && !n.shutdown && !n.unclean && !n.standby && !n.maintenance;
}

/** Add `score` to `r`'s score on `node`, recording where it came from. */
export function addScore(r: Rsc, node: string, score: number, source: string, base = 0): void {
  const cur = r.allowed.get(node);
  r.allowed.set(node, cur === undefined ? addScores(base, score) : addScores(cur, score));
  r.contributions.push({ node, score, source });
}

function locationTargets(r: Rsc): Rsc[] {
  const out: Rsc[] = [r];
  if (r.kind === "group") out.push(...r.members);
  if (r.kind === "clone") for (const i of r.instances) out.push(...locationTargets(i));
  return out;
}

/** A failed remote connection with reconnect_interval stays stopped until the interval passes. */
function reconnectDelay(ws: WorkingSet, p: Primitive): void {
  let text: string | undefined;
  for (const el of p.xml.children) {
    if (el.tag !== "instance_attributes" || !("children" in el)) continue;
    for (const nv of el.children) if ("attrs" in nv && nv.attrs.name === "reconnect_interval") text = nv.attrs.value;
  }
  const ms = parseIntervalMs(text, 0);
  if (ms <= 0) return;
  if (expireReconnectFailures(ws, p, ms)) return;
  if ([...p.failed].some(([n, f]) => f.onFail !== "ignore" && p.running.has(n))) { p.targetRole = "Stopped"; return; }
  const now = ws.now.getTime() / 1000;
  for (const [n, fc] of p.failcount) {
    if (fc <= 0) continue;
    const last = p.lastFailure.get(n) ?? 0;
    if (last + ms / 1000 > now) { p.targetRole = "Stopped"; return; }
  }
}

function failcountBans(ws: WorkingSet, p: Primitive, fillers: ReadonlyMap<string, Primitive[]>): void {
  if ((p as { failureIgnored?: boolean }).failureIgnored) return; // on-fail=ignore: no migration-threshold
  const counts = new Map(p.failcount);
  for (const r of fillers.get(p.id) ?? []) {
    for (const [n, c] of r.failcount) counts.set(n, (counts.get(n) ?? 0) + c);
  }
  for (const [node, fc] of counts) {
    if (fc <= 0) continue;
    let count = fc;
    if (p.failureTimeout > 0) {
      const last = p.lastFailure.get(node) ?? 0;
      if (last > 0 && last + p.failureTimeout <= ws.now.getTime() / 1000) count = 0;
    }
    if (count >= p.migrationThreshold && p.migrationThreshold > 0) {
      const c = cloneOf(p);
      const targets: Rsc[] = c && c.anonymous ? locationTargets(c) : [p];
      const cont = p.container && !p.remoteNode ? ws.byId.get(p.container) : undefined;
      if (cont) targets.push(cont);
      for (const t of targets) addScore(t, node, -INFINITY, "migration-threshold reached");
    }
  }
}

/** Compute the starting scores of every resource. */
export function initScores(ws: WorkingSet): void {
  const all = [...ws.byId.values()];
  // A cluster node that is down or shutting down weighs -INFINITY for everyone (Pacemaker sets
  // the node's own weight, which every resource's copy of it starts from).
  const base = new Map<string, number>();
  for (const n of ws.nodes.values()) base.set(n.name, n.type === "cluster" && (!n.online || n.shutdown) ? -INFINITY : 0);
  for (const r of all) {
    r.allowed.clear();
    const guestConn = r.kind === "primitive" && r.remoteNode !== undefined && r.container !== undefined;
    if (ws.options.symmetric || guestConn) for (const n of ws.nodes.keys()) r.allowed.set(n, base.get(n)!);
  }
  // Node lists the per-resource loops below need (in node order), computed once.
  const nonCluster = [...ws.nodes.values()].filter((n) => n.type !== "cluster");
  const bundleNodes = [...ws.nodes.values()].filter((n) => n.bundleNode);
  const fillers = new Map<string, Primitive[]>();
  for (const r of all) {
    if (r.kind !== "primitive" || !r.container || (r.remoteNode && r.bundle)) continue;
    const l = fillers.get(r.container) ?? [];
    l.push(r);
    fillers.set(r.container, l);
  }
  for (const loc of ws.locations) {
    if (loc.role) continue;
    for (const t of locationTargets(loc.rsc)) addScore(t, loc.node, loc.score, loc.source, base.get(loc.node) ?? 0);
  }
  for (const r of all) {
    if (r.kind !== "primitive") continue;
    // Connection resources run only on cluster nodes; nothing runs on a guest node's own
    // container host through it.
    if (r.remoteNode || (r.guestNode && !r.bundle) || r.cls === "stonith") {
      for (const n of nonCluster) addScore(r, n.name, -INFINITY, "connection resources run on cluster nodes");
    }
    for (const n of bundleNodes) {
      if (n.bundleNode && !(r.bundle?.id === n.bundleNode && r.bundle.part === "child")) addScore(r, n.name, -INFINITY, `bundle node ${n.name} runs only its bundle's resource`);
    }
    const force = (r as { forceNode?: string }).forceNode;
    if (force) for (const n of ws.nodes.keys()) if (n !== force) addScore(r, n, -INFINITY, `runs inside guest node ${force}`);
    if (r.stickiness !== 0 && r.managed && r.running.size === 1) {
      const [node] = r.running.keys();
      if (node !== undefined && (ws.options.symmetric || r.allowed.has(node))) {
        addScore(r, node, r.stickiness, "resource-stickiness");
      }
    }
    if (r.remoteNode) reconnectDelay(ws, r);
    failcountBans(ws, r, fillers);
    for (const [node, f] of r.failed) {
      for (const t of f.severity === "soft" ? [] : failureBanTargets(r)) {
        if (f.severity === "hard") addScore(t, node, -INFINITY, `hard failure of ${f.op}`);
        if (f.severity === "fatal") for (const n of ws.nodes.keys()) addScore(t, n, -INFINITY, `fatal failure of ${f.op}`);
      }
    }
  }
  applyExclusiveDiscovery(ws, addScore);
  applyShutdownLocks(ws, addScore);
  for (const r of all) {
    if (r.kind !== "clone") continue;
    for (const n of bundleNodes) {
      if (n.bundleNode && r.bundleOf !== n.bundleNode) addScore(r, n.name, -INFINITY, `bundle node ${n.name} runs only its bundle's resource`);
    }
  }
  nodeHealth(ws, all);
  for (const dep of ws.ticketDeps) applyTicket(ws, dep);
  // Resources in a group or clone also follow every location of their ancestors: done above
  // through locationTargets. Nodes that are not allowed in an asymmetric cluster stay absent.
  for (const r of ws.resources) if (r.kind === "clone" && r.promotable) promotionScores(ws, r);
}

/** Node health (#health-* attributes) under the configured node-health-strategy. */
function nodeHealth(ws: WorkingSet, all: Rsc[]): void {
  if (ws.options.nodeHealthStrategy === "none") return;
  const h = ws.options.nodeHealth;
  for (const n of ws.nodes.values()) {
    let score = 0;
    for (const [k, v] of n.attrs) {
      if (!k.startsWith("#health")) continue;
      const t = v.trim().toLowerCase();
      score = addScores(score, t === "red" ? h.red : t === "yellow" ? h.yellow : t === "green" ? h.green : parseScoreLoose(t));
    }
    if (score === 0) continue;
    for (const r of all) {
      if (r.meta.get("allow-unhealthy-nodes") === "true") continue;
      if (r.kind === "primitive" || r.kind === "clone") addScore(r, n.name, score, `node health of ${n.name}`);
    }
  }
}

function parseScoreLoose(t: string): number {
  if (t === "infinity" || t === "+infinity") return INFINITY;
  if (t === "-infinity") return -INFINITY;
  const x = Number.parseInt(t, 10);
  return Number.isNaN(x) ? 0 : x;
}

/** A ticket dependency (Pacemaker's rsc_ticket semantics for loss-policy and roles). */
function applyTicket(ws: WorkingSet, dep: WorkingSet["ticketDeps"][number]): void {
  const t = ws.tickets.get(dep.ticket);
  const granted = t?.granted ?? false, standby = t?.standby ?? false;
  if (granted && !standby) return;
  if (dep.role === "Promoted") noPromotion(dep.rsc);
  // Clones are handled instance by instance (the role filter applies to each).
  const targets = dep.rsc.kind === "clone" ? dep.rsc.instances : [dep.rsc];
  for (const target of targets) ticketOn(ws, dep, target, granted);
}

function ticketOn(ws: WorkingSet, dep: WorkingSet["ticketDeps"][number], target: Rsc, granted: boolean): void {
  const prims = primitivesOf(target);
  const running = prims.some((p) => p.running.size > 0);
  const ban = (why: string): void => {
    for (const tr of locationTargets(target)) for (const n of ws.nodes.keys()) addScore(tr, n, -INFINITY, `ticket ${dep.ticket} ${why}`);
  };
  const roleMatches = (): boolean => !dep.role || prims.some((p) => [...p.running.values()].some((r) => r === dep.role));
  if (!granted && running) {
    switch (dep.lossPolicy) {
      case "demote": if (dep.role !== "Promoted") ban("lost"); break;
      case "fence":
        if (!roleMatches()) return;
        ban("lost");
        if (ws.options.stonithEnabled) for (const p of prims) for (const n of p.running.keys()) { const nd = ws.nodes.get(n); if (nd) nd.unclean = true; }
        break;
      case "freeze":
        if (!roleMatches()) return;
        for (const p of prims) p.managed = false;
        break;
      default: ban("lost"); break;
    }
  } else if (dep.role !== "Promoted" || dep.lossPolicy === "stop") {
    ban(granted ? "in standby" : "not granted");
  }
}

function noPromotion(r: Rsc): void {
  for (let x: Rsc | undefined = r; x; x = x.parent) if (x.kind === "clone") (x as { noPromote?: boolean }).noPromote = true;
  if (r.kind === "clone") (r as { noPromote?: boolean }).noPromote = true;
}

/** The promotion score of a primitive on a node (`master-<id>` attributes), or undefined. */
export function promotionAttr(ws: WorkingSet, p: Primitive, node: string): number | undefined {
  const n = ws.nodes.get(node);
  if (!n) return undefined;
  const baseId = p.id.replace(/:\d+$/, "");
  const hist = (p as { historyName?: Map<string, string> }).historyName?.get(node);
  const unique = !(cloneOf(p)?.anonymous ?? false);
  let v: string | undefined;
  if (hist !== undefined) v = n.attrs.get(`master-${hist}`);
  if (v === undefined && (unique || hist === undefined)) v = n.attrs.get(`master-${p.id}`);
  if (v === undefined) v = n.attrs.get(`master-${baseId}`);
  if (v === undefined && n.bundleNode && n.containerRsc) {
    // A bundle replica's attributes may live on the host running its container.
    const cont = ws.byId.get(n.containerRsc);
    const host = cont && cont.kind === "primitive" ? (cont.assigned ?? [...cont.running.keys()][0]) : undefined;
    const hn = host ? ws.nodes.get(host) : undefined;
    if (hn) v = hn.attrs.get(`master-${hist ?? baseId}`) ?? hn.attrs.get(`master-${baseId}`);
  }
  if (v === undefined) return undefined;
  const t = v.trim().toUpperCase();
  if (t === "INFINITY" || t === "+INFINITY") return INFINITY;
  if (t === "-INFINITY") return -INFINITY;
  const x = Number.parseInt(t, 10);
  return Number.isNaN(x) ? 0 : x;
}

/**
 * Whether an instance's promotion score counts on `node` (Pacemaker's promotion_score_applies):
 * an active instance counts where it is active; an inactive one where no instance is active.
 */
export function promotionApplies(c: Rsc & { kind: "clone" }, inst: Rsc, node: string): boolean {
  const prims = primitivesOf(inst);
  if (prims.some((p) => p.running.size > 0)) return prims.some((p) => p.running.has(node));
  for (const other of c.instances) {
    if (other === inst) continue;
    if (primitivesOf(other).some((p) => p.running.has(node))) return false;
  }
  return true;
}

function promotionScores(ws: WorkingSet, c: Rsc & { kind: "clone" }): void {
  for (const inst of c.instances) {
    for (const node of [...inst.allowed.keys(), ...(inst.kind === "group" ? inst.members[0]?.allowed.keys() ?? [] : [])]) {
      if (!nodeAvailable(ws.nodes.get(node))) continue;
      if (!promotionApplies(c, inst, node)) continue;
      let score = 0;
      for (const p of primitivesOf(inst)) score += Math.max(0, promotionAttr(ws, p, node) ?? 0);
      if (score > 0) {
        const target = inst.kind === "group" ? inst.members[0] ?? inst : inst;
        addScore(target, node, score, "promotion score");
      }
    }
  }
}
