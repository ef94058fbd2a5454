/**
 * ISO 8601 date/time values and calendar arithmetic with the semantics of Pacemaker 2.1.5's
 * `crm_time` (lib/common/iso8601.c).
 *
 * A {@link CrmTime} is kept the way Pacemaker keeps it: a calendar year, an ordinal day of that
 * year (1-366), the seconds of that day and the offset from UTC (seconds east), all in the
 * time's own local representation. Second precision only. Comparisons convert both sides to
 * UTC first; date_spec checks (hours, weekdays, ...) read the local fields as they are.
 *
 * Arithmetic follows crm_time exactly, including its quirks: adding months keeps the day of
 * the month unless the target month is shorter (Jan 31 + 1 month = Feb 28/29); adding years
 * keeps the ordinal day (Feb 29 2004 + 1 year = Mar 1 2005).
 *
 * Parsing lives in `iso8601_parse.ts`, formatting in `iso8601_format.ts`.
 *
 * @example
 * ```ts
 * const t = parseDateTime("2005-01-31");
 * formatDateTime(addDuration(t, parseDuration("P1M")));   // "2005-02-28 00:00:00Z"
 * ```
 */

/** A date and time of day, as crm_time keeps it (all fields in the time's local representation). */
export interface CrmTime {
  /** Calendar year. */
  readonly years: number;
  /** Ordinal day of the year, 1-366. */
  readonly days: number;
  /** Seconds since local midnight, 0-86399. */
  readonly seconds: number;
  /** Offset from UTC in seconds east (for example 3600 for +01:00). */
  readonly offset: number;
}

/** An ISO 8601 duration as crm_time keeps it: years, months, days and seconds, each signed. */
export interface Duration {
  readonly years: number;
  readonly months: number;
  readonly days: number;
  readonly seconds: number;
}

/** A time interval: start and end, plus the duration when one was given. */
export interface Interval {
  readonly start: CrmTime;
  readonly end: CrmTime;
  readonly duration?: Duration;
}

/** Seconds in an hour. */
export const HOUR_SECONDS = 3600;
/** Seconds in a day. */
export const DAY_SECONDS = 86400;
/** Seconds from 0001-01-01 00:00:00Z to the Unix epoch, as crm_time counts them. */
const EPOCH_SECONDS = 62135596800;
const DAYS_PER_400Y = 146097;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/**
 * True for a Gregorian leap year.
 * @example isLeapYear(2004) // true
 */
export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * Number of days in `year` (365 or 366).
 * @example yearDays(2004) // 366
 */
export function yearDays(year: number): number {
  return isLeapYear(year) ? 366 : 365;
}

/**
 * Days in month `month` (1-12) of `year`; 0 for a month outside 1-12, as crm_time answers.
 * @example daysInMonth(2, 2004) // 29
 */
export function daysInMonth(month: number, year: number): number {
  if (month < 1 || month > 12) return 0;
  if (month === 2 && isLeapYear(year)) return 29;
  return MONTH_DAYS[month - 1] ?? 0;
}

/**
 * Weekday of January 1 of `year` (Monday = 1 ... Sunday = 7).
 * @example january1Weekday(2009) // 4 (Thursday)
 */
export function january1Weekday(year: number): number {
  const yy = (year - 1) % 100;
  const c = year - 1 - yy;
  const g = yy + Math.trunc(yy / 4);
  return 1 + ((((Math.trunc(c / 100) % 4) * 5) + g) % 7);
}

/**
 * Number of ISO weeks (52 or 53) in `year`.
 * @example weeksInYear(2009) // 53
 */
export function weeksInYear(year: number): number {
  if (january1Weekday(year) === 4) return 53;
  return january1Weekday(year + 1) === 5 ? 53 : 52;
}

/**
 * Ordinal day of the year for a Gregorian date (no range checks, as crm_time computes it).
 * @example ordinalDay(2005, 2, 1) // 32
 */
export function ordinalDay(year: number, month: number, day: number): number {
  let d = day;
  const last = Math.min(month, 13); // months past 12 have no days
  for (let m = 1; m < last; m++) d += daysInMonth(m, year);
  return d;
}

/**
 * True when `t` is a sensible date/time: ordinal day within its year, seconds within the day.
 * @example isValidTime({ years: 2005, days: 366, seconds: 0, offset: 0 }) // false
 */
export function isValidTime(t: CrmTime): boolean {
  return t.days > 0 && t.days <= yearDays(t.years) && t.seconds >= 0 && t.seconds < DAY_SECONDS;
}

/** Shift a year/ordinal-day pair by `extra` days, normalizing the ordinal day into its year. */
function shiftDays(years: number, days: number, extra: number): { years: number; days: number } {
  let y = years;
  let d = days + extra;
  while (d > DAYS_PER_400Y + 366) {
    d -= DAYS_PER_400Y;
    y += 400;
  }
  while (d < -DAYS_PER_400Y) {
    d += DAYS_PER_400Y;
    y -= 400;
  }
  let ydays = yearDays(y);
  while (d > ydays) {
    y++;
    d -= ydays;
    ydays = yearDays(y);
  }
  while (d < 1) {
    y--;
    d += yearDays(y);
  }
  return { years: y, days: d };
}

