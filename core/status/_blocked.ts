/**
 * Lost nodes and blocked resources, derived from the CIB and the scheduler's reading of it.
 *
 * A node is lost when the scheduler sees it unclean, or when it is a remote or guest node that
 * is down while its history still says resources run there (its connection dropped: the
 * controller keeps that history, a clean stop or fencing erases it) or while its failed
 * connection (or container) is still recorded as active. Pacemaker 2.1.5 cannot know what still runs on such a node until it returns
 * or is fenced: while the connection is recorded as up its resources' stops are blocked, and
 * once the connection is stopped the scheduler no longer reads that history at all (it counts
 * them as stopped), so `last_known_active_on` keeps what the history last said.
 *
 * This module fills the structured fields (`lost_cause`, `fencing_state`, `blocked`,
 * `blocked_cause`, `blocked_node`, `last_known_active_on`); `_blocked_words.ts` turns them into
 * words (again after the fencer's history is known). Internal to core/status/.
 */
import type { Cib } from "../cib/model.ts";
import { clusterProperties, rscDefaults } from "../cib/query.ts";
import { nodeState } from "../cib/query_status.ts";
import type { Placement, Transition } from "../scheduler/mod.ts";
import { lastKnownActive } from "./_history.ts";
import type { FailedAction, StatusBlockedCause, StatusFencingState, StatusNode, StatusResource } from "./types.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function isTrue(v: string | undefined): boolean {
  return v !== undefined && /^(true|on|yes|y|1)$/i.test(v.trim());
}

function isFalse(v: string | undefined): boolean {
  return v !== undefined && /^(false|off|no|n|0)$/i.test(v.trim());
}

/** What the scheduler said, as far as this module needs it. */
export type ScheduleView = Pick<Transition, "actions" | "summary" | "placement">;

/** The history base id of a status resource (a clone's primitive, else its id). */
export function historyId(r: StatusResource): string {
  return r.primitive ?? r.id;
}

/** The newest failed action of `rsc` that is not a start or a probe (the connection dropped). */
function droppedBy(failed: readonly FailedAction[], rsc: string | undefined): FailedAction | undefined {
  if (rsc === undefined) return undefined;
  return failed.find((f) => f.resource.replace(/:\d+$/, "") === rsc && f.action !== "start" && !(f.action === "monitor" && f.interval === 0));
}

function clusterCause(cib: Cib, n: StatusNode, failed: readonly FailedAction[]): string {
  const ns = nodeState(cib, n.name);
  const a = ns?.attrs ?? {};
  const stop = failed.find((f) => f.node === n.name && f.action === "stop");
  if (stop !== undefined) return `the stop of ${stop.resource} failed there`;
  if (a.in_ccm === "false" || a.crmd === "offline") return "it left the cluster without a clean shutdown";
  if (!n.online) return "it is not reachable";
  return "the cluster cannot trust its state";
}

function remoteCause(n: StatusNode, failed: readonly FailedAction[], lost: ReadonlySet<string>, byId: ReadonlyMap<string, StatusResource>): string {
  if (n.kind === "guest") {
    const f = droppedBy(failed, n.container);
    if (f !== undefined) return `container ${n.container} ${f.action} failed`;
  }
  const f = droppedBy(failed, n.connection);
  if (f !== undefined) return `connection ${f.action} failed`;
  const host = n.connection !== undefined ? byId.get(n.connection)?.active_on.find((h) => lost.has(h)) : undefined;
  if (host !== undefined) return `the node holding its connection, ${host}, was lost`;
  return "connection lost";
}

function fencingState(n: StatusNode, stonith: boolean, t: ScheduleView | undefined): StatusFencingState {
  if (n.kind === "guest") return "container";
  if (!stonith) return "disabled";
  const wanted = t?.actions.some((a) => a.kind === "fence" && a.node === n.name && a.fenceOp !== "on") ?? false;
  return wanted ? "scheduled" : "not-scheduled";
}

/** The lost nodes' names and, for remote and guest ones, what their history last knew active. */
function lostNodes(
  cib: Cib,
  nodes: Mutable<StatusNode>[],
  failed: readonly FailedAction[],
  byId: ReadonlyMap<string, StatusResource>,
  stonith: boolean,
  t: ScheduleView | undefined,
): Map<string, Set<string>> {
  const lost = new Map<string, Set<string>>();
  for (const n of nodes) {
    if (n.kind === "cluster" && n.state === "unclean") lost.set(n.name, new Set());
  }
  for (const n of nodes) {
    if (n.kind === "cluster" || (n.online && n.state !== "unclean")) continue;
    const ns = nodeState(cib, n.name);
    const active = ns !== undefined ? lastKnownActive(ns) : new Set<string>();
    // A failure alone counts while the failed connection (or container) is still recorded as
    // active: an old failure of a connection stopped cleanly since says nothing about now.
    const via = [n.kind === "guest" ? n.container : undefined, n.connection].filter((x): x is string => x !== undefined);
    const dropped = via.some((id) => droppedBy(failed, id) !== undefined && (byId.get(id)?.active_on.length ?? 0) > 0);
    if (n.state === "unclean" || active.size > 0 || dropped) lost.set(n.name, active);
  }
  const names = new Set(lost.keys());
  for (const n of nodes) {
    if (!lost.has(n.name)) continue;
    n.lost_cause = n.kind === "cluster" ? clusterCause(cib, n, failed) : remoteCause(n, failed, names, byId);
    n.fencing_state = fencingState(n, stonith, t);
  }
  return lost;
}

