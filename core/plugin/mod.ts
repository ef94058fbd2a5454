/**
 * The public plugin API (`atrium/plugin-api`): the only module a plugin imports.
 * @module
 */
export * from "./types.ts";
export { definePlugin } from "./define_plugin.ts";
