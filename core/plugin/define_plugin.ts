import type { PluginDefinition } from "./types.ts";

/**
 * Declare a plugin. Returns its argument unchanged, typed; the registry validates it on load.
 *
 * @example
 * ```ts
 * export default definePlugin({ name: "example", version: "1.0.0", apiVersions: [1], notifiers: [] });
 * ```
 */
export function definePlugin<const T extends PluginDefinition>(def: T): T {
  return def;
}
