/**
 * Parsing ISO 8601 date/times, durations and intervals exactly as Pacemaker 2.1.5 accepts them
 * (crm_time_new, crm_time_parse_duration, crm_time_parse_period).
 *
 * Accepted date/times: calendar `2005-01-20` and `20050120`, ordinal `2005-020`, week
 * `2005-W03-4`, `epoch`, each optionally followed by `T` or a space and a time `11:30`,
 * `11:30:00`, `113000` (fractions of a second are ignored; `24:00:00` is the next midnight),
 * then an offset. A time alone (`T11:30`, `11:30:00`) takes today's date.
 *
 * Offsets follow Pacemaker's rule, which is narrower than ISO 8601: `Z` anywhere in the time,
 * or an offset separated by a space (`2019-09-23 18:00:00 -05:00`). An offset written
 * directly after the time (`11:30+01:00`) is ignored, and a time without a usable offset is
 * local time: the local offset *now* (not at that date), as crm_time computes it. A date
 * without a time is midnight UTC. Pass `localOffset` to make parsing independent of the
 * runtime's time zone.
 *
 * Failures throw `SyntaxError` quoting the input and the position.
 *
 * @example
 * ```ts
 * parseDateTime("2005-020T11:30", { localOffset: 0 });   // { years: 2005, days: 20, seconds: 41400, offset: 0 }
 * parseDuration("P1Y2M3DT4H5M6S");                       // { years: 1, months: 2, days: 3, seconds: 14706 }
 * parseInterval("2005-040/P1M").end;                      // 2005-03-09 00:00:00Z
 * ```
 */
import {
  addDays,
  addDuration,
  clockNow,
  type CrmTime,
  DAY_SECONDS,
  daysInMonth,
  type Duration,
  fromEpochSeconds,
  HOUR_SECONDS,
  type Interval,
  isValidTime,
  january1Weekday,
  localOffsetAt,
  ordinalDay,
  subtractDuration,
  weeksInYear,
  yearDays,
} from "./iso8601.ts";
import { isDigit, isSpace, scanLongLong, sscanf } from "./_scan.ts";

/** Options for parsing date/times. */
export interface ParseOptions {
  /** Offset (seconds east of UTC) for times given without one; default: the runtime's local offset now. */
  readonly localOffset?: number;
  /** The current time, used for a time given without a date and a duration-only interval; default: the clock. */
  readonly now?: CrmTime | (() => CrmTime);
}

function fail(kind: string, input: string, pos: number, reason: string): never {
  throw new SyntaxError(
    `Cannot parse ISO 8601 ${kind} ${JSON.stringify(input)} at position ${pos}: ${reason}`,
  );
}

function currentTime(options: ParseOptions): CrmTime {
  const n = options.now;
  if (n === undefined) return clockNow();
  return typeof n === "function" ? n() : n;
}

function localOffset(options: ParseOptions): number {
  return options.localOffset ?? localOffsetAt(Math.floor(Date.now() / 1000));
}

/** Parse h[:m[:s]] or hhmmss into seconds of the day (24:00:00 gives 86400). */
function parseSecondsOfDay(kind: string, input: string, s: string, base: number): number {
  let r = sscanf(s, "%d:%d:%d");
  if (r.count === 1) r = sscanf(s, "%2d%2d%2d");
  if (r.count === 0) fail(kind, input, base, 'expected a time of day such as "11:30:00"');
  const field = (i: number): number => r.values[i]?.value ?? 0;
  const where = (i: number): number => base + (r.values[i]?.start ?? 0);
  const [hour, minute, second] = [field(0), field(1), field(2)];
  if (hour === 24 && minute === 0 && second === 0) return DAY_SECONDS;
  if (hour < 0 || hour >= 24) fail(kind, input, where(0), `${hour} is not a valid hour`);
  if (minute < 0 || minute >= 60) fail(kind, input, where(1), `${minute} is not a valid minute`);
  if (second < 0 || second >= 60) fail(kind, input, where(2), `${second} is not a valid second`);
  return hour * HOUR_SECONDS + minute * 60 + second;
}

/** Apply the time part (after `T` or the space) to a date. */
function applyTime(input: string, ts: string, base: number, date: CrmTime, options: ParseOptions): CrmTime {
  const seconds = parseSecondsOfDay("date/time", input, ts, base);
  let offset: number;
  let offsetText: string | undefined;
  let offsetPos = base;
  const z = ts.indexOf("Z");
  if (z >= 0) {
    offsetText = ts.slice(z);
    offsetPos += z;
  } else {
    const sp = ts.indexOf(" ");
    if (sp >= 0) {
      let k = sp;
      while (isSpace(ts[k])) k++;
      offsetText = ts.slice(k);
      offsetPos += k;
    }
  }
  if (offsetText === undefined) {
    offset = localOffset(options);
  } else if (offsetText[0] === "Z") {
    offset = 0;
  } else if (offsetText[0] === "+" || offsetText[0] === "-" || isDigit(offsetText[0])) {
    const neg = offsetText[0] === "-";
    const digits = offsetText[0] === "+" || neg ? offsetText.slice(1) : offsetText;
    const v = parseSecondsOfDay("date/time", input, digits, offsetPos + (digits === offsetText ? 0 : 1));
    offset = neg ? -v : v;
  } else {
    offset = 0; // Pacemaker takes anything else after the space as UTC
  }
  let t: CrmTime = { years: date.years, days: date.days, seconds, offset };
  if (seconds === DAY_SECONDS) t = addDays({ ...t, seconds: 0 }, 1);
  return t;
}

