/**
 * `clusterStatus(cib)`: nodes with kind and state, resources with role and where they are
 * active, and failed actions; lost nodes and blocked resources with the reasons in words
 * (`_blocked.ts`, `_blocked_words.ts`). Resource state and node state come from the scheduler's own
 * unpacking of the status section (`schedule(cib).current` / `.nodesBefore`), so `atrium status`
 * and the decisions agree; failed actions are read from the history here.
 */
import type { Cib, CibElement } from "../cib/model.ts";
import { cibVersion, formatCibVersion } from "../cib/codec.ts";
import { childrenOf, nvValues, walkResources } from "../cib/query.ts";
import { clusterNodes } from "../cib/query_nodes.ts";
import { nodeState, transientAttributes } from "../cib/query_status.ts";
import { schedule } from "../scheduler/mod.ts";
import type { NodeSummary, Placement } from "../scheduler/mod.ts";
import { failedActions, unexpired } from "./_failed.ts";
import { annotateBlocked, blockedActions, type ScheduleView } from "./_blocked.ts";
import { explainBlocked } from "./_blocked_words.ts";
import type { ClusterStatus, StatusNode, StatusResource, StatusRole } from "./types.ts";

const RANK: Record<StatusRole, number> = { Stopped: 0, Started: 1, Unpromoted: 2, Promoted: 3 };

function isTrue(v: string | undefined): boolean {
  return v !== undefined && /^(true|on|yes|y|1)$/i.test(v.trim());
}

function agentOf(p: CibElement | undefined): string {
  if (p === undefined) return "unknown";
  const a = p.attrs;
  return [a.class ?? "?", ...(a.provider !== undefined ? [a.provider] : []), a.type ?? "?"].join(":");
}

function entry(
  id: string,
  prim: CibElement | undefined,
  key: string | undefined,
  current: Readonly<Record<string, readonly Placement[]>>,
  extra: { group?: string; clone?: string; primitive?: string; metaFrom: CibElement[] },
): StatusResource {
  const roles: Record<string, StatusRole> = {};
  for (const pl of (key !== undefined ? current[key] : undefined) ?? []) {
    const r = pl.role as StatusRole;
    if (r === "Stopped") continue;
    if (roles[pl.node] === undefined || RANK[r] > RANK[roles[pl.node]!]) roles[pl.node] = r;
  }
  const active = Object.keys(roles).sort();
  let role: StatusRole = "Stopped";
  for (const n of active) if (RANK[roles[n]!] > RANK[role]) role = roles[n]!;
  let targetRole: string | undefined;
  let managed = true;
  for (const el of extra.metaFrom) {
    const meta = nvValues(el, "meta_attributes");
    targetRole ??= meta.get("target-role");
    if (meta.has("is-managed") && !isTrue(meta.get("is-managed"))) managed = false;
  }
  const out: { -readonly [K in keyof StatusResource]: StatusResource[K] } = { id, agent: agentOf(prim), role, active_on: active, roles, managed, blocked: false };
  if (extra.group !== undefined) out.group = extra.group;
  if (extra.clone !== undefined) out.clone = extra.clone;
  if (extra.primitive !== undefined) out.primitive = extra.primitive;
  if (targetRole !== undefined) out.target_role = targetRole;
  return out;
}

