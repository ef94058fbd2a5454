/**
 * Number scanning with the C library semantics Pacemaker relies on (sscanf `%d`, strtoll,
 * strtol, strtod). Pacemaker's acceptance of a value often depends on exactly these rules
 * (leading white space, a sign, trailing characters left over), so they are reproduced here.
 * @module
 */

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** Digits (and a sign) as C converts them to a long (clamped) and then stores them in an int. */
function toInt32(digits: string, neg: boolean): number {
  if (digits.length <= 9) return neg ? -Number(digits) : Number(digits);
  let v = BigInt(digits);
  if (neg) v = -v;
  if (v > INT64_MAX) v = INT64_MAX;
  if (v < INT64_MIN) v = INT64_MIN;
  return Number(BigInt.asIntN(32, v));
}

/** C isspace() in the C locale. */
export function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
}

/** C isdigit(). */
export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** One scanned integer: its value, where its text started (after white space) and ended. */
export interface Scanned {
  readonly value: number;
  readonly start: number;
  readonly end: number;
}

/**
 * sscanf `%d` (optionally `%Nd`) at `pos`: skip white space, optional sign, at least one digit,
 * at most `width` characters after the white space. The value is what glibc stores in an int.
 */
export function scanD(s: string, pos: number, width = Infinity): Scanned | undefined {
  let i = pos;
  while (isSpace(s[i])) i++;
  const start = i;
  let neg = false;
  if ((s[i] === "+" || s[i] === "-") && width > 1) {
    neg = s[i] === "-";
    i++;
  }
  const digitsStart = i;
  while (isDigit(s[i]) && i - start < width) i++;
  if (i === digitsStart) return undefined;
  return { value: toInt32(s.slice(digitsStart, i), neg), start, end: i };
}

/** Result of {@link sscanf}: number of conversions (-1 for EOF, as C returns) and the values. */
export interface ScanResult {
  readonly count: number;
  readonly values: readonly Scanned[];
}

/**
 * A tiny sscanf for formats made of `%d`, `%Nd` and literal characters (no white space in
 * the format), which is all Pacemaker's date parser uses.
 */
export function sscanf(s: string, format: string): ScanResult {
  const values: Scanned[] = [];
  let i = 0;
  let f = 0;
  while (f < format.length) {
    const fc = format[f];
    if (fc === "%") {
      let g = f + 1;
      while (isDigit(format[g])) g++;
      const width = g > f + 1 ? Number(format.slice(f + 1, g)) : Infinity;
      // %d skips white space first; running out of input before any conversion is EOF
      let j = i;
      while (isSpace(s[j])) j++;
      if (j >= s.length) return { count: values.length === 0 ? -1 : values.length, values };
      const r = scanD(s, i, width);
      if (r === undefined) break;
      values.push(r);
      i = r.end;
      f = g + 1;
    } else {
      if (i >= s.length) return { count: values.length === 0 ? -1 : values.length, values };
      if (s[i] !== fc) break;
      i++;
      f++;
    }
  }
  return { count: values.length, values };
}

/** What strtol/strtoll read from `start`: white space, an optional sign, then decimal digits. */
function signedDigits(text: string, start: number): { neg: boolean; digits: string; end: number } {
  let i = start;
  while (isSpace(text[i])) i++;
  let neg = false;
  if (text[i] === "+" || text[i] === "-") {
    neg = text[i] === "-";
    i++;
  }
  const ds = i;
  while (isDigit(text[i])) i++;
  return { neg, digits: text.slice(ds, i), end: i };
}

/** Result of a strtoll/strtod style scan: `ok` false when nothing was parsed or it overflowed. */
export interface NumberScan<T> {
  readonly ok: boolean;
  readonly value: T;
  /** Index just past the number (0 when nothing was parsed). */
  readonly end: number;
}

/**
 * strtoll(text, &end, 10) as pcmk__scan_ll uses it: leading white space and a sign are
 * accepted, characters left over are allowed, no digits or overflow is a failure.
 */
