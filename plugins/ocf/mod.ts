/**
 * The `ocf` resource class plugin: OCF resource agents (resource-agents, pacemaker) run
 * unmodified, with the environment Pacemaker 2.1.5 gives them.
 * @module
 */
import { definePlugin } from "../../core/plugin/mod.ts";
import { createOcfClass } from "./ocf_class.ts";

export { createOcfClass, ocfAgentPath, type OcfClassOptions } from "./ocf_class.ts";
export { exitReason, OCF_EXIT_REASON_PREFIX, ocfEnvironment } from "./env.ts";
export { parseOcfMetadata } from "./metadata.ts";
export { parseDurationMs } from "./duration.ts";
export { ocfEffectiveRc, ocfExitToRc, ocfRcName, ocfSeverity, type OcfSeverity } from "./severity.ts";

/** The built-in `ocf` plugin (OCF_ROOT from the environment, default /usr/lib/ocf). */
export default definePlugin({
  name: "ocf",
  version: "0.1.0",
  apiVersions: [1],
  resourceClasses: [createOcfClass()],
});
