/**
 * The public plugin API (`atrium/plugin-api`): the only module a plugin imports.
 * @module
 */
export * from "./types.ts";
export { definePlugin } from "./define_plugin.ts";
/** The conformance kit plugin authors run against their plugin (see conformance.ts). */
export * as conformance from "./conformance.ts";
export * from "./spawn.ts";
export { AtriumError, isAtriumError } from "../errors.ts";
export { isTrueValue, type RawAgentMetadata, type RawAgentParameter, readAgentMetadata } from "./agent_metadata.ts";
export { OCF_RC_TEXT } from "./ocf_rc_text.ts";
export { agentFeatures, type AgentFeatures, NO_FEATURES } from "./fence_features.ts";
export * from "./agent_exec.ts";