/**
 * Add `extra` days (may be negative); the result is normalized like crm_time_add_days.
 * @example addDays(parseDateTime("2004-12-31"), 1) // 2005-001
 */
export function addDays(t: CrmTime, extra: number): CrmTime {
  const { years, days } = shiftDays(t.years, t.days, extra);
  return { years, days, seconds: t.seconds, offset: t.offset };
}

/**
 * Add `extra` seconds (may be negative), carrying into days like crm_time_add_seconds.
 * @example addSeconds(parseDateTime("2005-12-31T23:59:59Z"), 1) // 2006-001 00:00:00
 */
export function addSeconds(t: CrmTime, extra: number): CrmTime {
  const total = t.seconds + extra;
  let days = Math.trunc(total / DAY_SECONDS);
  let seconds = total % DAY_SECONDS;
  if (seconds < 0) {
    seconds += DAY_SECONDS;
    days--;
  }
  const shifted = shiftDays(t.years, t.days, days);
  return { years: shifted.years, days: shifted.days, seconds: seconds + 0, offset: t.offset };
}

/**
 * Add `extra` years, keeping the ordinal day as crm_time does (the result is not normalized:
 * day 366 may land in a common year; the next day or month step normalizes it).
 * @example addYears(parseDateTime("2004-02-29"), 1) // 2005-060 = 2005-03-01
 */
export function addYears(t: CrmTime, extra: number): CrmTime {
  return { years: t.years + extra, days: t.days, seconds: t.seconds, offset: t.offset };
}

/** A Gregorian calendar date. */
export interface GregorianDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/**
 * The Gregorian date of `t`'s local fields (crm_time_get_gregorian; an out-of-range ordinal day
 * yields month 13, which addMonths then clamps the way crm_time does).
 * @example toGregorian(parseDateTime("2005-020")) // { year: 2005, month: 1, day: 20 }
 */
export function toGregorian(t: CrmTime): GregorianDate {
  let month = 1;
  let day = t.days;
  for (month = 1; month <= 12 && day > 0; month++) {
    const mdays = daysInMonth(month, t.years);
    if (mdays >= day) break;
    day -= mdays;
  }
  return { year: t.years, month, day };
}

/**
 * Add `extra` months (may be negative): the day of the month is kept unless the target month
 * is shorter, then it becomes that month's last day (Jan 31 + 1 month = Feb 28 or 29).
 * @example toGregorian(addMonths(parseDateTime("2004-01-31"), 1)) // { year: 2004, month: 2, day: 29 }
 */
export function addMonths(t: CrmTime, extra: number): CrmTime {
  const g = toGregorian(t);
  let y = g.year;
  let m = g.month;
  let d = g.day;
  if (extra > 0 && m > 12) {
    // an unnormalized ordinal day gives month 13; crm_time then counts on without wrapping
    m += extra;
  } else if (extra !== 0) {
    const total = m - 1 + extra;
    y += Math.floor(total / 12);
    m = (((total % 12) + 12) % 12) + 1;
  }
  const dmax = daysInMonth(m, y);
  if (dmax < d) d = dmax;
  return { years: y, days: ordinalDay(y, m, d), seconds: t.seconds, offset: t.offset };
}

/** An ISO week date. */
export interface IsoWeekDate {
  readonly year: number;
  readonly week: number;
  /** Monday = 1 ... Sunday = 7. */
  readonly weekday: number;
}

/**
 * The ISO week date of `t`'s local fields (crm_time_get_isoweek).
 * @example toIsoWeek(parseDateTime("2008-12-29")) // { year: 2009, week: 1, weekday: 1 }
 */
export function toIsoWeek(t: CrmTime): IsoWeekDate {
  const jan1 = january1Weekday(t.years);
  const h = t.days + jan1 - 1;
  const weekday = 1 + ((h - 1) % 7);
  let year = t.years;
  let week = 0;
  if (t.days <= 8 - jan1 && jan1 > 4) {
    year = t.years - 1;
    week = weeksInYear(year);
  }
  if (year === t.years) {
    const dmax = yearDays(year);
    if (dmax - t.days < 4 - weekday) {
      year = t.years + 1;
      week = 1;
    }
  }
  if (year === t.years) {
    const j = t.days + (7 - weekday) + (jan1 - 1);
    week = Math.trunc(j / 7);
    if (jan1 > 4) week -= 1;
  }
  return { year, week, weekday };
}

/**
 * Hours, minutes and seconds of `t`'s local time of day.
 * @example timeOfDay(parseDateTime("2005-020T11:30Z")) // { hours: 11, minutes: 30, seconds: 0 }
 */
export function timeOfDay(t: CrmTime): { hours: number; minutes: number; seconds: number } {
  const s = Math.abs(t.seconds);
  return {
    hours: Math.floor(s / HOUR_SECONDS),
    minutes: Math.floor((s % HOUR_SECONDS) / 60),
    seconds: s % 60,
  };
}