function resourcesOf(cib: Cib, current: Readonly<Record<string, readonly Placement[]>>): StatusResource[] {
  const out: StatusResource[] = [];
  for (const { resource: r, ancestors } of walkResources(cib)) {
    if (r.tag !== "primitive" && r.tag !== "bundle") continue;
    const id = r.attrs.id ?? "?";
    const group = ancestors.find((a) => a.tag === "group")?.attrs.id;
    const cloneEl = ancestors.find((a) => a.tag === "clone" || a.tag === "master");
    const bundleEl = ancestors.find((a) => a.tag === "bundle");
    if (bundleEl !== undefined) continue; // listed with its bundle
    const metaFrom = [r, ...ancestors.slice().reverse()];
    if (r.tag === "bundle") {
      const inner = childrenOf(r, "primitive")[0];
      out.push(entry(id, inner, inner?.attrs.id, current, { metaFrom, ...(inner?.attrs.id !== undefined ? { primitive: inner.attrs.id } : {}) }));
    } else if (cloneEl !== undefined && group === undefined) {
      out.push(entry(cloneEl.attrs.id ?? id, r, id, current, { clone: cloneEl.attrs.id ?? id, primitive: id, metaFrom }));
    } else {
      out.push(entry(id, r, id, current, {
        metaFrom,
        ...(group !== undefined ? { group } : {}),
        ...(cloneEl?.attrs.id !== undefined ? { clone: cloneEl.attrs.id } : {}),
      }));
    }
  }
  return out;
}

function nodesOf(
  cib: Cib,
  summaries: Readonly<Record<string, NodeSummary>>,
  current: Readonly<Record<string, readonly Placement[]>>,
): StatusNode[] {
  const out: StatusNode[] = [];
  const seen = new Set<string>();
  for (const n of clusterNodes(cib)) {
    seen.add(n.name);
    const state = summaries[n.name]?.state ?? "offline";
    const config = n.entry !== undefined ? nvValues(n.entry, "instance_attributes") : new Map<string, string>();
    const ns = nodeState(cib, n.id) ?? nodeState(cib, n.name);
    const transient = ns !== undefined ? transientAttributes(ns) : new Map<string, string>();
    const standby = isTrue(transient.get("standby") ?? config.get("standby"));
    const kind = n.kind === "container" ? "guest" : n.kind;
    const node: { -readonly [K in keyof StatusNode]: StatusNode[K] } = {
      name: n.name,
      kind,
      online: state === "online" || state === "standby" || state === "maintenance",
      standby,
      state,
    };
    if (n.connection !== undefined) node.connection = n.connection;
    if (n.container !== undefined) {
      node.container = n.container;
      const host = (current[n.container] ?? []).find((p) => p.role !== "Stopped")?.node;
      if (host !== undefined) node.host = host;
    }
    out.push(node);
  }
  for (const [name, s] of Object.entries(summaries)) {
    if (!seen.has(name)) out.push({ name, kind: s.type, online: s.state === "online" || s.state === "standby", standby: s.state === "standby", state: s.state });
  }
  return out;
}

/**
 * The status of a cluster from its CIB. Never throws on a parsed CIB: when the scheduler cannot
 * interpret it, resources are listed as Stopped and `warnings` says why.
 *
 * @example
 * ```ts
 * const s = clusterStatus(svc.get());
 * console.log(s.nodes.filter((n) => n.online).map((n) => n.name));
 * ```
 */
export function clusterStatus(cib: Cib): ClusterStatus {
  const warnings: string[] = [];
  let current: Readonly<Record<string, readonly Placement[]>> = {};
  let summaries: Readonly<Record<string, NodeSummary>> = {};
  let view: ScheduleView | undefined;
  try {
    const t = schedule(cib);
    current = t.current;
    summaries = t.nodesBefore;
    view = t;
  } catch (e) {
    warnings.push(`Cannot interpret the status section: ${e instanceof Error ? e.message : String(e)}`);
  }
  let version: string | undefined;
  try {
    version = formatCibVersion(cibVersion(cib));
  } catch {
    version = undefined;
  }
  // Every recorded failure explains lost nodes and blocked resources; expired ones are not listed.
  const failed = failedActions(cib);
  const annotated = annotateBlocked(cib, view, nodesOf(cib, summaries, current), resourcesOf(cib, current), failed);
  const { nodes, resources } = explainBlocked(annotated.nodes, annotated.resources, { failed, actions: blockedActions(view) });
  const listed = unexpired(cib, failed, Date.now());
  return {
    nodes,
    resources,
    failed_actions: listed,
    ...(version !== undefined ? { version } : {}),
    warnings,
  };
}
