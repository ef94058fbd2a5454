/**
 * The words of lost nodes (`unusable_reason`) and blocked resources (`blocked_reason`,
 * `warning`), from the structured fields `_blocked.ts` fills, and the fencer's history when
 * known (a pending or failed fencing of a lost node changes what is said). Internal to
 * core/status/.
 */
import type { BlockedAction } from "./_blocked.ts";
import { historyId } from "./_blocked.ts";
import type { FailedAction, StatusFencing, StatusNode, StatusResource } from "./types.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The newest fencing of each target (pending ones count as newest). */
function newestFencing(history: readonly StatusFencing[]): Map<string, StatusFencing> {
  const out = new Map<string, StatusFencing>();
  const key = (f: StatusFencing): string => (f.state === "pending" ? "~" : f.completed ?? f.started);
  for (const f of history) {
    const had = out.get(f.target);
    if (had === undefined || key(f) > key(had)) out.set(f.target, f);
  }
  return out;
}

/** What is said about a lost node's fencing. */
function fencingWords(n: StatusNode, error: string | undefined): string {
  switch (n.fencing_state) {
    case "disabled": return "not fenced: fencing is disabled (stonith-enabled=false)";
    case "scheduled": return "waiting for fencing";
    case "pending": return "fencing in progress";
    case "failed": return `fencing failed${error !== undefined ? ` (${error})` : ""}`;
    case "container": return `not fenced: recovered by restarting its container${n.container !== undefined ? ` ${n.container}` : ""}`;
    default: return "not fenced yet";
  }
}

/** `lost (CAUSE), FENCING` or, for a node still online, `unclean (CAUSE), FENCING`. */
function nodeWords(n: StatusNode, error: string | undefined): string {
  return `${n.online ? "unclean" : "lost"} (${n.lost_cause ?? "unknown cause"}), ${fencingWords(n, error)}`;
}

function retryHint(n: StatusNode): string {
  if (n.kind === "cluster") return `until ${n.name} rejoins the cluster`;
  const conn = n.kind === "guest" ? n.container : n.connection;
  const what = n.kind === "guest" ? "its container" : "the connection";
  return `until ${n.name} returns${conn !== undefined ? ` ("atrium resource cleanup ${conn}" retries ${what} now)` : ""}`;
}

/** The words of a resource blocked by lost node `n`. */
function lostWords(r: StatusResource, n: StatusNode, error: string | undefined): string {
  const lastKnown = !r.active_on.includes(n.name);
  const its = lastKnown ? `it was last known active on ${n.name}, which` : `its node ${n.name}`;
  const lostHow = `was lost (${n.lost_cause ?? "unknown cause"})`;
  switch (n.fencing_state) {
    case "disabled":
      return `cannot be recovered: ${its} ${lostHow} and cannot be fenced (stonith-enabled=false), so the cluster cannot know whether it stopped; it stays where it was ${retryHint(n)}`;
    case "scheduled":
      return `recovers after ${n.name} is fenced: ${its} ${lostHow}; fencing is scheduled`;
    case "pending":
      return `recovers after ${n.name} is fenced: ${its} ${lostHow}; fencing is in progress`;
    case "failed":
      return `cannot be recovered until ${n.name} is fenced: ${its} ${lostHow} and fencing failed${error !== undefined ? ` (${error})` : ""}; the cluster retries it (see "atrium fence history ${n.name}")`;
    case "container":
      return `recovers after guest node ${n.name} is recovered: ${its} ${lostHow}; its container${n.container !== undefined ? ` ${n.container}` : ""} is restarted first`;
    default:
      return `cannot be recovered until ${n.name} is fenced or returns: ${its} ${lostHow}`;
  }
}

function schedulerWords(e: BlockedAction | undefined): string {
  if (e === undefined) return "an action it needs cannot run";
  const where = e.from !== null && e.to !== null && e.from !== e.to ? ` (${e.from} -> ${e.to})` : e.from !== null ? ` on ${e.from}` : e.to !== null ? ` on ${e.to}` : "";
  return `its ${e.action}${where} cannot run now: the scheduler marks it blocked because an action it depends on cannot run (look at what it is ordered after or colocated with)`;
}

