/**
 * The transition: what the scheduler decided, as typed data. This is the contract between the
 * scheduler (which computes it, purely) and the controller (which carries it out).
 *
 * - `actions` are the operations to run, each with a stable numeric `id` (unique inside one
 *   transition), its `kind`, the resource and node it concerns, its `interval` and `timeout`
 *   (milliseconds), and `inputs`: the ids of the actions that must have completed before it
 *   may start (the ordering). An action whose inputs all completed is runnable; actions are
 *   listed so that every input comes before the actions that depend on it.
 * - `summary` is Pacemaker's "Transition Summary": one entry per resource change or fencing,
 *   with the same fields as the conformance format (`../shared/conformance/scheduler/README.md`).
 * - `placement` is where every resource is active once the transition has been carried out
 *   completely and successfully (resource id -> list of node and role).
 * - `nodes` is each node's kind and state afterwards.
 *
 * @example
 * ```ts
 * const t = schedule(cib, { now: new Date() });
 * for (const a of t.actions) console.log(a.id, a.kind, a.resource ?? a.node, a.inputs);
 * ```
 */

/** A resource role as Pacemaker names it (2.1 names; `Master`/`Slave` are never produced). */
export type Role = "Stopped" | "Started" | "Unpromoted" | "Promoted";

/** What an action does. Resource actions carry `resource`; node actions do not. */
export type ActionKind =
  | "start" | "stop" | "monitor" | "promote" | "demote" | "migrate_to" | "migrate_from"
  | "notify" | "reload" | "cancel" | "probe"
  | "fence" | "shutdown" | "clear_failcount"
  /** Pseudo-actions: no operation runs; they only join orderings (e.g. "all stopped"). */
  | "pseudo";

/** One operation in a transition. */
export interface TransitionAction {
  /** Unique inside the transition. */
  readonly id: number;
  readonly kind: ActionKind;
  /** Pacemaker-style key: `RSC_start_0`, `RSC_monitor_10000`, `stonith-NODE-reboot`. */
  readonly key: string;
  /** Resource id (instance-numbered for clone instances, e.g. `db:1`). */
  readonly resource?: string;
  /** Node the action runs on (for fencing: the target). */
  readonly node?: string;
  /** Recurring interval in milliseconds (0 for one-shot operations). */
  readonly interval: number;
  /** Timeout in milliseconds. */
  readonly timeout: number;
  /** For fencing: reboot, off or on. */
  readonly fenceOp?: "reboot" | "off" | "on";
  /** Ids of the actions that must complete before this one starts. */
  readonly inputs: readonly number[];
  /** Set when the scheduler wants the action but cannot run it (blocked; shown, not executed). */
  readonly runnable: boolean;
}

/** One line of the Transition Summary (conformance format). */
export type SummaryEntry =
  | {
    readonly action: "start" | "stop" | "move" | "migrate" | "recover" | "restart" | "reload"
      | "promote" | "demote" | "re-promote";
    readonly resource: string;
    readonly from: string | null;
    readonly to: string | null;
    readonly role?: Role;
    readonly next_role?: Role;
    readonly blocked?: true;
  }
  | { readonly action: "fence"; readonly node: string; readonly op: "reboot" | "off" | "on" };

/** Where one resource (or one clone instance) is active. */
export interface Placement {
  readonly node: string;
  readonly role: Role;
}

/** Node kind and state (first that applies: unclean, offline, pending, maintenance, standby, online). */
export interface NodeSummary {
  readonly type: "cluster" | "remote" | "guest";
  readonly state: "unclean" | "offline" | "pending" | "maintenance" | "standby" | "online";
}

/** The scheduler's result. */
export interface Transition {
  readonly actions: readonly TransitionAction[];
  readonly summary: readonly SummaryEntry[];
  /** Resource key (conformance normalization: clone instances merged) -> placements afterwards. */
  readonly placement: Readonly<Record<string, readonly Placement[]>>;
  /** Resource key -> placements before the transition (the current status). */
  readonly current: Readonly<Record<string, readonly Placement[]>>;
  readonly nodes: Readonly<Record<string, NodeSummary>>;
  /** Nodes before the transition. */
  readonly nodesBefore: Readonly<Record<string, NodeSummary>>;
  /** Per resource (instance) id: node name -> final allocation score, for `--show-scores`. */
  readonly scores: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Per resource id: score contributions (node, delta, source), for `--explain`. */
  readonly explain: Readonly<Record<string, readonly ScoreContribution[]>>;
  /** Warnings about the configuration the scheduler worked around. */
  readonly warnings: readonly string[];
}

/** One contribution to a resource's score on a node. */
export interface ScoreContribution {
  readonly node: string;
  readonly score: number;
  /** What it came from: `location constraint loc-1`, `stickiness`, `colocation with B` ... */
  readonly source: string;
}
