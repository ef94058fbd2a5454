/**
 * Value comparisons and number parsing used by rule expressions, with Pacemaker 2.1.5's
 * semantics (compare_attr_expr_vals, compare_version, char2score, crm_parse_interval_spec).
 * @module
 */
import { scanDouble, scanLong, scanLongLong } from "./_scan.ts";
import { parseDuration } from "./iso8601_parse.ts";

/** Pacemaker's INFINITY score. */
export const SCORE_INFINITY = 1_000_000;

/** ASCII-lowercase one code point (what strcasecmp does in the C locale). */
function lowerAscii(cp: number): number {
  return cp >= 65 && cp <= 90 ? cp + 32 : cp;
}

/**
 * strcasecmp: the sign of the first differing (ASCII-lowercased) code point.
 * @example strcasecmp("Node1", "node1") // 0
 */
export function strcasecmp(a: string, b: string): number {
  const ai = Array.from(a);
  const bi = Array.from(b);
  const n = Math.min(ai.length, bi.length);
  for (let i = 0; i < n; i++) {
    const x = lowerAscii((ai[i] as string).codePointAt(0) ?? 0);
    const y = lowerAscii((bi[i] as string).codePointAt(0) ?? 0);
    if (x !== y) return x < y ? -1 : 1;
  }
  return ai.length === bi.length ? 0 : ai.length < bi.length ? -1 : 1;
}

/**
 * Case-insensitive ASCII equality (pcmk__str_eq with pcmk__str_casei).
 * @example eqCasei("IN_RANGE", "in_range") // true
 */
export function eqCasei(a: string | undefined, b: string): boolean {
  return a !== undefined && strcasecmp(a, b) === 0;
}

/**
 * compare_version: dotted numeric parts compared in turn, a missing part counting as 0.
 * (Pacemaker loops forever on a part without digits, such as "1.a"; here such a part ends
 * that version.)
 * @example compareVersion("1.10", "1.9") // 1
 */
export function compareVersion(v1: string, v2: string): number {
  let i1: number | undefined = 0;
  let i2: number | undefined = 0;
  for (;;) {
    if (i1 === undefined && i2 === undefined) return 0;
    let d1 = 0;
    let d2 = 0;
    if (i1 !== undefined) {
      if (i1 >= v1.length) d1 = -1;
      else {
        const r = scanLong(v1, i1);
        d1 = r.value;
        if (r.end === i1) i1 = v1.length; // no digits: no progress possible
        else i1 = r.end;
      }
    }
    if (i2 !== undefined) {
      if (i2 >= v2.length) d2 = -1;
      else {
        const r = scanLong(v2, i2);
        d2 = r.value;
        if (r.end === i2) i2 = v2.length;
        else i2 = r.end;
      }
    }
    if (d1 !== d2) return d1 < d2 ? -1 : 1;
    if (i1 !== undefined && v1[i1] === ".") i1++;
    if (i1 !== undefined && i1 >= v1.length) i1 = undefined;
    if (i2 !== undefined && v2[i2] === ".") i2++;
    if (i2 !== undefined && i2 >= v2.length) i2 = undefined;
  }
}

/**
 * The comparison type Pacemaker uses when the expression has no `type`.
 * @example defaultType("gt", "3.4", "10") // "number"
 */
export function defaultType(op: string | undefined, l: string, r: string): "string" | "integer" | "number" {
  const ordered = op !== undefined && ["lt", "lte", "gt", "gte"].some((o) => eqCasei(op, o));
  if (!ordered) return "string";
  return l.includes(".") || r.includes(".") ? "number" : "integer";
}

/**
 * compare_attr_expr_vals: -1, 0 or 1. Integers and numbers that do not parse fall back to a
 * string comparison; an unknown type compares equal (as in Pacemaker 2.1.5).
 * @example compareValues("10", "9", undefined, "gt") // 1 (compared as integers)
 */
