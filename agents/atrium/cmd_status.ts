/**
 * `atrium status [--json]`: the cluster status from atriumd, crm_mon-style text or the JSON
 * contract of core/status.
 */
import type { Command, CommandIo } from "../_command.ts";
import { Exit } from "../_command.ts";
import { formatOptions, parseCommandArgs } from "../../core/cli/parse_args.ts";
import { type ClusterStatus, renderStatus } from "../../core/status/mod.ts";
import { withClient } from "./_client.ts";

const OPTIONS = {
  json: { type: "boolean", description: "Print the status as JSON (the stable contract)" },
  help: { type: "boolean", short: "h", description: "Show this help" },
} as const;

const USAGE = `Usage: atrium status [--json]\n\nShow nodes, resources and failed actions.\n\n${formatOptions(OPTIONS)}\n`;

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs(args, OPTIONS, { command: "atrium status", allowPositionals: false });
  if (values.help === true) {
    io.stdout(USAGE);
    return Exit.OK;
  }
  return withClient(io, "atrium status", async (c) => {
    const s = (await c.call("GET", "/v1/status")) as ClusterStatus;
    io.stdout(values.json === true ? JSON.stringify(s, null, 2) + "\n" : renderStatus(s));
    return Exit.OK;
  });
}

/** `atrium status`. */
export const statusCommand: Command = {
  path: ["status"],
  summary: "Show the cluster status (nodes, resources, failed actions)",
  run,
};
