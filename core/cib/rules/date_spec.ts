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
  compareTimes,
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
 * The value of one date_spec field for `t` (from its local fields).
 * @example fieldValue(parseDateTime("2005-020"), "weekdays") // 4
 */
export function fieldValue(t: CrmTime, field: DateSpecField): number {
  switch (field) {
    case "years":
      return t.years;
    case "months":
      return toGregorian(t).month;
    case "monthdays":
      return toGregorian(t).day;
    case "hours":
      return timeOfDay(t).hours;
    case "minutes":
      return timeOfDay(t).minutes;
    case "seconds":
      return timeOfDay(t).seconds;
    case "yeardays":
      return t.days;
    case "weekyears":
      return toIsoWeek(t).year;
    case "weeks":
      return toIsoWeek(t).week;
    case "weekdays":
      return toIsoWeek(t).weekday;
    case "moon":
      return moonPhase(t);
  }
}

/**
 * The value of each date_spec field for `t` (from its local fields).
 * @example fieldValues(parseDateTime("2005-020")).weekdays // 4
 */
export function fieldValues(t: CrmTime): Record<DateSpecField, number> {
  const out = {} as Record<DateSpecField, number>;
  for (const f of DATE_SPEC_FIELDS) out[f] = fieldValue(t, f);
  return out;
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
  for (const [f, r] of ranges) {
    if (!inRange(fieldValue(t, f), r)) return f;
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

/** Most evaluation steps the search for a first passing time takes before giving up. */
const MAX_STEPS = 4000;
/** How many boundaries of its own unit a passing field is followed before it counts as always passing. */
const FIELD_STEPS: Record<Unit, number> = {
  second: 61,
  minute: 61,
  hour: 25,
  day: 800,
  month: 25,
  year: 100,
};

/**
 * The earliest time after `now` at which the date_spec's result differs from its result at
 * `now`, or `undefined` when it never changes (no usable fields) or the search gives up.
 * While passing, each field is followed along its own unit's boundaries to where it first
 * fails (a field's value only changes there) and the earliest such time wins. While failing,
 * the search skips to the next boundary of the coarsest failing field (nothing can pass
 * before it) until every field passes.
 * @example dateSpecNextChange(now, specRanges(spec)) // next flip, or undefined
 */
export function dateSpecNextChange(now: CrmTime, ranges: Map<DateSpecField, Range>): CrmTime | undefined {
  if (ranges.size === 0) return undefined;
  if (failingField(now, ranges) === undefined) {
    let best: CrmTime | undefined;
    for (const [f, r] of ranges) {
      const unit = UNIT_OF[f];
      let t = now;
      for (let step = 0; step < FIELD_STEPS[unit]; step++) {
        t = nextBoundary(t, unit);
        if (best !== undefined && compareTimes(t, best) >= 0) break;
        if (!inRange(fieldValue(t, f), r)) {
          best = t;
          break;
        }
      }
    }
    return best;
  }
  let t = now;
  for (let step = 0; step < MAX_STEPS; step++) {
    let coarsest: Unit | undefined;
    for (const [f, r] of ranges) {
      if (inRange(fieldValue(t, f), r)) continue;
      const u = UNIT_OF[f];
      if (coarsest === undefined || UNIT_ORDER.indexOf(u) > UNIT_ORDER.indexOf(coarsest)) coarsest = u;
    }
    if (coarsest === undefined) return t;
    t = nextBoundary(t, coarsest);
  }
  return undefined;
}
