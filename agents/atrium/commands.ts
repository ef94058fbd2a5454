/**
 * The table of `atrium` sub-commands. To add one: write `agents/atrium/cmd_<name>.ts` exporting a
 * `Command`, and add one import line and one entry below (keep each on its own line).
 */
import type { Command } from "../_command.ts";
import { versionCommand } from "./cmd_version.ts";
import { remoteCheckCommand } from "./cmd_remote.ts";
import { authkeyGenerateCommand } from "./cmd_authkey.ts";
import { cibExportCommand } from "./cmd_cib.ts";
import { verifyCommand } from "./cmd_verify.ts";
import { simulateCommand } from "./cmd_simulate.ts";
import { statusCommand } from "./cmd_status.ts";
import { resourceCommand } from "./cmd_resource.ts";
import { constraintLocationCommand } from "./cmd_constraint.ts";
import { nodeCommand } from "./cmd_node.ts";
import { propertyCommand } from "./cmd_property.ts";
import { fenceCommand } from "./cmd_fence.ts";

export const commands: readonly Command[] = [
  versionCommand,
  remoteCheckCommand,
  authkeyGenerateCommand,
  cibExportCommand,
  verifyCommand,
  simulateCommand,
  statusCommand,
  resourceCommand,
  constraintLocationCommand,
  nodeCommand,
  propertyCommand,
  fenceCommand,
];
