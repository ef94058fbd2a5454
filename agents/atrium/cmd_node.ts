/** `atrium node standby|unstandby|remove NODE`. */
import type { Command, CommandIo } from "../_command.ts";
import { Exit } from "../_command.ts";
import { quote } from "../../core/errors.ts";
import { sendUpdate, withClient } from "./_client.ts";

const USAGE = `Usage: atrium node standby|unstandby|remove NODE\n\n` +
  `standby/unstandby set or clear the node's permanent standby attribute (cluster, remote and\n` +
  `guest nodes); remove forgets a node (its entry and its status).\n`;

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  const [sub, node, ...extra] = args;
  if (sub === undefined || sub === "--help" || sub === "-h" || args.includes("--help")) {
    io.stdout(USAGE);
    return sub === undefined ? Exit.USAGE : Exit.OK;
  }
  if (!["standby", "unstandby", "remove"].includes(sub) || node === undefined || extra.length > 0) {
    io.stderr(`atrium node: expected standby|unstandby|remove NODE, got ${quote(args.join(" "))}\n\n${USAGE}`);
    return Exit.USAGE;
  }
  const path = `/v1/nodes/${encodeURIComponent(node)}`;
  return withClient(io, `atrium node ${sub}`, async (c) => {
    await sendUpdate(io, c, sub === "remove" ? "DELETE" : "POST", sub === "remove" ? path : `${path}/${sub}`);
    return Exit.OK;
  });
}

/** `atrium node ...`. */
export const nodeCommand: Command = {
  path: ["node"],
  summary: "Put a node in or out of standby, or remove it",
  run,
};
