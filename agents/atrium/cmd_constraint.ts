/**
 * `atrium constraint location RSC prefers|avoids NODE[=SCORE] ...` (pcs syntax): one location
 * constraint per node.
 */
import type { Command, CommandIo } from "../_command.ts";
import { Exit } from "../_command.ts";
import { quote } from "../../core/errors.ts";
import { sendUpdate, withClient } from "./_client.ts";

const USAGE = `Usage: atrium constraint location RSC prefers|avoids NODE[=SCORE] [NODE[=SCORE] ...]\n\n` +
  `A resource prefers (score INFINITY unless given) or avoids (negated score) each node.\n`;

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  if (args.length === 0 || args.includes("--help") || args.includes("-h")) {
    io.stdout(USAGE);
    return args.length === 0 ? Exit.USAGE : Exit.OK;
  }
  const [rsc, kind, ...nodes] = args;
  if (rsc === undefined || (kind !== "prefers" && kind !== "avoids") || nodes.length === 0) {
    io.stderr(`atrium constraint location: expected RSC prefers|avoids NODE[=SCORE]${kind !== undefined && kind !== "prefers" && kind !== "avoids" ? `, got ${quote(kind)}` : ""}\n\n${USAGE}`);
    return Exit.USAGE;
  }
  return withClient(io, "atrium constraint location", async (c) => {
    for (const n of nodes) {
      const i = n.indexOf("=");
      const node = i < 0 ? n : n.slice(0, i);
      const score = i < 0 ? undefined : n.slice(i + 1);
      await sendUpdate(io, c, "POST", "/v1/constraints/location", { rsc, node, kind, ...(score !== undefined ? { score } : {}) });
    }
    return Exit.OK;
  });
}

/** `atrium constraint location`. */
export const constraintLocationCommand: Command = {
  path: ["constraint", "location"],
  summary: "Make a resource prefer or avoid nodes (location constraint)",
  run,
};