/**
 * Parse an ISO 8601 date/time as Pacemaker 2.1.5 does (see the module notes for the accepted
 * forms and the offset rules).
 * @example parseDateTime("2014-05-07 00:28:00", { localOffset: 0 }) // 2014-127, 1680 s, offset 0
 * @throws {SyntaxError} when Pacemaker would reject the text
 */
export function parseDateTime(input: string, options: ParseOptions = {}): CrmTime {
  if (typeof input !== "string") {
    throw new TypeError(`Cannot parse date/time ${String(input)}: expected a string`);
  }
  const kind = "date/time";
  if (input.length === 0) fail(kind, input, 0, "the text is empty");
  if (input[0] === "T" || input[2] === ":") {
    const now = currentTime(options);
    const base = input[0] === "T" ? 1 : 0;
    return check(input, applyTime(input, input.slice(base), base, now, options));
  }
  if (/^epoch/i.test(input) && (input.length === 5 || input[5] === "/" || isSpace(input[5]))) {
    return { years: 1970, days: 1, seconds: 0, offset: 0 };
  }
  let date: CrmTime | undefined;
  let r = sscanf(input, "%d-%d-%d");
  if (r.count === 1) r = sscanf(input, "%4d%2d%2d");
  if (r.count === 3) {
    const [y, m, d] = r.values.map((v) => v.value) as [number, number, number];
    if (m > 12) fail(kind, input, r.values[1]?.start ?? 0, `${m} is not a valid month`);
    if (d > daysInMonth(m, y)) {
      fail(kind, input, r.values[2]?.start ?? 0, `${d} is not a valid day of the month`);
    }
    date = { years: y, days: ordinalDay(y, m, d), seconds: 0, offset: 0 };
  }
  if (date === undefined) {
    r = sscanf(input, "%d-%d");
    if (r.count === 2) {
      const [y, d] = r.values.map((v) => v.value) as [number, number];
      if (d > yearDays(y)) {
        fail(
          kind,
          input,
          r.values[1]?.start ?? 0,
          `${d} is not a valid day of the year (max ${yearDays(y)})`,
        );
      }
      date = { years: y, days: d, seconds: 0, offset: 0 };
    }
  }
  if (date === undefined) {
    r = sscanf(input, "%d-W%d-%d");
    if (r.count === 3) {
      const [y, w, d] = r.values.map((v) => v.value) as [number, number, number];
      if (w > weeksInYear(y)) {
        fail(
          kind,
          input,
          r.values[1]?.start ?? 0,
          `${w} is not a valid week of the year (max ${weeksInYear(y)})`,
        );
      }
      if (d < 1 || d > 7) fail(kind, input, r.values[2]?.start ?? 0, `${d} is not a valid day of the week`);
      const jan1 = january1Weekday(y);
      const extra = (w - 1) * 7 + (jan1 <= 4 ? 1 - jan1 : 8 - jan1) + d;
      date = addDays({ years: y, days: 0, seconds: 0, offset: 0 }, extra);
    }
  }
  if (date === undefined) {
    fail(kind, input, 0, 'expected a date such as "2005-01-20", "2005-020" or "2005-W03-4"');
  }
  let p = 0;
  while (p < input.length && "0123456789-W".includes(input[p] as string)) p++;
  if (input[p] === " " || input[p] === "T") date = applyTime(input, input.slice(p + 1), p + 1, date, options);
  return check(input, date);
}

function check(input: string, t: CrmTime): CrmTime {
  if (!isValidTime(t)) fail("date/time", input, 0, "the date or time is out of range");
  return t;
}

/**
 * Parse an ISO 8601 duration as Pacemaker 2.1.5 does: `P` then numbers with units `Y`, `M`
 * (months before `T`, minutes after), `W`, `D`, `H`, `S`, in any order; the text ends at `/`
 * or white space. Fractions are not supported (`PT1.5H` is rejected).
 * @example parseDuration("PT30M") // { years: 0, months: 0, days: 0, seconds: 1800 }
 * @throws {SyntaxError} when Pacemaker would reject the text
 */
