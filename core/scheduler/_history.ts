/**
 * One resource's operation history on one node (an `lrm_resource`) reduced to its state:
 * role, failures, pending and partial migrations. Internal to the status phase.
 */
import type { CibElement } from "../cib/model.ts";
import { kids } from "./_cib.ts";
import type { Role } from "./transition.ts";

/** A failed operation as read from history. */
export interface HistFailure {
  readonly op: string;
  readonly interval: number;
  readonly rc: number;
  readonly status: number;
  readonly lastRun: number;
  readonly hard: boolean;
  readonly fatal: boolean;
  /** A later successful start/stop/promote/demote/migration cleared it (unless its on-fail sticks). */
  cleared?: boolean;
  /** Not installed: on-fail=ignore does not apply. */
  readonly notInstalled?: boolean;
}

/** The state of one resource on one node. */
export interface HistState {
  role: Role;
  /** Failures that still matter (the last failure of each op key). */
  failures: HistFailure[];
  /** A stop failed: the resource is in an unknown state there. */
  stopFailed: boolean;
  /** A probe found the resource (or not): the node is known. */
  probed: boolean;
  /** Partial migration seen: migrate_to succeeded from here to `target`. */
  migrateTo?: string;
  /** migrate_from succeeded here (from `source`). */
  migrateFrom?: string;
  /** An operation is in flight. */
  pending?: string;
  /** Node where a probe said "not installed" (hard ban) */
  notInstalled: boolean;
  /** When the last "not installed" probe result was recorded (last-rc-change, s; 0 if unknown). */
  notInstalledAt?: number;
}

interface OpRec {
  readonly task: string;
  readonly interval: number;
  readonly rc: number;
  readonly status: number;
  readonly expected: number;
  readonly callId: number;
  readonly lastRun: number;
  readonly el: CibElement;
}

function num(v: string | undefined, d: number): number {
  if (v === undefined) return d;
  const n = Number.parseInt(v, 10);
  return Number.isNaN(n) ? d : n;
}

function readOp(el: CibElement): OpRec {
  const a = el.attrs;
  const rawRc = num(a["rc-code"], 0);
  let expected = 0;
  const key = a["transition-key"] ?? (a["transition-magic"]?.split(";")[1]);
  if (key) {
    const parts = key.split(":");
    if (parts.length >= 3) expected = num(parts[2], 0);
  }
  return {
    task: a.operation ?? "",
    interval: num(a.interval, 0),
    // OCF_DEGRADED (190) and OCF_DEGRADED_PROMOTED (191) count as running (promoted).
    rc: rawRc === 190 ? 0 : rawRc === 191 ? 8 : rawRc,
    status: num(a["op-status"], 0),
    expected,
    callId: num(a["call-id"], 0),
    lastRun: num(a["last-rc-change"] ?? a["last-run"], 0),
    el,
  };
}

/** Reduce an `lrm_resource`'s ops to a {@link HistState}. `promotable` maps Started to Unpromoted. */
export function historyState(lrmRsc: CibElement): HistState {
  const ops = kids(lrmRsc, "lrm_rsc_op").map(readOp)
    .filter((o) => o.task !== "notify" && o.task !== "meta-data" && o.status !== 1)
    .sort((x, y) => {
      const a = x.callId < 0 ? Number.MAX_SAFE_INTEGER : x.callId;
      const b = y.callId < 0 ? Number.MAX_SAFE_INTEGER : y.callId;
      return a - b || x.lastRun - y.lastRun;
    });
  const st: HistState = { role: "Stopped", failures: [], stopFailed: false, probed: false, notInstalled: false };
  const failByKey = new Map<string, HistFailure>();
  for (const o of ops) {
    const isProbe = o.task === "monitor" && o.interval === 0;
    if (o.status === -1) {
      st.pending = o.task;
      if (o.task === "start" || o.task === "migrate_from") st.role = "Started";
      else if (o.task === "promote") st.role = "Promoted";
      else if (o.task === "monitor" && o.interval > 0 && st.role === "Stopped") st.role = "Started";
      continue;
    }
    if (isProbe) st.probed = true;
    // Done and error results are judged by the rc against the expected rc; other statuses stand.
    const judged = o.status === 0 || o.status === 4;
    // Only 0, 7 and 8 can be expected results; other codes are errors whatever was expected.
    const success = judged && ((o.rc === o.expected && (o.rc === 0 || o.rc === 7 || o.rc === 8)) || (isProbe && (o.rc === 0 || o.rc === 7 || o.rc === 8)));
    if (o.task === "monitor" && judged && o.rc === 7 && !isProbe && o.expected === 7) { st.role = "Stopped"; continue; }
    if (success) {
      switch (o.task) {
        case "start": case "migrate_from": st.role = "Started"; break;
        case "stop": st.role = "Stopped"; st.stopFailed = false; break;
        case "promote": st.role = "Promoted"; break;
        case "demote": st.role = "Unpromoted"; break;
        case "migrate_to": st.role = "Started"; break;
        case "monitor":
          st.role = o.rc === 8 ? "Promoted" : o.rc === 7 ? "Stopped" : st.role === "Promoted" || st.role === "Unpromoted" ? st.role : "Started";
          break;
        default: break;
      }
      if (o.task === "migrate_to") {
        const tgt = o.el.attrs["migrate_target"];
        if (tgt) st.migrateTo = tgt;
      } else if (o.task === "migrate_from") {
        const src = o.el.attrs["migrate_source"];
        if (src) st.migrateFrom = src;
      } else if (o.task === "start" || o.task === "stop") {
        delete st.migrateTo;
      }
      // A later successful start/stop/promote/demote/migration clears past failures (for the
      // on-fail policies that do not stick); a successful monitor does not.
      if (o.task !== "monitor") for (const f of failByKey.values()) f.cleared = true;
      continue;
    }
    // failure
    const hard = o.rc === 2 || o.rc === 5 || (o.rc === 3 && o.interval === 0) || o.rc === 4 || o.status === 5 || o.status === 7;
    const fatal = o.rc === 6 || o.status === 6;
    if (isProbe && o.rc === 5) { st.role = "Stopped"; st.notInstalled = true; st.notInstalledAt = o.lastRun; continue; }
    // A stop that finds the agent not installed means it cannot be running there.
    if (o.task === "stop" && o.rc === 5 && judged) { st.role = "Stopped"; st.notInstalled = true; continue; }
    const f: HistFailure = { op: o.task, interval: o.interval, rc: o.rc, status: o.status, lastRun: o.lastRun, hard, fatal,
      ...(o.status === 7 ? { notInstalled: true } : {}) };
    failByKey.set(`${o.task}_${o.interval}`, f);
    switch (o.task) {
      case "stop": st.stopFailed = true; st.role = "Started"; break;
      case "start": st.role = "Started"; break;
      case "promote": st.role = "Promoted"; break;
      case "demote": st.role = "Promoted"; break;
      case "monitor":
        if (o.rc === 9) st.role = "Promoted";
        else if (o.rc === 7) st.role = st.role === "Stopped" ? "Started" : st.role;
        else if (o.rc === 8) st.role = "Promoted";
        else if (st.role === "Stopped") st.role = "Started";
        break;
      case "migrate_to": st.role = "Started"; break;
      case "migrate_from": st.role = "Stopped"; break;
      default: break;
    }
  }
  st.failures = [...failByKey.values()];
  return st;
}
