/**
 * Read the LSB comment header ("### BEGIN INIT INFO") of an init script and build the
 * meta-data Pacemaker 2.1.5 shows for LSB agents.
 * @module
 */

/** The fields of an LSB header. */
export interface LsbHeader {
  readonly provides?: string;
  readonly requiredStart?: string;
  readonly requiredStop?: string;
  readonly shouldStart?: string;
  readonly shouldStop?: string;
  readonly defaultStart?: string;
  readonly defaultStop?: string;
  readonly shortDescription?: string;
  readonly description?: string;
}

const KEYS: Record<string, keyof LsbHeader> = {
  "provides": "provides",
  "required-start": "requiredStart",
  "required-stop": "requiredStop",
  "should-start": "shouldStart",
  "should-stop": "shouldStop",
  "default-start": "defaultStart",
  "default-stop": "defaultStop",
  "short-description": "shortDescription",
  "description": "description",
};

/**
 * Parse the LSB header of `script` (its text). Description continuation lines (`#` followed
 * by a tab or two or more spaces) are joined. Empty object when there is no header.
 *
 * @example
 * ```ts
 * parseLsbHeader("### BEGIN INIT INFO\n# Provides: logd\n### END INIT INFO\n").provides; // "logd"
 * ```
 */
export function parseLsbHeader(script: string): LsbHeader {
  const out: Record<string, string> = {};
  let inside = false;
  let last: keyof LsbHeader | undefined;
  for (const line of script.split("\n")) {
    if (line.startsWith("### BEGIN INIT INFO")) {
      inside = true;
      continue;
    }
    if (!inside) continue;
    if (line.startsWith("### END INIT INFO")) break;
    const m = /^#\s*([A-Za-z-]+):\s?(.*)$/.exec(line);
    if (m !== null && KEYS[m[1]!.toLowerCase()] !== undefined) {
      last = KEYS[m[1]!.toLowerCase()]!;
      out[last] = m[2]!.trim();
      continue;
    }
    const cont = /^#(?:\t| {2,})(.*)$/.exec(line);
    if (cont !== null && last === "description") out[last] = `${out[last] ?? ""} ${cont[1]!.trim()}`.trim();
    else last = undefined;
  }
  return out as LsbHeader;
}

function esc(s: string | undefined): string {
  return (s ?? "").replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The meta-data XML Pacemaker generates for an LSB agent (its fixed action list). */
export function lsbMetadataXml(name: string, h: LsbHeader): string {
  return [
    "<?xml version='1.0'?>",
    "<!DOCTYPE resource-agent SYSTEM 'ra-api-1.dtd'>",
    `<resource-agent name='${esc(name)}' version='0.1'>`,
    "  <version>1.0</version>",
    "  <longdesc lang='en'>",
    esc(h.description ?? ""),
    "  </longdesc>",
    `  <shortdesc lang='en'>${esc(h.shortDescription ?? "")}</shortdesc>`,
    "  <parameters>",
    "  </parameters>",
    "  <actions>",
    "    <action name='meta-data'    timeout='5' />",
    "    <action name='start'        timeout='15' />",
    "    <action name='stop'         timeout='15' />",
    "    <action name='status'       timeout='15' />",
    "    <action name='restart'      timeout='15' />",
    "    <action name='force-reload' timeout='15' />",
    "    <action name='monitor'      timeout='15' interval='15' />",
    "  </actions>",
    "  <special tag='LSB'>",
    `    <Provides>${esc(h.provides)}</Provides>`,
    `    <Required-Start>${esc(h.requiredStart)}</Required-Start>`,
    `    <Required-Stop>${esc(h.requiredStop)}</Required-Stop>`,
    `    <Should-Start>${esc(h.shouldStart)}</Should-Start>`,
    `    <Should-Stop>${esc(h.shouldStop)}</Should-Stop>`,
    `    <Default-Start>${esc(h.defaultStart)}</Default-Start>`,
    `    <Default-Stop>${esc(h.defaultStop)}</Default-Stop>`,
    "  </special>",
    "</resource-agent>",
    "",
  ].join("\n");
}