/**
 * The same instant with offset 0 (crm_get_utc_time: a time already at offset 0 is returned
 * with its fields untouched, even an unnormalized ordinal day).
 * @example toUtc(parseDateTime("2005-020T00:30 +01:00")) // 2005-019 23:30:00Z
 */
export function toUtc(t: CrmTime): CrmTime {
  if (t.offset === 0) return { years: t.years, days: t.days, seconds: t.seconds, offset: 0 };
  const shifted = addSeconds({ years: t.years, days: t.days, seconds: t.seconds, offset: 0 }, -t.offset);
  return shifted;
}

/**
 * Compare two times as instants: -1 when `a` is earlier, 1 when later, 0 when equal.
 * @example compareTimes(parseDateTime("2005-020T12:00Z"), parseDateTime("2005-020T12:30 +01:00")) // 1
 */
export function compareTimes(a: CrmTime, b: CrmTime): -1 | 0 | 1 {
  const ua = toUtc(a);
  const ub = toUtc(b);
  if (ua.years !== ub.years) return ua.years > ub.years ? 1 : -1;
  if (ua.days !== ub.days) return ua.days > ub.days ? 1 : -1;
  if (ua.seconds !== ub.seconds) return ua.seconds > ub.seconds ? 1 : -1;
  return 0;
}

/**
 * Seconds since the Unix epoch (crm_time_get_seconds_since_epoch).
 * @example toEpochSeconds(parseDateTime("2005-020")) // 1106179200
 */
export function toEpochSeconds(t: CrmTime): number {
  const u = toUtc(t);
  let s = 0;
  if (u.years > 1) {
    const y = u.years - 1;
    s += (y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400)) * DAY_SECONDS;
  }
  if (u.days > 0) s += (u.days - 1) * DAY_SECONDS;
  return s + u.seconds - EPOCH_SECONDS;
}

/**
 * The local offset (seconds east of UTC) of this runtime's time zone at an epoch second.
 * @example localOffsetAt(0) // 0 when TZ is UTC
 */
export function localOffsetAt(epochSeconds: number): number {
  const minutes = new Date(epochSeconds * 1000).getTimezoneOffset();
  return minutes === 0 ? 0 : -minutes * 60;
}

/**
 * The time at an epoch second, in the representation of `offset` (default: this runtime's
 * local offset at that instant, as localtime() gives it).
 * @example fromEpochSeconds(1106179200, 0) // { years: 2005, days: 20, seconds: 0, offset: 0 }
 */
export function fromEpochSeconds(epochSeconds: number, offset?: number): CrmTime {
  const raw = offset ?? localOffsetAt(epochSeconds);
  const off = Math.trunc(raw / HOUR_SECONDS) * HOUR_SECONDS + Math.trunc((raw % HOUR_SECONDS) / 60) * 60;
  const local = Math.floor(epochSeconds) + raw;
  const dayNumber = Math.floor(local / DAY_SECONDS);
  const seconds = local - dayNumber * DAY_SECONDS;
  const { years, days } = shiftDays(1970, 1, dayNumber);
  return { years, days, seconds, offset: off === 0 ? 0 : off };
}

/**
 * Convert to a JavaScript Date (the instant; the offset is not kept).
 * @example toDate(parseDateTime("epoch")).getTime() // 0
 */
export function toDate(t: CrmTime): Date {
  return new Date(toEpochSeconds(t) * 1000);
}

/**
 * Convert a JavaScript Date (milliseconds dropped) to a time in the representation of `offset`
 * (default: this runtime's local offset at that instant).
 * @example fromDate(new Date(0), 0) // 1970-001 00:00:00Z
 */
export function fromDate(d: Date, offset?: number): CrmTime {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) {
    throw new RangeError(`Cannot convert date "${String(d)}": it is not a valid Date`);
  }
  return fromEpochSeconds(Math.floor(ms / 1000), offset);
}

/**
 * The current time in this runtime's local representation (what crm_time_new(NULL) gives).
 * @example const now = clockNow();
 */
export function clockNow(): CrmTime {
  return fromEpochSeconds(Math.floor(Date.now() / 1000));
}

/**
 * Add a duration, in crm_time_add's order: years (ordinal day kept), months, days, seconds.
 * @example formatDateTime(addDuration(parseDateTime("2005-01-31"), parseDuration("P1M"))) // "2005-02-28 00:00:00Z"
 */
export function addDuration(t: CrmTime, d: Duration): CrmTime {
  let r = addYears(t, d.years);
  r = addMonths(r, d.months);
  r = addDays(r, d.days);
  return addSeconds(r, d.seconds);
}

/**
 * Subtract a duration, in crm_time_subtract's order: years, months, days, seconds.
 * @example formatDateTime(subtractDuration(parseDateTime("2005-043"), parseDuration("P1D"))) // "2005-02-11 00:00:00Z"
 */
export function subtractDuration(t: CrmTime, d: Duration): CrmTime {
  let r = addYears(t, -d.years);
  if (d.months !== 0) r = addMonths(r, -d.months);
  r = addDays(r, -d.days);
  return addSeconds(r, -d.seconds);
}
