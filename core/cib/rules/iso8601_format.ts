/**
 * Formatting crm_time values and durations (crm_time_as_string, as the `iso8601` tool prints).
 * @module
 */
import {
  type CrmTime,
  type Duration,
  HOUR_SECONDS,
  timeOfDay,
  toGregorian,
  toIsoWeek,
  toUtc,
} from "./iso8601.ts";

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** How {@link formatDateTime} writes the date part. */
export interface FormatOptions {
  /** `calendar` (YYYY-MM-DD, default), `ordinal` (YYYY-DDD) or `week` (YYYY-Www-D). */
  readonly style?: "calendar" | "ordinal" | "week";
  /** Keep the time's own offset and print it (` +01:00`) instead of converting to UTC. */
  readonly local?: boolean;
}

/**
 * Format like crm_time_as_string (and `iso8601 -d`): `2005-01-20 11:30:00Z`, or with
 * `local`, `2005-01-20 11:30:00 +01:00`.
 * @example formatDateTime(parseDateTime("2005-W03-4"), { style: "ordinal" }) // "2005-020 00:00:00Z"
 */
export function formatDateTime(t: CrmTime, options: FormatOptions = {}): string {
  const dt = options.local || t.offset === 0 ? t : toUtc(t);
  let date: string;
  if (options.style === "week") {
    const w = toIsoWeek(dt);
    date = `${w.year}-W${pad(w.week, 2)}-${w.weekday}`;
  } else if (options.style === "ordinal") {
    date = `${dt.years}-${pad(dt.days, 3)}`;
  } else {
    const g = toGregorian(dt);
    date = `${pad(g.year, 4)}-${pad(g.month, 2)}-${pad(g.day, 2)}`;
  }
  const tod = timeOfDay(dt);
  let zone = "Z";
  if (options.local && dt.offset !== 0) {
    const o = timeOfDay({ years: 0, days: 0, seconds: dt.offset, offset: 0 });
    zone = ` ${dt.offset < 0 ? "-" : "+"}${pad(o.hours, 2)}:${pad(o.minutes, 2)}`;
  }
  return `${date} ${pad(tod.hours, 2)}:${pad(tod.minutes, 2)}:${pad(tod.seconds, 2)}${zone}`;
}

/**
 * Format a duration as ISO 8601 (`P1Y2M3DT4H5M6S`; `PT0S` when empty).
 * @example formatDuration(parseDuration("P2W")) // "P14D"
 */
export function formatDuration(d: Duration): string {
  let s = "P";
  if (d.years) s += `${d.years}Y`;
  if (d.months) s += `${d.months}M`;
  if (d.days) s += `${d.days}D`;
  if (d.seconds || s === "P") {
    const neg = d.seconds < 0;
    const abs = Math.abs(d.seconds);
    const h = Math.floor(abs / HOUR_SECONDS);
    const m = Math.floor((abs % HOUR_SECONDS) / 60);
    const sec = abs % 60;
    const sign = neg ? "-" : "";
    s += "T";
    if (h) s += `${sign}${h}H`;
    if (m) s += `${sign}${m}M`;
    if (sec || (!h && !m)) s += `${sign}${sec}S`;
  }
  return s;
}
