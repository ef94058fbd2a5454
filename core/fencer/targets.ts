/**
 * The little languages of fence device parameters, read as Pacemaker 2.1.5's fencer reads them:
 * target lists (`pcmk_host_list` and the output of an agent's `list` action), host maps
 * (`pcmk_host_map`), per-node `pcmk_delay_base` maps and `pcmk_<action>_timeout` values.
 *
 * @example
 * ```ts
 * parseTargetList("node1, node2;node3");       // ["node1", "node2", "node3"]
 * parseHostMap("node1:plug1;node2=plug2").get("node2"); // "plug2"
 * ```
 * @module
 */

/**
 * Target names from a list: lines (newline or a literal backslash-n) of names separated by any
 * mix of whitespace, commas and semicolons. As Pacemaker's `stonith__parse_targets`: lines that
 * contain "invalid" or "variable" are skipped, a name keeps only its leading run of letters,
 * digits, `_`, `-` and `.`, and the words "on"/"off" (any case) are dropped.
 *
 * @example
 * ```ts
 * parseTargetList("node1,node2\nnode3 on"); // ["node1", "node2", "node3"]
 * ```
 */
export function parseTargetList(text: string | undefined): string[] {
  if (text === undefined) return [];
  const out: string[] = [];
  for (const line of text.split(/\n|\\n/)) {
    if (line.includes("invalid") || line.includes("variable")) continue;
    for (const word of line.split(/[\s,;]+/)) {
      if (word === "") continue;
      const m = /^[A-Za-z0-9_.-]+/.exec(word);
      if (m === null) continue;
      const name = m[0];
      if (/^(on|off)$/i.test(name)) continue;
      out.push(name);
    }
  }
  return out;
}

/**
 * A `pcmk_host_map` ("node1:plug1;node2=plug2 node3:plug3"): node name -> plug (the port the
 * agent knows the node by). Entries are separated by `;`, spaces or tabs; `:` or `=` separates
 * node and plug; a backslash escapes the next character (and is dropped from the plug), so a
 * plug may hold a `;` or a space. Keys are kept as written; look them up with {@link hostAlias}
 * (case-insensitive, as Pacemaker's alias table). A comma is part of a plug (several ports).
 *
 * @example
 * ```ts
 * parseHostMap("node1:1,2;node2:3").get("node1"); // "1,2"
 * ```
 */
export function parseHostMap(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (text === undefined) return out;
  let name: string | undefined;
  let last = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text[i] : "\0";
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "=" || c === ":") {
      if (i > last) name = text.slice(last, i);
      last = i + 1;
    } else if (c === "\0" || c === ";" || c === " " || c === "\t") {
      if (name !== undefined) {
        const value = text.slice(last, i).replace(/\\/g, "");
        // A later entry for the same node (any case) replaces the earlier one.
        for (const k of out.keys()) if (k.toLowerCase() === name.toLowerCase()) out.delete(k);
        out.set(name, value);
        name = undefined;
      }
      last = i + 1;
    }
  }
  return out;
}

/** The plug `node` maps to in a host map (case-insensitive), if any. */
export function hostAlias(map: ReadonlyMap<string, string>, node: string): string | undefined {
  const want = node.toLowerCase();
  for (const [k, v] of map) if (k.toLowerCase() === want) return v;
  return undefined;
}

/** True when `list` holds `name`, compared case-insensitively (as Pacemaker compares targets). */
export function inTargetList(list: readonly string[], name: string): boolean {
  const want = name.toLowerCase();
  return list.some((t) => t.toLowerCase() === want);
}

/**
 * The `pcmk_delay_base` value that applies to `target`: a plain value applies to every node; a
 * map ("node1:5s;node2:10s", separated by `;`, spaces or tabs) gives the value of the first entry
 * whose node name `target` starts with, case-insensitively (Pacemaker compares only the entry's
 * length of the target, which this keeps). Returns undefined when a map has no entry for
 * `target` (no base delay).
 *
 * @example
 * ```ts
 * delayBaseFor("node1:2s;node2:4s", "node2"); // "4s"
 * ```
 */
export function delayBaseFor(value: string | undefined, target: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let chosen = value;
  if (target !== undefined) {
    for (const entry of value.split(/[; \t]+/)) {
      const colon = entry.indexOf(":");
      if (colon <= 0 || colon === entry.length - 1) continue;
      const node = entry.slice(0, colon);
      if (target.toLowerCase().startsWith(node.toLowerCase())) {
        chosen = entry.slice(colon + 1);
        break;
      }
    }
  }
  return chosen.includes(":") ? undefined : chosen;
}

/**
 * A `pcmk_<action>_timeout` value in milliseconds, read as Pacemaker reads it (`atoi`: the
 * leading integer, in seconds; "60s" and "60" are both a minute). Undefined when there is no
 * leading integer or it is not positive.
 *
 * @example
 * ```ts
 * deviceTimeoutMs("90s"); // 90000
 * ```
 */
export function deviceTimeoutMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*([+-]?\d+)/.exec(value);
  if (m === null) return undefined;
  const n = Number.parseInt(m[1]!, 10);
  return n > 0 ? n * 1000 : undefined;
}

/**
 * A `pcmk_<action>_retries` value: how many times an action is tried in all (Pacemaker's
 * default is 2). Undefined when not a non-negative integer; 0 counts as 1.
 */
export function deviceTries(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Math.max(1, Number.parseInt(value, 10));
}