export function parseDuration(input: string): Duration {
  if (typeof input !== "string") {
    throw new TypeError(`Cannot parse duration ${String(input)}: expected a string`);
  }
  const kind = "duration";
  if (input.length === 0) fail(kind, input, 0, "the text is empty");
  if (input[0] !== "P") fail(kind, input, 0, 'a duration must start with "P"');
  if (input.length === 1 || isSpace(input[1])) fail(kind, input, 1, 'nothing follows "P"');
  let years = 0;
  let months = 0;
  let days = 0;
  let seconds = 0;
  let isTime = false;
  for (let i = 1; i < input.length && input[i] !== "/" && !isSpace(input[i]); i++) {
    if (input[i] === "T") {
      isTime = true;
      continue;
    }
    const n = durationInt(input, i);
    if (n === undefined) fail(kind, input, i, "expected an integer");
    i = n.end;
    const unit = input[i];
    switch (unit) {
      case "Y":
        years = n.value;
        break;
      case "M":
        if (isTime) seconds += n.value * 60;
        else months = n.value;
        break;
      case "W":
        days += n.value * 7;
        break;
      case "D":
        days += n.value;
        break;
      case "H":
        seconds += n.value * HOUR_SECONDS;
        break;
      case "S":
        seconds += n.value;
        break;
      case undefined:
        fail(kind, input, i, `no unit after ${n.value}`);
        break;
      default:
        fail(kind, input, i, `${JSON.stringify(unit)} is not a valid time unit`);
    }
  }
  return { years, months, days, seconds };
}

/** Pacemaker's parse_int for durations: up to 10 digits, an optional sign, a (broken) fraction form. */
function durationInt(s: string, pos: number): { value: number; end: number } | undefined {
  let i = pos;
  let neg = false;
  let fraction = false;
  if (s[i] === "." || s[i] === ",") {
    fraction = true;
    i++;
  } else if (s[i] === "-") {
    neg = true;
    i++;
  } else if (s[i] === "+" || s[i] === ":") {
    i++;
  }
  let value = 0;
  let count = 0;
  while ((fraction || count < 10) && isDigit(s[i])) {
    // a fraction's digits add nothing in Pacemaker 2.1.5 (its arithmetic rounds them to 0)
    if (!fraction) value = (value * 10 + Number(s[i])) | 0;
    count++;
    i++;
  }
  if (count === 0) return undefined;
  return { value: neg ? -value : value, end: i };
}

/**
 * Parse an ISO 8601 interval as Pacemaker 2.1.5 does: `start/end`, `start/duration`,
 * `duration/end`, or a duration alone (starting now).
 * @example parseInterval("2005-040/2005-043").end // 2005-043 00:00:00Z
 * @throws {SyntaxError} when Pacemaker would reject the text
 */
export function parseInterval(input: string, options: ParseOptions = {}): Interval {
  if (typeof input !== "string") {
    throw new TypeError(`Cannot parse interval ${String(input)}: expected a string`);
  }
  if (input.length === 0) fail("interval", input, 0, "the text is empty");
  let start: CrmTime | undefined;
  let end: CrmTime | undefined;
  let duration: Duration | undefined;
  if (input[0] === "P") duration = parseDuration(input);
  else start = parseDateTime(input, options);
  const slash = input.indexOf("/");
  if (slash >= 0) {
    const second = input.slice(slash + 1);
    if (second[0] === "P") {
      if (duration !== undefined) fail("interval", input, slash + 1, "it has two durations");
      duration = parseDuration(second);
    } else {
      end = parseDateTime(second, options);
    }
  } else if (duration !== undefined) {
    start = currentTime(options);
  } else {
    fail("interval", input, input.length, "it has no duration or end");
  }
  const s: CrmTime = start ?? subtractDuration(end as CrmTime, duration as Duration);
  const e: CrmTime = end ?? addDuration(s, duration as Duration);
  if (!isValidTime(s)) fail("interval", input, 0, "the start is out of range");
  if (!isValidTime(e)) fail("interval", input, slash + 1, "the end is out of range");
  return duration === undefined ? { start: s, end: e } : { start: s, end: e, duration };
}

/**
 * The effective "now" for a scheduler run, as crm_simulate chooses it: `value` (its `-t`
 * option) when given and not empty; otherwise the CIB's `execution-date` (epoch seconds, as
 * in the conformance corpus) when it is a non-zero integer; otherwise the clock. A time from
 * `execution-date` or the clock is in the runtime's local representation.
 * @example parseNow("2005-020T12:30", undefined, { localOffset: 0 }) // 2005-020 12:30:00Z
 * @example parseNow(undefined, "1568992252") // 2019-09-20 15:10:52Z (as an instant)
 * @throws {SyntaxError} when `value` is not a date/time Pacemaker accepts
 */
export function parseNow(
  value: string | undefined,
  cibExecutionDate?: string,
  options: ParseOptions = {},
): CrmTime {
  if (value !== undefined && value !== "") return parseDateTime(value, options);
  if (cibExecutionDate !== undefined) {
    const r = scanLongLong(cibExecutionDate);
    if (r.ok && r.value !== 0n) {
      const secs = Number(r.value);
      return fromEpochSeconds(secs, options.localOffset);
    }
  }
  return currentTime(options);
}

/**
 * Parse a date/time, returning `undefined` instead of throwing (Pacemaker's rules treat an
 * unparsable date as absent).
 * @example tryParseDateTime("garbage") // undefined
 */
export function tryParseDateTime(input: string, options: ParseOptions = {}): CrmTime | undefined {
  try {
    return parseDateTime(input, options);
  } catch (e) {
    if (e instanceof SyntaxError) return undefined;
    throw e;
  }
}
