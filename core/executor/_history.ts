/**
 * Per-resource operation history: the last record of every operation key, the last failure.
 * @module
 */
import type { AgentRef } from "../plugin/types.ts";
import type { OperationRecord, ResourceHistory } from "./types.ts";

const OK_RCS = new Set([0, 7, 8]);

/**
 * True when a record counts as a failure for history. With the controller's expected result
 * (meta `op_target_rc`, as Pacemaker sends it) any other rc fails; without it, rc 0 passes,
 * a probe or one-shot monitor may report 7 or 8, a recurring monitor may report 8.
 */
export function isFailure(r: OperationRecord): boolean {
  if (r.status === "cancelled") return false;
  if (r.status !== "done") return true;
  const target = r.meta["op_target_rc"];
  if (target !== undefined && /^\d+$/.test(target)) return r.rc !== Number(target);
  if (r.rc === 0) return false;
  // A monitor reporting "not running"/"promoted" is a state, not a failure of the call.
  if (r.action === "monitor" && OK_RCS.has(r.rc)) return r.intervalMs > 0 && r.rc === 7;
  if (r.action === "promote" || r.action === "demote") return r.rc !== 0;
  return true;
}

/** History of one resource. */
export class History {
  readonly #ops = new Map<string, OperationRecord>();
  #last?: OperationRecord;
  #lastFailure?: OperationRecord;
  /** True after a start/migrate_from that succeeded, until a successful stop. */
  started = false;

  constructor(
    readonly resource: string,
    public agent: AgentRef,
  ) {}

  /** When rc/status of this operation key last changed (kept when unchanged). */
  rcChangedAt(action: string, intervalMs: number, rc: number, status: string, now: number): number {
    const prev = this.#ops.get(`${action}_${intervalMs}`);
    if (prev !== undefined && prev.rc === rc && prev.status === status) return prev.rcChangedAt;
    return now;
  }

  add(r: OperationRecord): void {
    const key = `${r.action}_${r.intervalMs}`;
    this.#ops.delete(key);
    this.#ops.set(key, r);
    this.#last = r;
    if (isFailure(r)) this.#lastFailure = r;
    if (r.status === "done" && r.rc === 0) {
      if (r.action === "start" || r.action === "migrate_from") this.started = true;
      if (r.action === "stop" || r.action === "migrate_to") this.started = false;
    }
  }

  snapshot(queued: number, running: string | undefined): ResourceHistory {
    return {
      resource: this.resource,
      agent: this.agent,
      operations: [...this.#ops.values()],
      ...(this.#last !== undefined ? { last: this.#last } : {}),
      ...(this.#lastFailure !== undefined ? { lastFailure: this.#lastFailure } : {}),
      started: this.started,
      queued,
      ...(running !== undefined ? { running } : {}),
    };
  }
}
