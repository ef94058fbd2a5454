/** `atrium property set NAME=VALUE ...` and `atrium property unset NAME ...` (cib-bootstrap-options). */
import type { Command, CommandIo } from "../_command.ts";
import { Exit } from "../_command.ts";
import { quote } from "../../core/errors.ts";
import { sendUpdate, withClient } from "./_client.ts";

const USAGE = `Usage: atrium property set NAME=VALUE [NAME=VALUE ...]\n       atrium property unset NAME [NAME ...]\n\n` +
  `Set or remove cluster options (cib-bootstrap-options); an empty VALUE removes the option.\n`;

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  const [sub, ...words] = args;
  if (sub === undefined || sub === "--help" || sub === "-h" || args.includes("--help")) {
    io.stdout(USAGE);
    return sub === undefined ? Exit.USAGE : Exit.OK;
  }
  if ((sub !== "set" && sub !== "unset") || words.length === 0) {
    io.stderr(`atrium property: expected set NAME=VALUE or unset NAME, got ${quote(args.join(" "))}\n\n${USAGE}`);
    return Exit.USAGE;
  }
  const pairs: [string, string | null][] = [];
  for (const w of words) {
    const i = w.indexOf("=");
    if (sub === "set" && i <= 0) {
      io.stderr(`atrium property set: ${quote(w)} is not NAME=VALUE\n`);
      return Exit.USAGE;
    }
    pairs.push(sub === "set" ? [w.slice(0, i), w.slice(i + 1)] : [w, null]);
  }
  return withClient(io, `atrium property ${sub}`, async (c) => {
    for (const [name, value] of pairs) {
      await sendUpdate(io, c, "PUT", `/v1/properties/${encodeURIComponent(name)}`, { value: value === "" ? null : value });
    }
    return Exit.OK;
  });
}

/** `atrium property ...`. */
export const propertyCommand: Command = {
  path: ["property"],
  summary: "Set or unset cluster properties",
  run,
};
