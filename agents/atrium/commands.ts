/**
 * The table of `atrium` sub-commands. To add one: write `agents/atrium/cmd_<name>.ts` exporting a
 * `Command`, and add one import line and one entry below (keep each on its own line).
 */
import type { Command } from "../_command.ts";
import { versionCommand } from "./cmd_version.ts";

export const commands: readonly Command[] = [
  versionCommand,
];