/** Inputs of {@link explainBlocked}. */
export interface ExplainInput {
  readonly failed: readonly FailedAction[];
  /** Blocked summary entries by resource key; absent: keep the words already there. */
  readonly actions?: ReadonlyMap<string, BlockedAction>;
  /** The fencer's history, when known. */
  readonly fencing?: readonly StatusFencing[];
}

/**
 * Copies of `nodes` and `resources` with `unusable_reason`, `blocked_reason` and `warning` in
 * words (and a lost node's `fencing_state` updated from the fencer's history when given).
 */
export function explainBlocked(
  nodesIn: readonly StatusNode[],
  resourcesIn: readonly StatusResource[],
  input: ExplainInput,
): { nodes: StatusNode[]; resources: StatusResource[] } {
  const newest = newestFencing(input.fencing ?? []);
  const errors = new Map<string, string | undefined>();
  const nodes = nodesIn.map((nIn): StatusNode => {
    if (nIn.fencing_state === undefined) return nIn;
    const n: Mutable<StatusNode> = { ...nIn };
    const f = newest.get(n.name);
    if (f !== undefined && n.fencing_state !== "disabled" && n.fencing_state !== "container") {
      if (f.state === "pending") n.fencing_state = "pending";
      else if (f.state === "failed") n.fencing_state = "failed";
    }
    const error = n.fencing_state === "failed" ? f?.error ?? f?.reason : undefined;
    errors.set(n.name, error);
    n.unusable_reason = nodeWords(n, error);
    return n;
  });
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const resources = resourcesIn.map((rIn): StatusResource => {
    const r: Mutable<StatusResource> = { ...rIn };
    const lostOn = (r.last_known_active_on ?? []).map((name) => byName.get(name)).find((n) => n?.fencing_state !== undefined);
    if (!r.blocked) {
      if (lostOn !== undefined && lostOn.fencing_state !== "container") {
        r.warning = `may also still be active on ${lostOn.name}: ${lostOn.name} was lost (${lostOn.lost_cause ?? "unknown cause"}) and was not fenced${lostOn.fencing_state === "disabled" ? " (stonith-enabled=false)" : ""}`;
      }
      return r;
    }
    const node = r.blocked_node !== undefined ? byName.get(r.blocked_node) : undefined;
    switch (r.blocked_cause) {
      case "node-lost":
        if (node !== undefined) r.blocked_reason = lostWords(r, node, errors.get(node.name));
        break;
      case "unmanaged":
        r.blocked_reason = `not managed (is-managed=false${r.managed ? " in the resource defaults" : ""}): the cluster does not start, stop or recover it until is-managed is true again`;
        break;
      case "maintenance-mode":
        r.blocked_reason = `not managed: the cluster is in maintenance mode (maintenance-mode=true); "atrium property set maintenance-mode=false" ends it`;
        break;
      case "node-maintenance":
        r.blocked_reason = `not managed: its node ${r.blocked_node ?? "?"} is in maintenance mode`;
        break;
      case "stop-failed": {
        const f = input.failed.find((x) => x.resource.replace(/:\d+$/, "") === historyId(r) && x.action === "stop" && x.node === r.blocked_node);
        r.blocked_reason = `cannot be recovered: its stop failed on ${r.blocked_node ?? "?"}${f !== undefined ? ` (${f.reason})` : ""} and the cluster cannot fence the node for it; it stays blocked until you make sure it is stopped there and run "atrium resource cleanup ${historyId(r)} --node ${r.blocked_node ?? "NODE"}"`;
        break;
      }
      case "scheduler":
        if (input.actions !== undefined || r.blocked_reason === undefined) r.blocked_reason = schedulerWords(input.actions?.get(historyId(r)));
        break;
      default:
        break;
    }
    return r;
  });
  return { nodes, resources };
}