function keyOf(r: StatusResource): string {
  return historyId(r);
}

function usableElsewhere(r: StatusResource, placement: readonly Placement[] | undefined, lost: ReadonlyMap<string, unknown>, nodes: ReadonlyMap<string, StatusNode>): boolean {
  const usable = (name: string): boolean => !lost.has(name) && (nodes.get(name)?.online ?? true);
  if (r.active_on.some(usable)) return true;
  return (placement ?? []).some((p) => p.role !== "Stopped" && usable(p.node));
}

/**
 * Fill the structured lost/blocked fields of `nodes` and `resources` (copies; the inputs are not
 * changed). `t` is undefined when the scheduler could not read the CIB.
 */
export function annotateBlocked(
  cib: Cib,
  t: ScheduleView | undefined,
  nodesIn: readonly StatusNode[],
  resourcesIn: readonly StatusResource[],
  failed: readonly FailedAction[],
): { nodes: StatusNode[]; resources: StatusResource[] } {
  const props = clusterProperties(cib);
  const stonith = !isFalse(props.get("stonith-enabled"));
  const maintenance = isTrue(props.get("maintenance-mode"));
  const defaultsUnmanaged = isFalse(rscDefaults(cib).get("is-managed"));
  const nodes = nodesIn.map((n) => ({ ...n }) as Mutable<StatusNode>);
  const byId = new Map(resourcesIn.map((r) => [r.id, r]));
  const nodeBy = new Map(nodes.map((n) => [n.name, n as StatusNode]));
  const lost = lostNodes(cib, nodes, failed, byId, stonith, t);
  const blockedSummary = blockedActions(t);

  const resources = resourcesIn.map((rIn): StatusResource => {
    const r: Mutable<StatusResource> = { ...rIn, blocked: false };
    const key = keyOf(r);
    const lastKnown = [...lost].filter(([name, active]) => active.has(key) && !r.active_on.includes(name)).map(([name]) => name).sort();
    if (lastKnown.length > 0) r.last_known_active_on = lastKnown;
    const block = (cause: StatusBlockedCause, node?: string): void => {
      r.blocked = true;
      r.blocked_cause = cause;
      if (node !== undefined) r.blocked_node = node;
    };
    const lostActive = r.active_on.find((n) => lost.has(n));
    const maintNode = r.active_on.find((n) => nodeBy.get(n)?.state === "maintenance");
    if (!r.managed || defaultsUnmanaged) block("unmanaged");
    else if (maintenance) block("maintenance-mode");
    else if (maintNode !== undefined) block("node-maintenance", maintNode);
    else if (lostActive !== undefined) block("node-lost", lostActive);
    else if (lastKnown.length > 0) {
      const elsewhere = usableElsewhere(r, t?.placement[key], lost, nodeBy);
      if (!elsewhere && r.target_role?.toLowerCase() !== "stopped") block("node-lost", lastKnown[0]);
    } else {
      // A failed stop where it is still active: fencing would resolve it (the node is then
      // unclean, above); without, Pacemaker blocks the resource (on-fail=block).
      const stopFailed = failed.find((f) => f.resource.replace(/:\d+$/, "") === key && f.action === "stop" && r.active_on.includes(f.node));
      const e = blockedSummary.get(key);
      if (stopFailed !== undefined) block("stop-failed", stopFailed.node);
      else if (e !== undefined) block("scheduler", e.from ?? e.to ?? undefined);
    }
    return r;
  });
  return { nodes, resources };
}

/** A blocked Transition Summary entry. */
export interface BlockedAction {
  readonly action: string;
  readonly from: string | null;
  readonly to: string | null;
}

/** The blocked summary entry of each resource key (the first), for the words of `scheduler` blocks. */
export function blockedActions(t: ScheduleView | undefined): Map<string, BlockedAction> {
  const out = new Map<string, BlockedAction>();
  for (const e of t?.summary ?? []) {
    if ("resource" in e && e.blocked === true && !out.has(e.resource)) out.set(e.resource, { action: e.action, from: e.from, to: e.to });
  }
  return out;
}
