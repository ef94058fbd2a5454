/**
 * The environment of an alert agent run, exactly as Pacemaker 2.1.5 sets it: every key both as
 * `CRM_alert_<key>` and the legacy `CRM_notify_<key>`, then the instance attributes.
 *
 * Pacemaker 2.1.5 does not set CRM_alert_select_kind nor CRM_alert_attribute_* filters (the
 * enum values exist but are not in its key table), so neither does this.
 * @module
 */
import { type ClusterEvent, OCF_RC_TEXT } from "../../core/plugin/mod.ts";
import type { AlertEntry } from "./config.ts";
import { formatAlertTimestamp } from "./timestamp.ts";

/** The version alert agents see in CRM_alert_version (the Pacemaker release Atrium matches). */
export const ALERT_VERSION = "2.1.5";

/** CRM_alert_task of fencing alerts: Pacemaker passes the fencer's notification type. */
export const FENCING_ALERT_TASK = "st_notify_fence";

/** Pacemaker's execution status codes (CRM_alert_status) by Atrium's status names. */
const EXEC_STATUS: Record<string, number> = {
  pending: -1,
  done: 0,
  complete: 0,
  cancelled: 1,
  timeout: 2,
  not_supported: 3,
  error: 4,
  error_hard: 5,
  error_fatal: 6,
  not_installed: 7,
  not_connected: 8,
  invalid: 9,
  no_fence_device: 10,
  no_secrets: 11,
};

const EXEC_STATUS_TEXT: Record<number, string> = {
  [-1]: "pending",
  0: "complete",
  1: "Cancelled",
  2: "Timed Out",
  3: "NOT SUPPORTED",
  4: "Error",
  5: "Hard error",
  6: "Fatal error",
  7: "Not installed",
  8: "Internal communication failure",
  9: "Cannot execute now",
  10: "No fence device",
  11: "CIB secrets unavailable",
};

/** Pacemaker's numeric execution status for a status name (or numeric text); 0 when absent. */
export function execStatusCode(status: string | undefined): number {
  if (status === undefined || status === "") return 0;
  if (/^-?\d+$/.test(status.trim())) return Number(status.trim());
  return EXEC_STATUS[status.trim().toLowerCase()] ?? 4;
}

/** CRM_alert_desc of a resource alert: the OCF result text when done, else the status text. */
export function resourceAlertDesc(status: number, rc: number): string {
  if (status === 0) return OCF_RC_TEXT[rc] ?? "unknown";
  return EXEC_STATUS_TEXT[status] ?? "UNKNOWN!";
}

/**
 * Pacemaker's description of a fencing event when the host gives none, with its defaults for
 * what is unknown.
 */
export function fencingAlertDesc(event: ClusterEvent): string {
  const status = event.rc === undefined || event.rc === 0 ? "OK" : "Error";
  return `Operation ${event.task ?? "(unknown)"} of ${event.node ?? "no node"} by the cluster for a client@a node: ${status} (ref=(none))`;
}

/**
 * False for events Pacemaker never alerts: a probe (monitor, interval 0) with its expected
 * result.
 */
export function isAlertableEvent(event: ClusterEvent): boolean {
  if (event.kind !== "resource") return true;
  const probe = (event.interval ?? 0) === 0 && (event.task ?? "").toLowerCase() === "monitor";
  return !(probe && (event.targetRc ?? 0) === (event.rc ?? 0));
}

/** Whether `entry` receives `event` (its select, and its attribute names). */
export function entryWants(entry: AlertEntry, event: ClusterEvent): boolean {
  const s = entry.select;
  switch (event.kind) {
    case "node": return s.nodes;
    case "fencing": return s.fencing;
    case "resource": return s.resources;
    case "attribute": {
      if (!s.attributes) return false;
      const name = event.attribute?.name;
      return s.attributeNames === undefined || (name !== undefined && s.attributeNames.includes(name));
    }
    default: return false;
  }
}

/** The keys of one event, before per-run keys (recipient, timestamps, sequence). */
export function eventAlertKeys(event: ClusterEvent, version = ALERT_VERSION): Record<string, string> {
  const k: Record<string, string> = { kind: event.kind, version };
  switch (event.kind) {
    case "node":
      k["node"] = event.node ?? "";
      k["desc"] = event.desc ?? "";
      k["nodeid"] = event.nodeId ?? "0";
      break;
    case "fencing":
      k["node"] = event.node ?? "";
      k["task"] = FENCING_ALERT_TASK;
      k["desc"] = event.desc ?? fencingAlertDesc(event);
      k["rc"] = String(event.rc ?? 0);
      break;
    case "resource": {
      const status = execStatusCode(event.status);
      const rc = event.rc ?? 0;
      k["node"] = event.node ?? "";
      k["rsc"] = event.resource ?? "";
      k["task"] = event.task ?? "";
      k["interval"] = String(Math.max(0, Math.trunc(event.interval ?? 0)));
      k["target_rc"] = String(event.targetRc ?? 0);
      k["status"] = String(status);
      k["rc"] = String(rc);
      k["exec_time"] = String(Math.max(0, Math.trunc(event.execTimeMs ?? 0)));
      k["desc"] = resourceAlertDesc(status, rc);
      break;
    }
    case "attribute":
      k["node"] = event.node ?? "";
      k["nodeid"] = event.nodeId ?? "0";
      k["attribute_name"] = event.attribute?.name ?? "";
      k["attribute_value"] = event.attribute?.value ?? "";
      break;
  }
  return k;
}

/** The time of an alert: epoch ms and the microseconds within the second. */
export interface AlertTime {
  readonly epochMs: number;
  readonly usec: number;
}

/**
 * The full environment of one run: event keys, recipient, timestamp (formatted with the
 * entry's format), epoch, microseconds and node sequence, each as CRM_alert_* and
 * CRM_notify_*, then the entry's instance attributes (which may override them, as Pacemaker).
 */
export function alertEnvironment(
  entry: AlertEntry,
  keys: Readonly<Record<string, string>>,
  time: AlertTime,
  sequence: number,
): Record<string, string> {
  const all: Record<string, string> = { ...keys, recipient: entry.recipient };
  const stamp = formatAlertTimestamp(entry.timestampFormat, time.epochMs, time.usec);
  if (stamp !== undefined) all["timestamp"] = stamp;
  all["timestamp_epoch"] = String(Math.floor(time.epochMs / 1000));
  all["timestamp_usec"] = String(time.usec).padStart(6, "0");
  all["node_sequence"] = String(sequence);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) {
    env[`CRM_notify_${k}`] = v;
    env[`CRM_alert_${k}`] = v;
  }
  for (const [k, v] of Object.entries(entry.env)) env[k] = v;
  return env;
}
