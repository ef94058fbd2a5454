/**
 * Alert timestamps as Pacemaker 2.1.5 formats them: strftime(3) in local time (C locale) plus
 * `%<digits>N`, the first <digits> (at most 6) of the zero-padded microseconds. A bare `%N`
 * (no digits) prints nothing, as in Pacemaker.
 * @module
 */

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

function pad(n: number, width: number, fill = "0"): string {
  const s = String(Math.abs(n));
  return (n < 0 ? "-" : "") + (s.length >= width ? s : fill.repeat(width - s.length) + s);
}

function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  const a = Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  const b = Date.UTC(start.getFullYear(), 0, 1);
  return Math.round((a - b) / 86_400_000); // 0-based
}

/** ISO 8601 week-based year and week number. */
function isoWeek(d: Date): { year: number; week: number } {
  const t = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  const dow = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - dow);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return { year: t.getUTCFullYear(), week: Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7) };
}

function tzOffset(d: Date): string {
  const off = -d.getTimezoneOffset();
  const a = Math.abs(off);
  return `${off < 0 ? "-" : "+"}${pad(Math.floor(a / 60), 2)}${pad(a % 60, 2)}`;
}

function tzName(d: Date): string {
  try {
    const part = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" }).formatToParts(d)
      .find((p) => p.type === "timeZoneName");
    return part?.value ?? "";
  } catch {
    return "";
  }
}

/** One strftime conversion in the C locale; undefined for an unknown one (printed verbatim). */
function conversion(c: string, d: Date): string | undefined {
  const h = d.getHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  switch (c) {
    case "a": return DAYS[d.getDay()]!.slice(0, 3);
    case "A": return DAYS[d.getDay()]!;
    case "b": case "h": return MONTHS[d.getMonth()]!.slice(0, 3);
    case "B": return MONTHS[d.getMonth()]!;
    case "c": return `${conversion("a", d)} ${conversion("b", d)} ${pad(d.getDate(), 2, " ")} ${conversion("T", d)} ${d.getFullYear()}`;
    case "C": return pad(Math.floor(d.getFullYear() / 100), 2);
    case "d": return pad(d.getDate(), 2);
    case "D": case "x": return `${pad(d.getMonth() + 1, 2)}/${pad(d.getDate(), 2)}/${pad(d.getFullYear() % 100, 2)}`;
    case "e": return pad(d.getDate(), 2, " ");
    case "F": return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)}`;
    case "g": return pad(isoWeek(d).year % 100, 2);
    case "G": return String(isoWeek(d).year);
    case "H": return pad(h, 2);
    case "I": return pad(h12, 2);
    case "j": return pad(dayOfYear(d) + 1, 3);
    case "k": return pad(h, 2, " ");
    case "l": return pad(h12, 2, " ");
    case "m": return pad(d.getMonth() + 1, 2);
    case "M": return pad(d.getMinutes(), 2);
    case "n": return "\n";
    case "p": return h < 12 ? "AM" : "PM";
    case "P": return h < 12 ? "am" : "pm";
    case "r": return `${pad(h12, 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)} ${h < 12 ? "AM" : "PM"}`;
    case "R": return `${pad(h, 2)}:${pad(d.getMinutes(), 2)}`;
    case "s": return String(Math.floor(d.getTime() / 1000));
    case "S": return pad(d.getSeconds(), 2);
    case "t": return "\t";
    case "T": case "X": return `${pad(h, 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}`;
    case "u": return String(d.getDay() || 7);
    case "U": return pad(Math.floor((dayOfYear(d) + 7 - d.getDay()) / 7), 2);
    case "V": return pad(isoWeek(d).week, 2);
    case "w": return String(d.getDay());
    case "W": return pad(Math.floor((dayOfYear(d) + 7 - ((d.getDay() + 6) % 7)) / 7), 2);
    case "y": return pad(d.getFullYear() % 100, 2);
    case "Y": return String(d.getFullYear());
    case "z": return tzOffset(d);
    case "Z": return tzName(d);
    case "%": return "%";
    default: return undefined;
  }
}

/** Pacemaker's limit on a formatted alert timestamp, in characters. */
const MAX_LENGTH = 128;

/**
 * Format an alert timestamp. `epochMs` is the whole-millisecond time; `usec` the microseconds
 * within the second (0-999999). Returns undefined when the result is empty (Pacemaker then
 * leaves CRM_alert_timestamp unset).
 *
 * @example
 * ```ts
 * formatAlertTimestamp("%H:%M:%S.%06N", Date.UTC(2026, 0, 1, 12, 3, 4), 5678); // "12:03:04.005678" in UTC
 * ```
 */
export function formatAlertTimestamp(format: string, epochMs: number, usec: number): string | undefined {
  const d = new Date(epochMs);
  const micro = String(Math.max(0, Math.min(999_999, Math.trunc(usec)))).padStart(6, "0");
  let out = "";
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch !== "%") {
      out += ch;
      continue;
    }
    let j = i + 1;
    while (j < format.length && format[j]! >= "0" && format[j]! <= "9") j++;
    const digits = format.slice(i + 1, j);
    const c = format[j];
    if (c === undefined) {
      out += format.slice(i);
      break;
    }
    if (c === "N") out += micro.slice(0, Math.min(6, digits === "" ? 0 : Number(digits)));
    else {
      const v = conversion(c, d);
      out += v ?? format.slice(i, j + 1);
    }
    i = j;
  }
  if (out.length > MAX_LENGTH) out = out.slice(0, MAX_LENGTH);
  return out === "" ? undefined : out;
}

/**
 * Split an ISO 8601 time (with up to microsecond precision) into epoch ms and the microseconds
 * of its second; undefined when it does not parse.
 */
export function parseEventTime(iso: string): { epochMs: number; usec: number } | undefined {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(iso.trim());
  if (m === null) return undefined;
  const base = Date.parse(`${m[1]}${m[3] ?? ""}`);
  if (Number.isNaN(base)) return undefined;
  const frac = (m[2] ?? "").slice(0, 6).padEnd(6, "0");
  const usec = Number(frac);
  return { epochMs: base + Math.floor(usec / 1000), usec };
}
