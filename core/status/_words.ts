/** Words for OCF exit codes and Pacemaker execution statuses. Internal to core/status/. */
import { OCF_RC_TEXT } from "../plugin/ocf_rc_text.ts";

/** As Pacemaker's table, but the status views spell the degraded codes their own way. */
const RC_WORDS: Readonly<Record<number, string>> = { ...OCF_RC_TEXT, 190: "degraded", 191: "degraded (promoted)" };

/** The words for an OCF exit code, e.g. 7 -> "not running". */
export function rcText(rc: number): string {
  return RC_WORDS[rc] ?? `unknown exit code ${rc}`;
}

const STATUS_WORDS: Record<number, string> = {
  [-2]: "unknown",
  [-1]: "pending",
  0: "complete",
  1: "cancelled",
  2: "timed out",
  3: "not supported",
  4: "error",
  5: "hard error",
  6: "fatal error",
  7: "not installed",
  8: "not connected",
  9: "invalid",
  10: "no fence device",
  11: "no secrets",
};

/** The words for an execution status (`op-status`), e.g. 2 -> "timed out". */
export function execStatusText(status: number): string {
  return STATUS_WORDS[status] ?? `unknown status ${status}`;
}

/** Milliseconds as Pacemaker's short duration form: 10000 -> "10s", 90000 -> "90s", 0 -> "0s". */
export function formatInterval(ms: number): string {
  if (ms % 1000 !== 0) return `${ms}ms`;
  return `${ms / 1000}s`;
}
