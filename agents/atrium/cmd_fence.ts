/**
 * `atrium fence NODE [--reboot|--off] [--reason TEXT]` and `atrium fence history [NODE] [--json]`.
 *
 * Both talk to atriumd: `POST /v1/fence` with `{ target, action?, reason? }` (no action: the
 * daemon's `stonith-action`) answering the fencer's outcome, and `GET /v1/fence/history`
 * (optionally `?target=NODE`) answering `{ entries: [...] }` (the fencer's history entries,
 * oldest first). A node literally named "history" is fenced with `--node history`.
 */
import type { Command, CommandIo } from "../_command.ts";
import { Exit } from "../_command.ts";
import { formatOptions, parseCommandArgs } from "../../core/cli/parse_args.ts";
import { quote } from "../../core/errors.ts";
import { type ApiClient, withClient } from "./_client.ts";

const OPTIONS = {
  reboot: { type: "boolean", description: "Reboot the node (the default is the cluster's stonith-action)" },
  off: { type: "boolean", description: "Power the node off" },
  node: { type: "string", description: "The node to fence (instead of the NODE word)" },
  reason: { type: "string", description: "Why, for the fencing history" },
  json: { type: "boolean", description: "history: print JSON" },
  help: { type: "boolean", short: "h", description: "Show this help" },
} as const;

const USAGE = `Usage:
  atrium fence NODE [--reboot|--off] [--reason TEXT]
  atrium fence history [NODE] [--json]

Fences a cluster or remote node through its fence devices (guest nodes are recovered by
restarting their container instead), or shows the fencing history. Needs a running atriumd.

${formatOptions(OPTIONS)}
`;

/** What `atrium fence` was asked to do. */
export type FenceCliRequest =
  | { readonly kind: "fence"; readonly target: string; readonly action?: "reboot" | "off"; readonly reason?: string }
  | { readonly kind: "history"; readonly target?: string; readonly json: boolean }
  | { readonly kind: "help" };

/**
 * Parse the words after `atrium fence`.
 *
 * @throws {TypeError} naming what does not fit
 */
export function parseFenceArgs(args: readonly string[]): FenceCliRequest {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, { command: "atrium fence" });
  if (values.help === true) return { kind: "help" };
  if (values.node === undefined && positionals[0] === "history") {
    if (positionals.length > 2) throw new TypeError(`Cannot parse arguments of "atrium fence history": expected at most one NODE, got ${quote(positionals.slice(1).join(" "))}`);
    if (values.reboot === true || values.off === true || values.reason !== undefined) {
      throw new TypeError(`Cannot parse arguments of "atrium fence history": --reboot, --off and --reason are for fencing a node`);
    }
    return { kind: "history", ...(positionals[1] !== undefined ? { target: positionals[1] } : {}), json: values.json === true };
  }
  const words = values.node !== undefined ? [values.node, ...positionals] : positionals;
  if (words.length !== 1 || words[0] === "") {
    throw new TypeError(`Cannot parse arguments of "atrium fence": expected one NODE, got ${quote(words.join(" "))}`);
  }
  if (values.reboot === true && values.off === true) {
    throw new TypeError(`Cannot parse arguments of "atrium fence": --reboot and --off exclude each other`);
  }
  if (values.json === true) throw new TypeError(`Cannot parse arguments of "atrium fence": --json is for "atrium fence history"`);
  const action = values.off === true ? "off" : values.reboot === true ? "reboot" : undefined;
  return {
    kind: "fence",
    target: words[0]!,
    ...(action !== undefined ? { action } : {}),
    ...(values.reason !== undefined ? { reason: values.reason } : {}),
  };
}

interface Outcome {
  ok?: boolean;
  state?: string;
  target?: string;
  action?: string;
  devices?: string[];
  error?: string;
  mergedInto?: string;
}

interface Entry {
  id?: string;
  target?: string;
  action?: string;
  origin?: string;
  client?: string;
  delegate?: string;
  state?: string;
  devices?: string[];
  error?: string;
  startedAt?: string;
  endedAt?: string;
}

/** One line per history entry, as `stonith_admin --history` prints them. */
export function formatHistory(entries: readonly Entry[]): string {
  if (entries.length === 0) return "No fencing history\n";
  return entries.map((e) => {
    const when = e.endedAt ?? e.startedAt ?? "?";
    const by = `${e.client ?? "?"}@${e.origin ?? "?"}`;
    const what = `${e.action ?? "?"} of ${e.target ?? "?"}`;
    switch (e.state) {
      case "success":
        return `${what} successful: delegate=${e.delegate ?? "?"}, client=${by}, devices=${(e.devices ?? []).join(",") || "-"}, completed=${when}\n`;
      case "failed":
        return `${what} failed: delegate=${e.delegate ?? "?"}, client=${by}, last-failed=${when}${e.error ? ` (${e.error})` : ""}\n`;
      default:
        return `${what} pending: client=${by}, started=${e.startedAt ?? "?"}\n`;
    }
  }).join("");
}

async function fence(io: CommandIo, c: ApiClient, req: Extract<FenceCliRequest, { kind: "fence" }>): Promise<number> {
  const body = { target: req.target, ...(req.action ? { action: req.action } : {}), ...(req.reason ? { reason: req.reason } : {}) };
  const r = (await c.call("POST", "/v1/fence", body)) as Outcome;
  const what = `${r.action ?? req.action ?? "fencing"} of ${quote(r.target ?? req.target)}`;
  const ok = r.ok ?? r.state === "success";
  if (ok) {
    io.stdout(`Done: ${what} succeeded${r.devices?.length ? ` (devices: ${r.devices.join(", ")})` : ""}\n`);
    return Exit.OK;
  }
  io.stderr(`atrium fence: ${what} failed${r.error ? `: ${r.error}` : ""}\n`);
  return Exit.ERROR;
}

async function history(io: CommandIo, c: ApiClient, req: Extract<FenceCliRequest, { kind: "history" }>): Promise<number> {
  const q = req.target !== undefined ? `?target=${encodeURIComponent(req.target)}` : "";
  const r = (await c.call("GET", `/v1/fence/history${q}`)) as { entries?: Entry[] } | Entry[];
  const entries = Array.isArray(r) ? r : r.entries ?? [];
  io.stdout(req.json ? `${JSON.stringify({ entries }, null, 2)}\n` : formatHistory(entries));
  return Exit.OK;
}

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  if (args.length === 0) {
    io.stderr(USAGE);
    return Exit.USAGE;
  }
  let req: FenceCliRequest;
  try {
    req = parseFenceArgs(args);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    io.stderr(`${e.message}\n\n${USAGE}`);
    return Exit.USAGE;
  }
  if (req.kind === "help") {
    io.stdout(USAGE);
    return Exit.OK;
  }
  const r = req;
  return withClient(io, r.kind === "history" ? "atrium fence history" : "atrium fence", (c) =>
    r.kind === "history" ? history(io, c, r) : fence(io, c, r));
}

/** `atrium fence ...`. */
export const fenceCommand: Command = {
  path: ["fence"],
  summary: "Fence a node, or show the fencing history",
  run,
};
