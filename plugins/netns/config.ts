/**
 * The `netns` plugin's configuration (the `plugins.netns` section of the node configuration,
 * handed to `setup`) and its defaults.
 * @module
 */
import { basename, dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** Where per-guest state (authkey, daemon log) lives on the host: one folder per namespace. */
export const DEFAULT_STATE_DIR = "/var/lib/atrium/guests";

/** The launcher's settings (all optional in the configuration). */
export interface NetnsConfig {
  /**
   * The guest daemon's command line (argv, no shell). Default: this installation's
   * atrium-remoted (`process.execPath` + dist/atrium-remoted.mjs; `deno run -A` on Deno).
   */
  readonly remotedCommand?: readonly string[];
  /** Root of the per-guest state folders (default /var/lib/atrium/guests). */
  readonly stateDir?: string;
  /** Wait in start until the daemon listens on the guest port (default true). */
  readonly waitForListen?: boolean;
  /** Time limit of each `ip` command, in ms (default 10000). */
  readonly commandTimeoutMs?: number;
  /** Size of the guest's private /run tmpfs (a `mount -o size=` value, default "64m"). */
  readonly runSize?: string;
  /** Extra environment for the guest daemon. */
  readonly env?: Readonly<Record<string, string>>;
}

/** The fully resolved settings the launcher works with. */
export interface NetnsSettings {
  remotedCommand: readonly string[] | undefined;
  stateDir: string;
  waitForListen: boolean;
  commandTimeoutMs: number;
  runSize: string;
  env: Readonly<Record<string, string>>;
}

/** The defaults, before any configuration. */
export function defaultSettings(): NetnsSettings {
  return { remotedCommand: undefined, stateDir: DEFAULT_STATE_DIR, waitForListen: true, commandTimeoutMs: 10_000, runSize: "64m", env: {} };
}

/** Where this module sits: a file path, or undefined (e.g. in a CommonJS bundle). */
function ownPath(): string | undefined {
  try {
    const url = (import.meta as { url?: string }).url;
    return url !== undefined && url.startsWith("file:") ? fileURLToPath(url) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The default guest daemon command of this installation. From the sources
 * (plugins/netns/config.ts) that is ../../dist/atrium-remoted.mjs; inside a bundle in dist/
 * it is the atrium-remoted.mjs beside it; in a single executable, the atrium-remoted
 * executable beside it.
 *
 * @example
 * ```ts
 * defaultRemotedCommand("node"); // ["/usr/bin/node", "/opt/atrium/dist/atrium-remoted.mjs"]
 * ```
 */
export function defaultRemotedCommand(runtime: "node" | "deno"): string[] {
  const here = ownPath();
  const exe = process.execPath;
  if (here === undefined) {
    const name = basename(exe);
    if (/^atrium/.test(name)) return [join(dirname(exe), name.replace(/^atrium(d|-remoted)?/, "atrium-remoted"))];
    const main = process.argv[1];
    const script = join(main !== undefined ? dirname(main) : process.cwd(), "atrium-remoted.mjs");
    return runtime === "deno" ? [exe, "run", "-A", script] : [exe, script];
  }
  const script = here.endsWith(".ts")
    ? join(dirname(here), "..", "..", "dist", "atrium-remoted.mjs")
    : join(dirname(here), "atrium-remoted.mjs");
  return runtime === "deno" ? [exe, "run", "-A", script] : [exe, script];
}

function fail(field: string, value: unknown, expected: string): TypeError {
  const v = JSON.stringify(value) ?? String(value);
  return new TypeError(`Cannot configure plugin "netns": ${field} ${v.length > 80 ? v.slice(0, 80) + "…" : v} is invalid, expected ${expected}`);
}

/**
 * Validate a configuration object and return the settings it gives (over the defaults).
 * Throws TypeError naming the field; the current settings are not touched.
 *
 * @example
 * ```ts
 * const s = parseNetnsConfig({ remotedCommand: ["/usr/bin/atrium-remoted"] });
 * ```
 */
export function parseNetnsConfig(config: unknown): NetnsSettings {
  const s = defaultSettings();
  if (config === undefined || config === null) return s;
  if (typeof config !== "object" || Array.isArray(config)) throw fail("configuration", config, "an object");
  const c = config as Record<string, unknown>;
  const known = ["remotedCommand", "stateDir", "waitForListen", "commandTimeoutMs", "runSize", "env"];
  for (const k of Object.keys(c)) if (!known.includes(k)) throw fail("key", k, `one of ${known.join(", ")}`);
  if (c["remotedCommand"] !== undefined) {
    const v = c["remotedCommand"];
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === "string" && x.length > 0)) {
      throw fail("remotedCommand", v, "a non-empty array of non-empty strings");
    }
    s.remotedCommand = [...v] as string[];
  }
  if (c["stateDir"] !== undefined) {
    const v = c["stateDir"];
    if (typeof v !== "string" || !v.startsWith("/") || v.length < 2) throw fail("stateDir", v, "an absolute path");
    s.stateDir = v.replace(/\/+$/, "");
  }
  if (c["waitForListen"] !== undefined) {
    if (typeof c["waitForListen"] !== "boolean") throw fail("waitForListen", c["waitForListen"], "true or false");
    s.waitForListen = c["waitForListen"];
  }
  if (c["commandTimeoutMs"] !== undefined) {
    const v = c["commandTimeoutMs"];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 100 || v > 600_000) throw fail("commandTimeoutMs", v, "an integer from 100 to 600000");
    s.commandTimeoutMs = v;
  }
  if (c["runSize"] !== undefined) {
    const v = c["runSize"];
    if (typeof v !== "string" || !/^[0-9]+[kmg%]?$/.test(v)) throw fail("runSize", v, `a tmpfs size such as "64m"`);
    s.runSize = v;
  }
  if (c["env"] !== undefined) {
    const v = c["env"];
    if (typeof v !== "object" || v === null || Array.isArray(v) || !Object.values(v).every((x) => typeof x === "string")) {
      throw new TypeError(`Cannot configure plugin "netns": env is invalid, expected an object of strings`);
    }
    s.env = { ...(v as Record<string, string>) };
  }
  return s;
}