export function compareValues(
  l: string | undefined,
  r: string | undefined,
  type: string | undefined,
  op: string | undefined,
): number {
  if (l === undefined || r === undefined) {
    if (l === undefined && r === undefined) return 0;
    return r === undefined ? 1 : -1;
  }
  const t = type ?? defaultType(op, l, r);
  if (eqCasei(t, "string")) return Math.sign(strcasecmp(l, r));
  if (eqCasei(t, "integer")) {
    const a = scanLongLong(l);
    const b = scanLongLong(r);
    if (a.ok && b.ok) return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
    return Math.sign(strcasecmp(l, r));
  }
  if (eqCasei(t, "number")) {
    const a = scanDouble(l);
    const b = scanDouble(r);
    if (a.ok && b.ok) return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
    return Math.sign(strcasecmp(l, r));
  }
  if (eqCasei(t, "version")) return compareVersion(l, r);
  return 0;
}

/**
 * True for a `type` Pacemaker 2.1.5 knows.
 * @example isKnownType("Version") // true
 */
export function isKnownType(type: string): boolean {
  return ["string", "integer", "number", "version"].some((t) => eqCasei(type, t));
}

/**
 * char2score: `INFINITY`/`+INFINITY`/`-INFINITY` (exact case), `red`/`yellow`/`green`
 * (node health scores, 0 unless configured), else a leading integer clipped to +-INFINITY;
 * anything unparsable is 0.
 * @example parseScore("-INFINITY") // -1000000
 */
export function parseScore(
  score: string | undefined,
  health: { red?: number; yellow?: number; green?: number } = {},
): number {
  if (score === undefined) return 0;
  if (score === "-INFINITY") return -SCORE_INFINITY;
  if (score === "INFINITY" || score === "+INFINITY") return SCORE_INFINITY;
  if (eqCasei(score, "red")) return health.red ?? 0;
  if (eqCasei(score, "yellow")) return health.yellow ?? 0;
  if (eqCasei(score, "green")) return health.green ?? 0;
  const r = scanLongLong(score);
  if (!r.ok) return 0;
  if (r.value > BigInt(SCORE_INFINITY)) return SCORE_INFINITY;
  if (r.value < BigInt(-SCORE_INFINITY)) return -SCORE_INFINITY;
  return Number(r.value);
}

/**
 * crm_parse_interval_spec: an interval in milliseconds, from an ISO 8601 duration (`P...`,
 * counted the way crm_time_get_seconds counts a duration) or a number with an optional unit
 * (ms, us, s, m, h; seconds by default). `undefined` when Pacemaker rejects it.
 * @example parseIntervalMs("10s") // 10000
 */
export function parseIntervalMs(input: string): number | undefined {
  let ms: number;
  if (input[0] === "P") {
    let d;
    try {
      d = parseDuration(input);
    } catch {
      return undefined;
    }
    // crm_time_get_seconds on a duration: the days of years 1..years-1, 30-day months,
    // days - 1 (sic), then seconds
    let s = 0;
    for (let y = 1; y < Math.min(d.years, 10000); y++) {
      s += (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 366 : 365) * 86400;
    }
    if (d.months > 0) s += 86400 * 30 * d.months;
    if (d.days > 0) s += 86400 * (d.days - 1);
    s += d.seconds;
    ms = 1000 * s;
  } else {
    const m = /^[ \t\n\r\f\v]*([0-9.]+)[ \t\n\r\f\v]*(.*)$/s.exec(input);
    if (!m) return undefined;
    const units = (m[2] ?? "").toLowerCase();
    let mult = 1000;
    let div = 1;
    if (units.startsWith("ms")) mult = 1;
    else if (units.startsWith("us")) {
      mult = 1;
      div = 1000;
    } else if (units.startsWith("s")) mult = 1000;
    else if (units.startsWith("m")) mult = 60_000;
    else if (units.startsWith("h")) mult = 3_600_000;
    else if (units !== "" && units[0] !== "\n" && units[0] !== "\r") return undefined;
    const n = scanLongLong(m[1] ?? "");
    ms = Math.trunc((Number(n.ok ? n.value : -1n) * mult) / div);
  }
  if (ms < 0) return undefined;
  return Math.min(ms, 0xffffffff);
}
