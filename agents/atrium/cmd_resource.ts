/**
 * `atrium resource create|delete|enable|disable|move|clear|cleanup ...`, pcs-style:
 *
 *     atrium resource create ID CLASS:PROVIDER:TYPE [name=value ...] [meta name=value ...] [op NAME name=value ... ...]
 *     atrium resource delete ID
 *     atrium resource enable|disable ID
 *     atrium resource move ID NODE
 *     atrium resource clear ID
 *     atrium resource cleanup ID [--node NODE]
 */
import type { Command, CommandIo } from "../_command.ts";
import { Exit } from "../_command.ts";
import { formatOptions, parseCommandArgs } from "../../core/cli/parse_args.ts";
import { quote } from "../../core/errors.ts";
import { sendUpdate, withClient } from "./_client.ts";

const OPTIONS = {
  node: { type: "string", description: "cleanup: only on this node" },
  help: { type: "boolean", short: "h", description: "Show this help" },
} as const;

const USAGE = `Usage:
  atrium resource create ID CLASS:PROVIDER:TYPE [name=value ...] [meta name=value ...] [op NAME name=value ...]
  atrium resource delete ID
  atrium resource enable ID | disable ID
  atrium resource move ID NODE
  atrium resource clear ID
  atrium resource cleanup ID [--node NODE]

${formatOptions(OPTIONS)}
`;

/** The body of POST /v1/resources from the words after `resource create`. */
export interface CreateArgs {
  id: string;
  agent: string;
  params: Record<string, string>;
  meta: Record<string, string>;
  ops: { name: string; [k: string]: string }[];
}

function pair(word: string, where: string): [string, string] {
  const i = word.indexOf("=");
  if (i <= 0) throw new TypeError(`Cannot parse arguments of "atrium resource create": ${quote(word)} in ${where} is not name=value`);
  return [word.slice(0, i), word.slice(i + 1)];
}

/**
 * Parse `ID AGENT [name=value ...] [meta name=value ...] [op NAME name=value ...]`.
 *
 * @throws {TypeError} naming the word that does not fit
 */
export function parseCreateArgs(words: readonly string[]): CreateArgs {
  const [id, agent, ...rest] = words;
  if (id === undefined || agent === undefined) {
    throw new TypeError(`Cannot parse arguments of "atrium resource create": expected ID and CLASS:PROVIDER:TYPE`);
  }
  const out: CreateArgs = { id, agent, params: {}, meta: {}, ops: [] };
  let mode: "params" | "meta" | "op" | "opname" = "params";
  for (const w of rest) {
    if (w === "meta") {
      mode = "meta";
      continue;
    }
    if (w === "op") {
      mode = "opname";
      continue;
    }
    if (mode === "opname" || (mode === "op" && !w.includes("="))) {
      out.ops.push({ name: w });
      mode = "op";
      continue;
    }
    const where = mode === "params" ? "the parameters" : mode === "meta" ? "the meta attributes" : `operation ${quote(out.ops.at(-1)!.name)}`;
    const [k, v] = pair(w, where);
    if (mode === "params") out.params[k] = v;
    else if (mode === "meta") out.meta[k] = v;
    else out.ops.at(-1)![k] = v;
  }
  if (mode === "opname") throw new TypeError(`Cannot parse arguments of "atrium resource create": "op" must be followed by an operation name`);
  return out;
}

function need(positionals: readonly string[], n: number, usage: string): void {
  if (positionals.length !== n) throw new TypeError(`Cannot parse arguments of "atrium resource ${usage}": expected ${usage.split(" ").slice(1).join(" ")}`);
}

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    io.stdout(USAGE);
    return sub === undefined ? Exit.USAGE : Exit.OK;
  }
  // `create` takes free-form words: only --help is an option there.
  if (sub === "create") {
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout(USAGE);
      return Exit.OK;
    }
    const body = parseCreateArgs(rest);
    return withClient(io, "atrium resource create", async (c) => {
      await sendUpdate(io, c, "POST", "/v1/resources", {
        id: body.id,
        agent: body.agent,
        ...(Object.keys(body.params).length > 0 ? { params: body.params } : {}),
        ...(Object.keys(body.meta).length > 0 ? { meta: body.meta } : {}),
        ...(body.ops.length > 0 ? { ops: body.ops } : {}),
      });
      return Exit.OK;
    });
  }
  const { values, positionals } = parseCommandArgs(rest, OPTIONS, { command: `atrium resource ${sub}` });
  if (values.help === true) {
    io.stdout(USAGE);
    return Exit.OK;
  }
  const id = encodeURIComponent(positionals[0] ?? "");
  let method = "POST";
  let path: string;
  let body: unknown;
  switch (sub) {
    case "delete":
      need(positionals, 1, "delete ID");
      method = "DELETE";
      path = `/v1/resources/${id}`;
      break;
    case "enable":
    case "disable":
    case "clear":
      need(positionals, 1, `${sub} ID`);
      path = `/v1/resources/${id}/${sub}`;
      break;
    case "move":
      need(positionals, 2, "move ID NODE");
      path = `/v1/resources/${id}/move`;
      body = { node: positionals[1] };
      break;
    case "cleanup": {
      const nodeWord = positionals.slice(1).find((w) => w.startsWith("node="));
      const node = values.node ?? nodeWord?.slice(5);
      if (positionals.length !== 1 + (nodeWord !== undefined ? 1 : 0)) need(positionals, 1, "cleanup ID");
      path = `/v1/resources/${id}/cleanup`;
      body = node !== undefined ? { node } : {};
      break;
    }
    default:
      io.stderr(`atrium resource: unknown sub-command ${quote(sub)}\n\n${USAGE}`);
      return Exit.USAGE;
  }
  return withClient(io, `atrium resource ${sub}`, async (c) => {
    await sendUpdate(io, c, method, path, body);
    return Exit.OK;
  });
}

/** `atrium resource ...`. */
export const resourceCommand: Command = {
  path: ["resource"],
  summary: "Create, delete, enable, disable, move, clear or clean up resources",
  run,
};
