/**
 * The one CLI argument module (JSR's `@std/cli` cannot be reached here, so this wraps
 * `node:util` `parseArgs`, which Node and Deno both provide). Every executable and every
 * sub-command parses through {@link parseCommandArgs}; unknown options and missing values
 * become a `TypeError` whose message names the option and what was expected, never a silent
 * fallback.
 *
 * @example
 * ```ts
 * const { values, positionals } = parseCommandArgs(["--xml-file", "cib.xml", "--json"], {
 *   "xml-file": { type: "string" },
 *   json: { type: "boolean" },
 * }, { command: "atrium simulate" });
 * ```
 */
import { parseArgs } from "node:util";

export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  readonly default?: string | boolean | string[] | boolean[];
  /** One line for `--help`. */
  readonly description?: string;
}
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type ValueOf<S extends OptionSpec> = S["type"] extends "string"
  ? S["multiple"] extends true ? string[] : string
  : S["multiple"] extends true ? boolean[] : boolean;

export type ParsedValues<O extends OptionSpecs> = { [K in keyof O]?: ValueOf<O[K]> };

export interface ParsedCommand<O extends OptionSpecs> {
  readonly values: ParsedValues<O>;
  readonly positionals: string[];
}

/** Parse `args` against `options`; throws `TypeError` with a message naming the command. */
export function parseCommandArgs<const O extends OptionSpecs>(
  args: readonly string[],
  options: O,
  opts: { command: string; allowPositionals?: boolean } = { command: "atrium" },
): ParsedCommand<O> {
  const spec: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries(options)) {
    spec[name] = { type: o.type };
    if (o.short !== undefined) spec[name]!.short = o.short;
    if (o.multiple !== undefined) spec[name]!.multiple = o.multiple;
  }
  try {
    const r = parseArgs({
      args: [...args],
      options: spec,
      strict: true,
      allowPositionals: opts.allowPositionals ?? true,
    });
    const values = { ...r.values } as Record<string, unknown>;
    for (const [name, o] of Object.entries(options)) {
      if (values[name] === undefined && o.default !== undefined) values[name] = o.default;
    }
    return { values: values as ParsedValues<O>, positionals: r.positionals };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new TypeError(`Cannot parse arguments of "${opts.command}": ${msg}`);
  }
}

/** Render the options of a command as `--help` lines. */
export function formatOptions(options: OptionSpecs): string {
  return Object.entries(options)
    .map(([name, o]) => {
      const flag = (o.short ? `-${o.short}, ` : "    ") + `--${name}` + (o.type === "string" ? " VALUE" : "");
      return `  ${flag.padEnd(28)} ${o.description ?? ""}`.trimEnd();
    })
    .join("\n");
}
