/**
 * The built-in plugins: imported statically so esbuild (and `deno compile`, and Node's single
 * executable) bundle them, then validated through the same path as third-party plugins
 * (`loadModule`, so a broken built-in fails exactly like a broken third-party plugin).
 *
 * To add one: import its `mod.ts` namespace below and add a `["builtin:<name>", module]` entry.
 * The entries appear in registration order, which decides nothing (names must not collide).
 *
 * @example
 * ```ts
 * const registry = new Registry({ log });
 * for (const p of builtinPlugins()) await registry.register(p, { config: config.plugins?.[p.definition.name] });
 * ```
 */
import { type LoadedPlugin, loadModule } from "../core/plugin/loader.ts";
import * as alertAgents from "../plugins/alert-agents/mod.ts";
import * as fenceAgents from "../plugins/fence-agents/mod.ts";
import * as lsb from "../plugins/lsb/mod.ts";
import * as netns from "../plugins/netns/mod.ts";
import * as ocf from "../plugins/ocf/mod.ts";
import * as systemd from "../plugins/systemd/mod.ts";
import * as webhook from "../plugins/webhook/mod.ts";

/** The built-in plugin modules, by namespace (`builtin:<name>`). */
const BUILTIN_MODULES: readonly (readonly [string, unknown])[] = [
  ["builtin:ocf", ocf],
  ["builtin:lsb", lsb],
  ["builtin:systemd", systemd],
  ["builtin:netns", netns],
  ["builtin:fence-agents", fenceAgents],
  ["builtin:alert-agents", alertAgents],
  ["builtin:webhook", webhook],
  // More plugins under plugins/ (launchers, fence-agents, alert-agents, webhook) are added here
  // as they land: import the namespace above and add ["builtin:<name>", module].
];

/** Validate and return the built-in plugins, ready for `Registry.register`. */
export function builtinPlugins(): LoadedPlugin[] {
  return BUILTIN_MODULES.map(([namespace, mod]) => loadModule(namespace, mod));
}
