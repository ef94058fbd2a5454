/**
 * How Pacemaker 2.1.5's scheduler treats OCF results (lib/pengine/unpack.c, remap_operation).
 * @module
 */
import { OCF_RC_TEXT } from "../../core/plugin/mod.ts";

/**
 * Severity of an OCF rc when it is not the expected result:
 * `ok` (rc 0), `soft` (recover in place: 1, 7, 8, 9, 190, 191 and unknown codes),
 * `hard` (ban the resource from this node: 2, 3, 4, 5), `fatal` (stop it everywhere: 6).
 */
export type OcfSeverity = "ok" | "soft" | "hard" | "fatal";

/**
 * The severity Pacemaker gives an OCF exit code: 6 (not configured) is fatal; 2 (invalid
 * parameter), 4 (insufficient privileges), 5 (not installed) and 3 (unimplemented) are hard;
 * everything else that is not 0 is soft. (Pacemaker reports 3 on a recurring operation as
 * "not supported", which also keeps the resource off the node.)
 *
 * @example
 * ```ts
 * ocfSeverity(6); // "fatal"
 * ocfSeverity(5); // "hard"
 * ocfSeverity(1); // "soft"
 * ```
 */
export function ocfSeverity(rc: number): OcfSeverity {
  switch (rc) {
    case 0:
      return "ok";
    case 6:
      return "fatal";
    case 2:
    case 3:
    case 4:
    case 5:
      return "hard";
    default:
      return "soft";
  }
}

/**
 * Map a raw exit code to an OCF rc as Pacemaker does (`services__ocf2ocf`): 0..9, 190 and 191
 * are kept, anything else becomes 1 (generic error).
 *
 * @example
 * ```ts
 * ocfExitToRc(42); // 1
 * ```
 */
export function ocfExitToRc(code: number): number {
  if (code === 190 || code === 191) return code;
  if (!Number.isInteger(code) || code < 0 || code > 9) return 1;
  return code;
}

/**
 * The rc Pacemaker uses for a monitor result when deciding the resource state
 * (`pcmk__effective_rc`): degraded (190) counts as running (0), degraded promoted (191) as
 * promoted (8).
 *
 * @example
 * ```ts
 * ocfEffectiveRc(191); // 8
 * ```
 */
export function ocfEffectiveRc(rc: number): number {
  if (rc === 190) return 0;
  if (rc === 191) return 8;
  return rc;
}

/**
 * Pacemaker's names for OCF rcs (`services_ocf_exitcode_str`), except that 190 reads "degraded"
 * (Pacemaker prints "OCF_DEGRADED"); "unknown" for any other rc.
 */
export function ocfRcName(rc: number): string {
  if (rc === 190) return "degraded";
  return OCF_RC_TEXT[rc] ?? "unknown";
}
