/**
 * LSB exit codes mapped to OCF results as Pacemaker 2.1.5 maps them (services__lsb2ocf).
 * @module
 */

/**
 * Map an LSB init script exit code to an OCF rc. For `status` (and `monitor`, which runs
 * `status`): 0 running -> 0; 1 (dead, pid file left), 2 (dead, lock file left), 3 (not
 * running) -> 7; 150 not installed -> 5; 151 insufficient privileges -> 4; 4 (unknown) and
 * anything else -> 1. For other actions LSB and OCF share codes 0..7; others become 1.
 *
 * @example
 * ```ts
 * lsbToOcf("status", 3); // 7
 * lsbToOcf("start", 7);  // 7
 * lsbToOcf("stop", 9);   // 1
 * ```
 */
export function lsbToOcf(action: string, code: number): number {
  if (action !== "status" && action !== "monitor") {
    return Number.isInteger(code) && code >= 0 && code <= 7 ? code : 1;
  }
  switch (code) {
    case 0:
      return 0;
    case 1:
    case 2:
    case 3:
      return 7;
    case 150:
      return 5;
    case 151:
      return 4;
    default:
      return 1;
  }
}
