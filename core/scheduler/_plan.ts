/**
 * The per-resource plan the action phases build and refine: where a primitive stops, where it
 * starts, role changes, and whether each of those can actually run.
 */
import type { Primitive } from "./_model.ts";
import type { Role } from "./transition.ts";

export interface StopPlan {
  runnable: boolean;
  /** Implied by fencing the node (no operation runs). */
  pseudo: boolean;
}

export interface Plan {
  readonly p: Primitive;
  /** First node it is active on (Pacemaker's "current node"), if any. */
  readonly cur?: string;
  readonly curRole: Role;
  readonly next: string | null;
  nextRole: Role;
  /** Node -> stop (only nodes where it must stop). */
  readonly stops: Map<string, StopPlan>;
  /** Start needed on `next`. */
  start: boolean;
  startRunnable: boolean;
  /** Promote on next / demote on cur. */
  promote: boolean;
  demote: boolean;
  /** Failed (recover rather than move/restart). */
  failed: boolean;
  migrate: boolean;
  reload: boolean;
  /** Why the start cannot run (for the blocked summary line). */
  blockedBy?: string;
}
