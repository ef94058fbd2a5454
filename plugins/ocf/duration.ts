/**
 * Pacemaker duration strings ("20s", "100ms", "1m", "PT20S", "20") to milliseconds.
 * @module
 */

const UNITS: Record<string, number> = {
  "": 1000,
  ms: 1,
  msec: 1,
  us: 0.001,
  usec: 0.001,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
};

/**
 * Parse a duration as Pacemaker does (`crm_get_msec`: a number with an optional unit, seconds
 * by default) or an ISO 8601 duration (`PT1M30S`). Undefined when it cannot be parsed.
 *
 * @example
 * ```ts
 * parseDurationMs("20s"); // 20000
 * parseDurationMs("PT1M"); // 60000
 * ```
 */
export function parseDurationMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const s = text.trim();
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(s);
  if (m !== null) {
    const unit = UNITS[m[2]!.toLowerCase()];
    if (unit === undefined) return undefined;
    return Math.round(Number(m[1]) * unit);
  }
  const iso = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(s);
  if (iso !== null && s.length > 1 && !/T$/i.test(s)) {
    const [, d, h, mi, se] = iso;
    return Math.round(
      Number(d ?? 0) * 86_400_000 + Number(h ?? 0) * 3_600_000 + Number(mi ?? 0) * 60_000 + Number(se ?? 0) * 1000,
    );
  }
  return undefined;
}
