/**
 * The status model: the `atrium status --json` contract (stable; fields may be added, never
 * renamed or removed).
 */

import type { FencingLimit } from "../fencer/attempts.ts";

/** A node's kind as Atrium prints it (Pacemaker's `#kind` `container` is `guest`). */
export type StatusNodeKind = "cluster" | "remote" | "guest";

/** A resource role (Pacemaker 2.1 names). */
export type StatusRole = "Started" | "Stopped" | "Promoted" | "Unpromoted";

/** One node. */
export interface StatusNode {
  readonly name: string;
  readonly kind: StatusNodeKind;
  /** Reachable and a member, whatever its standby. */
  readonly online: boolean;
  readonly standby: boolean;
  /** Guest nodes: the node its container runs on (absent when the container is stopped). */
  readonly host?: string;
  /** Pacemaker's finer state: online, standby, maintenance, pending, offline or unclean. */
  readonly state: string;
  /** Remote and guest nodes: the connection resource. */
  readonly connection?: string;
  /** Guest nodes: the container resource. */
  readonly container?: string;
  /**
   * Lost nodes only (unclean, or a remote/guest node whose connection was lost while resources
   * ran there): why it cannot be used, in words, e.g. `lost (connection monitor failed), not
   * fenced: fencing is disabled (stonith-enabled=false)`. Absent for usable nodes and for
   * nodes that are down cleanly (stopped, standby, ...).
   */
  readonly unusable_reason?: string;
  /** Lost nodes: what happened, in words (`connection monitor failed`, ...). */
  readonly lost_cause?: string;
  /**
   * Lost nodes: where its fencing stands. `disabled` (stonith-enabled=false), `scheduled`
   * (the scheduler wants it), `pending` (the fencer is at it), `failed` (the last attempt
   * failed), `not-scheduled` (fencing is enabled but not asked for), `container` (a guest
   * node: recovered by restarting its container instead).
   */
  readonly fencing_state?: StatusFencingState;
}

/** Where the fencing of a lost node stands (see {@link StatusNode.fencing_state}). */
export type StatusFencingState = "disabled" | "scheduled" | "pending" | "failed" | "not-scheduled" | "container";

/**
 * Why a resource is blocked (see {@link StatusResource.blocked_cause}): `node-lost` (active, or
 * last known active, on a lost node that has not been fenced), `unmanaged` (is-managed=false),
 * `maintenance-mode` (the cluster property), `node-maintenance` (its node is in maintenance),
 * `stop-failed` (a failed stop that cannot be resolved by fencing), `scheduler` (an action it
 * needs cannot run, e.g. it depends on a blocked resource).
 */
export type StatusBlockedCause = "node-lost" | "unmanaged" | "maintenance-mode" | "node-maintenance" | "stop-failed" | "scheduler";

/** One resource: a primitive (groups listed member by member), or a clone once. */
export interface StatusResource {
  readonly id: string;
  /** `class:provider:type` or `class:type`. */
  readonly agent: string;
  /** The highest role it has anywhere (Stopped when active nowhere). */
  readonly role: StatusRole;
  /** Every node it is active on, sorted. */
  readonly active_on: readonly string[];
  /** Node -> role, for clones and resources active on several nodes. */
  readonly roles: Readonly<Record<string, StatusRole>>;
  /** The enclosing group, if any. */
  readonly group?: string;
  /** The enclosing clone, if any (for a clone of a primitive, `id` is the clone). */
  readonly clone?: string;
  /** The configured primitive, when `id` is a clone's. */
  readonly primitive?: string;
  /** `target-role` when set (e.g. Stopped for a disabled resource). */
  readonly target_role?: string;
  readonly managed: boolean;
  /**
   * The cluster cannot start, stop or recover it now (see `blocked_reason`): it is active or
   * last known active on a lost node that was not fenced, unmanaged, or an action it needs
   * cannot run.
   */
  readonly blocked: boolean;
  /**
   * When blocked: why, in words, naming the node, the cause and what the operator can do, e.g.
   * `cannot be recovered: its node remote1 was lost (connection monitor failed) and cannot be
   * fenced (stonith-enabled=false) ...`.
   */
  readonly blocked_reason?: string;
  /** When blocked: the kind of cause, for programs. */
  readonly blocked_cause?: StatusBlockedCause;
  /** When blocked by a node (lost, in maintenance, a failed stop): that node. */
  readonly blocked_node?: string;
  /**
   * Lost remote or guest nodes whose last recorded history says it was active there although
   * the scheduler no longer counts it (it cannot read that history until the node returns or
   * is fenced): it may still run there. Present only when not empty.
   */
  readonly last_known_active_on?: readonly string[];
  /**
   * Not blocked, but a risk worth a word: active elsewhere while it may still be active on a
   * lost node that was not fenced.
   */
  readonly warning?: string;
}

/** One failed operation. */
export interface FailedAction {
  /** The history id (clone instances as `ID:N`). */
  readonly resource: string;
  readonly node: string;
  /** Operation name: start, stop, monitor, ... */
  readonly action: string;
  /** Interval in milliseconds (0 for one-shot operations). */
  readonly interval: number;
  /** OCF exit code. */
  readonly rc: number;
  /** The exit code in words ("not running"). */
  readonly rc_text: string;
  /** The execution status in words ("complete", "timed out", ...). */
  readonly status: string;
  /** Why, in words: the agent's exit reason when it gave one. */
  readonly reason: string;
  /** When the result changed (ISO 8601), null when not recorded. */
  readonly time: string | null;
}

/** One fencing operation (`atrium status --json`'s `fencing`, from the fencer's history). */
export interface StatusFencing {
  readonly id: string;
  readonly target: string;
  /** reboot, off or on. */
  readonly action: string;
  readonly state: "pending" | "success" | "failed";
  /** The node that asked. */
  readonly origin: string;
  /** The client that asked (the controller, the API, ...). */
  readonly client: string;
  /** The node that carried it out. */
  readonly delegate: string;
  /** The devices that did it (or were tried). */
  readonly devices: readonly string[];
  /** ISO 8601 times. */
  readonly started: string;
  readonly completed?: string;
  /** Why it failed. */
  readonly error?: string;
  readonly reason?: string;
}

/** The whole status. */
export interface ClusterStatus {
  readonly nodes: readonly StatusNode[];
  readonly resources: readonly StatusResource[];
  readonly failed_actions: readonly FailedAction[];
  /** The fencing history (pending first, then newest first); present when the daemon runs a fencer. */
  readonly fencing?: readonly StatusFencing[];
  /**
   * Targets whose fencing failed, with their count toward `stonith-max-attempts` and, once it
   * is reached, that fencing is not retried and what to do; present when the daemon runs a fencer.
   */
  readonly fencing_limits?: readonly FencingLimit[];
  /** The CIB version the status was read from. */
  readonly version?: string;
  /** Problems interpreting the CIB (the status may be incomplete then). */
  readonly warnings: readonly string[];
}
