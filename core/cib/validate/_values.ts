/** Value parsers shared by the checks (Pacemaker's interval, score and port syntax). */

const UNIT_MS: Record<string, number> = {
  "": 1000, s: 1000, sec: 1000, ms: 1, msec: 1, us: 0.001, usec: 0.001,
  m: 60_000, min: 60_000, h: 3_600_000, hr: 3_600_000,
};

/**
 * Parse an interval as Pacemaker does (`crm_parse_interval_spec`): a number with an optional
 * unit (`10`, `10s`, `500ms`, `1min`, `2h`) or an ISO 8601 duration (`PT10S`, `P1D`).
 * Returns milliseconds, 0 for an absent value, or undefined when it does not parse.
 */
export function parseIntervalMs(text: string | undefined): number | undefined {
  if (text === undefined) return 0;
  const t = text.trim();
  if (t === "") return 0;
  if (t[0] === "P") {
    // ISO 8601 duration; like Pacemaker, accept H/S (and M after T) with or without the T.
    if (!/^P(\d+[YMWDHS]|T)+$/.test(t)) return undefined;
    const unit: Record<string, number> = { Y: 31_536_000, W: 604_800, D: 86_400, H: 3600, S: 1 };
    let secs = 0;
    let time = false;
    for (const [, num, u] of t.slice(1).matchAll(/(\d*)([YMWDHST])/g)) {
      if (u === "T") { time = true; continue; }
      const n = Number(num);
      secs += n * (u === "M" ? (time ? 60 : 2_592_000) : unit[u!]!);
    }
    return secs * 1000;
  }
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(t);
  if (m === null) return undefined;
  const unit = UNIT_MS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  return Math.round(Number(m[1]) * unit);
}

/** True when `text` is a TCP port number 1-65535 written as a plain decimal integer. */
export function isPort(text: string): boolean {
  if (!/^\d{1,5}$/.test(text.trim())) return false;
  const n = Number(text.trim());
  return n >= 1 && n <= 65535;
}

/** Pacemaker role names, current and legacy. */
export const ROLES = ["Stopped", "Started", "Unpromoted", "Promoted", "Slave", "Master"] as const;
