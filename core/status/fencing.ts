/**
 * The fencing part of the status: the fencer's history as `atrium status --json` gives it (the
 * `fencing` array) and the crm_mon-style "Fencing History" lines. Ordered as crm_mon orders
 * it: pending operations first, then the newest completed first.
 *
 * @example
 * ```ts
 * const s = withFencing(clusterStatus(cib), fencing.history());
 * ```
 */
import type { FenceHistoryEntry } from "../fencer/history.ts";
import type { ClusterStatus, StatusFencing } from "./types.ts";
import { explainBlocked } from "./_blocked_words.ts";

/** A fencing history entry as the fencer keeps it (only the fields the status shows). */
export type FencingEntryLike = Pick<
  FenceHistoryEntry,
  "id" | "target" | "action" | "origin" | "client" | "delegate" | "state" | "devices" | "error" | "reason" | "startedAt" | "endedAt"
>;

function order(a: StatusFencing, b: StatusFencing): number {
  const pa = a.state === "pending" ? 0 : 1, pb = b.state === "pending" ? 0 : 1;
  if (pa !== pb) return pa - pb;
  return (b.completed ?? b.started).localeCompare(a.completed ?? a.started);
}

/** The status `fencing` array of a fencing history (see the module documentation). */
export function fencingStatus(entries: readonly FencingEntryLike[]): StatusFencing[] {
  return entries.map((e): StatusFencing => ({
    id: e.id,
    target: e.target,
    action: e.action,
    state: e.state === "success" || e.state === "failed" ? e.state : "pending",
    origin: e.origin,
    client: e.client,
    delegate: e.delegate,
    devices: [...e.devices],
    started: e.startedAt,
    ...(e.state !== "pending" && e.endedAt !== undefined ? { completed: e.endedAt } : {}),
    ...(e.error !== undefined ? { error: e.error } : {}),
    ...(e.reason !== undefined ? { reason: e.reason } : {}),
  })).sort(order);
}

/**
 * `status` with the `fencing` array of `entries`; the words of lost nodes and of the resources
 * they block follow the history (fencing in progress, fencing failed).
 */
export function withFencing(status: ClusterStatus, entries: readonly FencingEntryLike[]): ClusterStatus {
  const fencing = fencingStatus(entries);
  return { ...status, ...explainBlocked(status.nodes, status.resources, { failed: status.failed_actions, fencing }), fencing };
}

/** An ISO time as crm_mon prints it: `2026-11-25 12:00:00 +00:00` (UTC). */
function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace("T", " ")} +00:00`;
}

/** One crm_mon-style line (without the bullet). */
export function fencingLine(f: StatusFencing): string {
  const word = f.state === "success" ? "successful" : f.state;
  const by = f.state !== "pending" ? ` by ${f.delegate}` : "";
  const why = f.state === "failed" && f.error !== undefined ? ` (${f.error})` : "";
  const at = f.completed !== undefined ? ` at ${when(f.completed)}` : "";
  return `${f.action} of ${f.target}${by} for ${f.client}@${f.origin} ${word}${why}${at}`;
}

/** The "Fencing History" section lines (empty when there is no history). */
export function fencingSection(fencing: readonly StatusFencing[] | undefined): string[] {
  if (fencing === undefined || fencing.length === 0) return [];
  return ["", "Fencing History:", ...fencing.map((f) => `  * ${fencingLine(f)}`)];
}
