/**
 * `date_spec` checks (pe_cron_range_satisfied in Pacemaker 2.1.5) and the search for the next
 * time a date_spec's result changes (Pacemaker 2.1.5 does not compute that; Atrium does, so a
 * recheck can be scheduled exactly).
 * @module
 */
import type { CibElement } from "../model.ts";
import { scanLongLong } from "./_scan.ts";
import {
  addDays,
  addMonths,
  addSeconds,
  type CrmTime,
  HOUR_SECONDS,
  timeOfDay,
  toGregorian,
  toIsoWeek,
} from "./iso8601.ts";

/** The date_spec fields in the order Pacemaker checks them. */
export const DATE_SPEC_FIELDS = [
  "years",
  "months",
  "monthdays",
  "hours",
  "minutes",
  "seconds",
  "yeardays",
  "weekyears",
  "weeks",
  "weekdays",
  "moon",
] as const;

/** A date_spec field name. */
export type DateSpecField = (typeof DATE_SPEC_FIELDS)[number];

/** A parsed range: `low`/`high` of -1 mean open-ended, like pcmk__parse_ll_range. */
export interface Range {
  readonly low: number;
  readonly high: number;
}

/**
 * pcmk__parse_ll_range: "N", "N-M", "N-", "-M"; `undefined` for anything else.
 * @example parseRange("9-16") // { low: 9, high: 16 }
 */
export function parseRange(text: string): Range | undefined {
  if (text === "" || text === "-") return undefined;
  const whole = (s: string): number | undefined => {
    const r = scanLongLong(s);
    return r.ok && r.end === s.length ? Number(r.value) : undefined;
  };
  if (text[0] === "-") {
    const high = whole(text.slice(1));
    return high === undefined ? undefined : { low: -1, high };
  }
  const first = scanLongLong(text);
  if (!first.ok) return undefined;
  const low = Number(first.value);
  const rest = text.slice(first.end);
  if (rest === "") return { low, high: low };
  if (rest[0] !== "-") return undefined;
  if (rest.length === 1) return { low, high: -1 };
  const high = whole(rest.slice(1));
  return high === undefined ? undefined : { low, high };
}

/**
 * Phase of the moon, 0 (new) to 7, 4 being full, from the year and ordinal day.
 * @example moonPhase(parseDateTime("2005-01-25")) // 4 (full)
 */
export function moonPhase(t: CrmTime): number {
  const goldn = (t.years % 19) + 1;
  let epact = (11 * goldn + 18) % 30;
  if ((epact === 25 && goldn > 11) || epact === 24) epact++;
  return ((((t.days + epact) * 6 + 11) % 177) / 22 | 0) & 7;
}

/**
 * The value of each date_spec field for `t` (from its local fields).
 * @example fieldValues(parseDateTime("2005-020")).weekdays // 4
 */
export function fieldValues(t: CrmTime): Record<DateSpecField, number> {
  const g = toGregorian(t);
  const tod = timeOfDay(t);
  const w = toIsoWeek(t);
  return {
    years: g.year,
    months: g.month,
    monthdays: g.day,
    hours: tod.hours,
    minutes: tod.minutes,
    seconds: tod.seconds,
    yeardays: t.days,
    weekyears: w.year,
    weeks: w.week,
    weekdays: w.weekday,
    moon: moonPhase(t),
  };
}

/**
 * Ranges of the date_spec's fields that parse; unparsable fields are ignored, as Pacemaker does.
 * @example specRanges(dateSpecElement).get("hours") // { low: 9, high: 16 }
 */
export function specRanges(spec: CibElement | undefined): Map<DateSpecField, Range> {
  const ranges = new Map<DateSpecField, Range>();
  if (spec === undefined) return ranges;
  for (const f of DATE_SPEC_FIELDS) {
    const text = spec.attrs[f];
    if (text === undefined) continue;
    const r = parseRange(text);
    if (r !== undefined) ranges.set(f, r);
  }
  return ranges;
}

function inRange(v: number, r: Range): boolean {
  if (r.low === r.high) return v === r.low;
  if (r.low !== -1 && r.high !== -1) return v >= r.low && v <= r.high;
  if (r.low === -1) return v <= r.high;
  return v >= r.low;
}

/**
 * The first field (in Pacemaker's order) whose range does not hold at `t`, or `undefined`.
 * @example failingField(now, specRanges(spec)) // "hours" or undefined
 */
export function failingField(t: CrmTime, ranges: Map<DateSpecField, Range>): DateSpecField | undefined {
  if (ranges.size === 0) return undefined;
  const values = fieldValues(t);
  for (const [f, r] of ranges) {
    if (!inRange(values[f], r)) return f;
  }
  return undefined;
}

type Unit = "second" | "minute" | "hour" | "day" | "month" | "year";
const UNIT_OF: Record<DateSpecField, Unit> = {
  years: "year",
  months: "month",
  monthdays: "day",
  hours: "hour",
  minutes: "minute",
  seconds: "second",
  yeardays: "day",
  weekyears: "day",
  weeks: "day",
  weekdays: "day",
  moon: "day",
};
const UNIT_ORDER: readonly Unit[] = ["second", "minute", "hour", "day", "month", "year"];

/** Start of the next `unit` after `t`, in `t`'s representation. */
function nextBoundary(t: CrmTime, unit: Unit): CrmTime {
  switch (unit) {
    case "second":
      return addSeconds(t, 1);
    case "minute":
      return addSeconds(t, 60 - (t.seconds % 60));
    case "hour":
      return addSeconds(t, HOUR_SECONDS - (t.seconds % HOUR_SECONDS));
    case "day":
      return addDays({ ...t, seconds: 0 }, 1);
    case "month": {
      const g = toGregorian(t);
      const first = { ...t, days: t.days - g.day + 1, seconds: 0 };
      return addMonths(first, 1);
    }
    case "year":
      return { years: t.years + 1, days: 1, seconds: 0, offset: t.offset };
  }
}

/** Most evaluation steps the next-change search takes before giving up. */
const MAX_STEPS = 4000;

/**
 * The earliest time after `now` at which the date_spec's result differs from its result at
 * `now`, or `undefined` when it never changes (no usable fields) or the search gives up.
 * While failing, it skips to the next boundary of the coarsest failing field (nothing can
 * pass before it); while passing, it walks the boundaries of the finest field.
 * @example dateSpecNextChange(now, specRanges(spec)) // next flip, or undefined
 */
export function dateSpecNextChange(now: CrmTime, ranges: Map<DateSpecField, Range>): CrmTime | undefined {
  if (ranges.size === 0) return undefined;
  const passingNow = failingField(now, ranges) === undefined;
  let finest: Unit = "year";
  for (const f of ranges.keys()) {
    const u = UNIT_OF[f];
    if (UNIT_ORDER.indexOf(u) < UNIT_ORDER.indexOf(finest)) finest = u;
  }
  let t = now;
  for (let step = 0; step < MAX_STEPS; step++) {
    let unit = finest;
    if (!passingNow) {
      // skip by the coarsest failing field: the result cannot pass before its next boundary
      const values = fieldValues(t);
      let coarsest: Unit | undefined;
      for (const [f, r] of ranges) {
        if (inRange(values[f], r)) continue;
        const u = UNIT_OF[f];
        if (coarsest === undefined || UNIT_ORDER.indexOf(u) > UNIT_ORDER.indexOf(coarsest)) coarsest = u;
      }
      if (coarsest !== undefined) unit = coarsest;
    }
    t = nextBoundary(t, unit);
    const passing = failingField(t, ranges) === undefined;
    if (passing !== passingNow) return t;
  }
  return undefined;
}
