/**
 * `atrium`: the command-line tool. Picks the sub-command with the longest matching path.
 */
import type { CommandIo } from "../_command.ts";
import { Exit } from "../_command.ts";
import { commands } from "./commands.ts";

export function usage(): string {
  const lines = commands
    .map((c) => `  atrium ${c.path.join(" ").padEnd(22)} ${c.summary}`)
    .sort();
  return `Usage: atrium COMMAND [OPTIONS]\n\nCommands:\n${lines.join("\n")}\n\nRun "atrium COMMAND --help" for a command's options.\n`;
}

/** Run the CLI with `argv` (without the program name); returns the exit code. */
export async function runAtrium(argv: readonly string[], io: CommandIo): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    io.stdout(usage());
    return argv.length === 0 ? Exit.USAGE : Exit.OK;
  }
  let best: (typeof commands)[number] | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  if (!best) {
    io.stderr(`atrium: unknown command ${JSON.stringify(argv.slice(0, 2).join(" "))}\n\n${usage()}`);
    return Exit.USAGE;
  }
  try {
    return await best.run(argv.slice(best.path.length), io);
  } catch (e) {
    if (e instanceof TypeError && e.message.startsWith("Cannot parse arguments")) {
      io.stderr(`atrium: ${e.message}\n`);
      return Exit.USAGE;
    }
    const code = (e as { code?: unknown }).code;
    io.stderr(`atrium ${best.path.join(" ")}: ${e instanceof Error ? e.message : String(e)}${typeof code === "string" ? ` [${code}]` : ""}\n`);
    return Exit.ERROR;
  }
}