export function scanLongLong(text: string): NumberScan<bigint> {
  const { neg, digits, end } = signedDigits(text, 0);
  if (digits === "") return { ok: false, value: 0n, end: 0 };
  let v = digits.length <= 15 ? BigInt(Number(digits)) : BigInt(digits);
  if (neg) v = -v;
  if (v > INT64_MAX) return { ok: false, value: INT64_MAX, end };
  if (v < INT64_MIN) return { ok: false, value: INT64_MIN, end };
  return { ok: true, value: v, end };
}

const DBL_MIN = 2.2250738585072014e-308;

function scanHexFloat(text: string, i: number): { value: number; end: number } | undefined {
  let j = i;
  let mant = 0;
  let exp = 0;
  let any = false;
  while (/[0-9a-fA-F]/.test(text[j] ?? "")) {
    mant = mant * 16 + parseInt(text[j] as string, 16);
    any = true;
    j++;
  }
  if (text[j] === ".") {
    j++;
    while (/[0-9a-fA-F]/.test(text[j] ?? "")) {
      mant = mant * 16 + parseInt(text[j] as string, 16);
      exp -= 4;
      any = true;
      j++;
    }
  }
  if (!any) return undefined;
  if (text[j] === "p" || text[j] === "P") {
    let k = j + 1;
    let eneg = false;
    if (text[k] === "+" || text[k] === "-") {
      eneg = text[k] === "-";
      k++;
    }
    const es = k;
    while (isDigit(text[k])) k++;
    if (k > es) {
      const e = Number(text.slice(es, k));
      exp += eneg ? -e : e;
      j = k;
    }
  }
  return { value: mant * Math.pow(2, exp), end: j };
}

/**
 * strtod(text, &end) with pcmk__scan_double's checks: no digits, overflow to infinity and
 * underflow of a non-zero text (Pacemaker's test: a tiny result whose text has a character
 * other than `0`, `.`, `e`, `E`) are failures; characters left over are allowed.
 */
export function scanDouble(text: string): NumberScan<number> {
  let i = 0;
  while (isSpace(text[i])) i++;
  const numStart = i;
  let sign = 1;
  if (text[i] === "+" || text[i] === "-") {
    sign = text[i] === "-" ? -1 : 1;
    i++;
  }
  const rest = text.slice(i);
  const special = /^(infinity|inf|nan(\([0-9A-Za-z_]*\))?)/i.exec(rest);
  if (special) {
    const word = (special[0] ?? "").toLowerCase();
    return { ok: true, value: word.startsWith("nan") ? NaN : sign * Infinity, end: i + special[0].length };
  }
  if (text[i] === "0" && (text[i + 1] === "x" || text[i + 1] === "X")) {
    const hex = scanHexFloat(text, i + 2);
    if (hex !== undefined) return finishDouble(text, numStart, hex.end, sign * hex.value);
  }
  const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(rest);
  if (!m) return { ok: false, value: -1, end: 0 };
  const end = i + m[0].length;
  return finishDouble(text, numStart, end, sign * Number(m[0]));
}

function finishDouble(text: string, start: number, end: number, value: number): NumberScan<number> {
  if (!Number.isFinite(value)) return { ok: false, value, end };
  if (Math.abs(value) <= DBL_MIN) {
    for (let p = start; p < end; p++) {
      if (!"0.eE".includes(text[p] as string)) return { ok: false, value, end };
    }
  }
  return { ok: true, value, end };
}

/**
 * strtol as Pacemaker's version comparison uses it: returns the value and the end index;
 * `end === start` when no digits were found (value 0).
 */
export function scanLong(text: string, start: number): { value: number; end: number } {
  const { neg, digits, end } = signedDigits(text, start);
  if (digits === "") return { value: 0, end: start };
  return { value: toInt32(digits, neg), end };
}
