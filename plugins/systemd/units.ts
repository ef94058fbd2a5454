/**
 * systemd unit names, states and time spans, as Pacemaker 2.1.5 treats them (lib/services/systemd.c).
 * @module
 */

const EXTENSIONS = [".service", ".socket", ".mount", ".timer", ".path"];

/**
 * The unit name of a `systemd:` agent: kept when it ends in .service, .socket, .mount, .timer
 * or .path, else ".service" is appended; a template (`name@`) gets the instance "pacemaker".
 *
 * @example
 * ```ts
 * unitName("httpd"); // "httpd.service"
 * unitName("getty@.service"); // "getty@pacemaker.service"
 * ```
 */
export function unitName(type: string): string {
  const ext = EXTENSIONS.find((e) => type.endsWith(e));
  if (ext !== undefined) {
    const base = type.slice(0, -ext.length);
    return base.endsWith("@") ? `${base}pacemaker${ext}` : type;
  }
  return type.endsWith("@") ? `${type}pacemaker.service` : `${type}.service`;
}

/** The OCF rc and whether it is still changing, for a unit's ActiveState. */
export interface UnitStateResult {
  readonly rc: number;
  /** True for "activating"/"deactivating" (Pacemaker: pending). */
  readonly pending: boolean;
}

/**
 * Map a unit's ActiveState to an OCF result as Pacemaker does: active and reloading -> 0;
 * activating and deactivating -> pending; anything else (inactive, failed, ...) -> 7.
 *
 * @example
 * ```ts
 * activeStateToOcf("failed"); // { rc: 7, pending: false }
 * ```
 */
export function activeStateToOcf(state: string): UnitStateResult {
  switch (state.trim()) {
    case "active":
    case "reloading":
      return { rc: 0, pending: false };
    case "activating":
    case "deactivating":
      return { rc: 1, pending: true };
    default:
      return { rc: 7, pending: false };
  }
}

const SPAN_UNITS: Record<string, number> = {
  us: 0.001, usec: 0.001, "µs": 0.001,
  ms: 1, msec: 1,
  s: 1000, sec: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

/**
 * Parse a systemd time span as `systemctl show` prints it ("1min 30s", "90s", "100ms",
 * "infinity"). Undefined for "infinity" or anything unparsable. A bare number is seconds.
 *
 * @example
 * ```ts
 * parseTimespanMs("1min 30s"); // 90000
 * ```
 */
export function parseTimespanMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const s = text.trim();
  if (s === "" || s === "infinity") return undefined;
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  if (!/^(?:\d+(?:\.\d+)?\s*[a-zµ]+\s*)+$/i.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)\s*([a-zµ]+)/gi)) {
    const unit = SPAN_UNITS[m[2]!.toLowerCase()];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
  }
  return Math.round(total);
}

/** Parse `systemctl show` output (`Key=Value` lines). */
export function parseShow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

function esc(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The meta-data XML Pacemaker generates for a systemd unit (its fixed action list). */
export function systemdMetadataXml(name: string, description: string): string {
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">',
    `<resource-agent name="${esc(name)}" version="0.1">`,
    "  <version>1.1</version>",
    '  <longdesc lang="en">',
    `    ${esc(description)}`,
    "  </longdesc>",
    `  <shortdesc lang="en">systemd unit file for ${esc(name)}</shortdesc>`,
    "  <parameters/>",
    "  <actions>",
    '    <action name="start"     timeout="100" />',
    '    <action name="stop"      timeout="100" />',
    '    <action name="status"    timeout="100" />',
    '    <action name="monitor"   timeout="100" interval="60"/>',
    '    <action name="meta-data" timeout="5"   />',
    "  </actions>",
    '  <special tag="systemd"/>',
    "</resource-agent>",
    "",
  ].join("\n");
}
