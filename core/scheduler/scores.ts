/**
 * Score arithmetic as Pacemaker defines it: scores are integers clamped to +/-1,000,000
 * (INFINITY); adding anything to -INFINITY stays -INFINITY, and -INFINITY wins over +INFINITY.
 *
 * @example
 * ```ts
 * addScores(INFINITY, -INFINITY); // -1000000
 * parseScore("+INFINITY");        // 1000000
 * ```
 */

/** Pacemaker's INFINITY. */
export const INFINITY = 1_000_000;

/** Add two scores with Pacemaker's saturation rules. */
export function addScores(a: number, b: number): number {
  if (a <= -INFINITY || b <= -INFINITY) return -INFINITY;
  if (a >= INFINITY || b >= INFINITY) return INFINITY;
  const s = a + b;
  return s >= INFINITY ? INFINITY : s <= -INFINITY ? -INFINITY : s;
}

/**
 * Parse a score string (`INFINITY`, `+INFINITY`, `-INFINITY`, `red`/`yellow`/`green` are not
 * handled here, integers). Unparsable text gives `fallback` (0 by default), as Pacemaker does.
 */
export function parseScore(text: string | undefined, fallback = 0): number {
  if (text === undefined) return fallback;
  const t = text.trim().toUpperCase();
  if (t === "INFINITY" || t === "+INFINITY") return INFINITY;
  if (t === "-INFINITY") return -INFINITY;
  const m = /^[+-]?\d+/.exec(t);
  if (!m) return fallback;
  const n = Number(m[0]);
  return n >= INFINITY ? INFINITY : n <= -INFINITY ? -INFINITY : n;
}

/** Render a score as Pacemaker prints it. */
export function formatScore(n: number): string {
  return n >= INFINITY ? "INFINITY" : n <= -INFINITY ? "-INFINITY" : String(n);
}
