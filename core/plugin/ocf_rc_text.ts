/**
 * Pacemaker 2.1.5's words for OCF exit codes (`services_ocf_exitcode_str`), shared by the
 * status views and the plugins that describe agent results.
 * @module
 */

/**
 * The words Pacemaker 2.1.5 prints for each OCF exit code it knows, e.g. 7 -> "not running".
 * Note Pacemaker's own spelling for 190: "OCF_DEGRADED".
 */
export const OCF_RC_TEXT: Readonly<Record<number, string>> = Object.freeze({
  0: "ok",
  1: "error",
  2: "invalid parameter",
  3: "unimplemented feature",
  4: "insufficient privileges",
  5: "not installed",
  6: "not configured",
  7: "not running",
  8: "promoted",
  9: "promoted (failed)",
  190: "OCF_DEGRADED",
  191: "promoted (degraded)",
});
