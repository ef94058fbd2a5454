import type { Command } from "../_command.ts";
import { ATRIUM_VERSION } from "../../core/version.ts";

export const versionCommand: Command = {
  path: ["version"],
  summary: "Print Atrium's version",
  run(_args, io) {
    io.stdout(`atrium ${ATRIUM_VERSION}\n`);
    return Promise.resolve(0);
  },
};
