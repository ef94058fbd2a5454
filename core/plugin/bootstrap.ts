/**
 * Bringing up a node's plugins in the documented discovery order: the built-ins (imported
 * statically by the executable), then the plugins listed in the configuration (paths relative to
 * the configuration file, npm package names, or on Deno any import specifier), then an optional
 * plugin directory. Each plugin's `setup` gets `configs[name]`. The first failure stops the
 * bring-up and is thrown (a node must not run with half its configured plugins); what was
 * registered before it stays registered, for the caller to `close()`.
 *
 * @example
 * ```ts
 * const registry = new Registry({ log });
 * await registerPlugins(registry, {
 *   builtins: builtinPlugins(),
 *   plugins: ["./site-notifier.js", "atrium-plugin-webhook"],
 *   baseDir: "/etc/atrium",
 *   configs: { webhook: { url: "https://hooks.example/atrium" } },
 * });
 * ```
 */
import { listPluginDir, type LoadedPlugin, loadPlugin } from "./loader.ts";
import type { PluginInfo, Registry } from "./registry.ts";

export interface RegisterPluginsOptions {
  /** Statically imported plugins, already validated (`builtinPlugins()` in agents/). */
  readonly builtins?: readonly LoadedPlugin[];
  /** Specifiers from the configuration, in order. */
  readonly plugins?: readonly string[];
  /** Where relative specifiers and package names resolve from (the config file's directory). */
  readonly baseDir: string;
  /** A directory whose plugins are loaded last (see {@link listPluginDir}). */
  readonly pluginDir?: string;
  /** Each plugin's configuration, by plugin name, passed to its `setup`. */
  readonly configs?: Readonly<Record<string, unknown>>;
}

/** Load and register every plugin (see the module documentation); returns them in order. */
export async function registerPlugins(registry: Registry, opts: RegisterPluginsOptions): Promise<PluginInfo[]> {
  const out: PluginInfo[] = [];
  const add = async (p: LoadedPlugin) => {
    const config = opts.configs && Object.hasOwn(opts.configs, p.definition.name) ? opts.configs[p.definition.name] : undefined;
    out.push(await registry.register(p, { config }));
  };
  for (const p of opts.builtins ?? []) await add(p);
  for (const spec of opts.plugins ?? []) await add(await loadPlugin(spec, { baseDir: opts.baseDir }));
  if (opts.pluginDir !== undefined) {
    for (const path of await listPluginDir(opts.pluginDir)) await add(await loadPlugin(path, { baseDir: opts.pluginDir }));
  }
  return out;
}
