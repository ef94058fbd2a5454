/**
 * The plugin loader: turns a specifier from the node's configuration into a validated plugin
 * definition, ready for {@link Registry.register}. A specifier is
 *
 * - a path (`./x.js`, `../p/`, `/opt/p/mod.js`), relative to `baseDir`; a directory is read as
 *   a package (its `package.json` `exports`/`main`, else `mod.js`/`index.js`);
 * - a `file:` URL;
 * - an npm package name (`atrium-plugin-x`, `@org/p/sub`), resolved from `node_modules` upward
 *   of `baseDir`;
 * - on Deno only, any other import specifier (`npm:`, `jsr:`, `https:`), passed to `import()`.
 *
 * Built-in plugins, imported statically so bundlers include them, go through the same checks
 * with {@link loadModule}.
 *
 * @example
 * ```ts
 * const p = await loadPlugin("atrium-plugin-webhook", { baseDir: "/etc/atrium" });
 * await registry.register(p, { config });
 * ```
 */
import { readdir } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { AtriumError, quote } from "../errors.ts";
import { currentRuntime } from "../runtime.ts";
import { isDir, isFile, packageEntry, resolvePackage } from "./_resolve.ts";
import { checkApiVersions, validateDefinition } from "./_schema.ts";
import type { PluginDefinition } from "./types.ts";
import { SUPPORTED_API_VERSIONS } from "./types.ts";

/** A plugin module that passed validation. */
export interface LoadedPlugin {
  readonly kind: "atrium-loaded-plugin";
  /** The specifier as configured (or the built-in namespace). */
  readonly source: string;
  /** The URL imported, when loaded by {@link loadPlugin}. */
  readonly url?: string;
  readonly definition: PluginDefinition;
}

/** Options of {@link loadPlugin}. */
export interface LoadOptions {
  /** Relative paths and package names resolve from here (the configuration file's directory). */
  readonly baseDir: string;
  /** API versions to accept (default: the host's). */
  readonly supportedApiVersions?: readonly number[];
}

/**
 * Validate a statically imported module (`import * as m from ".../mod.ts"`) as a plugin;
 * `namespace` names it in messages (`builtin:ocf`). Throws what {@link loadPlugin} throws.
 */
export function loadModule(
  namespace: string,
  mod: unknown,
  opts: { supportedApiVersions?: readonly number[] } = {},
): LoadedPlugin {
  const def = defaultExport(mod, namespace);
  const d = validateDefinition(def, namespace);
  checkApiVersions(d, opts.supportedApiVersions ?? SUPPORTED_API_VERSIONS);
  return Object.freeze({ kind: "atrium-loaded-plugin", source: namespace, definition: d });
}

function defaultExport(mod: unknown, source: string): unknown {
  if ((typeof mod !== "object" && typeof mod !== "function") || mod === null || !("default" in mod)) {
    throw new AtriumError(
      "PLUGIN_MALFORMED",
      `Cannot load plugin from ${quote(source)}: the module has no default export, expected "export default definePlugin({...})"`,
      { plugin: source, hook: "load", details: { field: "(default export)", expected: "an object" } },
    );
  }
  return (mod as { default: unknown }).default;
}

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** Load, validate and API-check the plugin `spec` names (see the module documentation). */
export async function loadPlugin(spec: string, opts: LoadOptions): Promise<LoadedPlugin> {
  if (typeof spec !== "string" || spec.trim() === "") {
    throw new TypeError(`Cannot load plugin ${quote(spec)}: expected a path, a package name or an import specifier`);
  }
  if (typeof opts?.baseDir !== "string") {
    throw new TypeError(`Cannot load plugin ${quote(spec)}: options.baseDir must be a directory path`);
  }
  const url = await resolveSpecifier(spec, opts.baseDir);
  let mod: unknown;
  try {
    mod = await import(url);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const msg = e instanceof Error ? e.message : String(e);
    const notFound = code === "ERR_MODULE_NOT_FOUND" || /Module not found|Cannot find module|Relative import path/i.test(msg);
    throw new AtriumError(
      notFound && !url.startsWith("file:") ? "PLUGIN_NOT_FOUND" : "PLUGIN_LOAD_FAILED",
      `Cannot load plugin ${quote(spec)} from ${quote(url)}: ${msg}`,
      { plugin: spec, hook: "load", cause: e },
    );
  }
  const def = defaultExport(mod, spec);
  const d = validateDefinition(def, spec);
  checkApiVersions(d, opts.supportedApiVersions ?? SUPPORTED_API_VERSIONS);
  return Object.freeze({ kind: "atrium-loaded-plugin", source: spec, url, definition: d });
}

/** The URL `import()` gets for `spec`; throws `PLUGIN_NOT_FOUND` when there is nothing there. */
export async function resolveSpecifier(spec: string, baseDir: string): Promise<string> {
  if (spec.startsWith("file:")) {
    let path: string;
    try {
      path = fileURLToPath(spec);
    } catch {
      throw new TypeError(`Cannot load plugin ${quote(spec)}: not a valid file: URL`);
    }
    return await fileOrPackageDir(path, spec);
  }
  const isPath = spec === "." || spec === ".." || spec.startsWith("./") || spec.startsWith("../") || isAbsolute(spec);
  if (isPath) return await fileOrPackageDir(resolve(baseDir, spec), spec);
  if (URL_SCHEME.test(spec)) {
    if (currentRuntime() === "deno") return spec;
    throw new AtriumError(
      "PLUGIN_NOT_FOUND",
      `Cannot load plugin ${quote(spec)}: import specifiers other than file: work only on Deno; on Node give a path or an npm package name`,
      { plugin: spec, hook: "load" },
    );
  }
  return pathToFileURL(await resolvePackage(spec, baseDir)).href;
}

/**
 * The plugins in a plugin directory (Nomad's `plugin_dir`, e.g. `/usr/lib/atrium/plugins`): each
 * `*.js`/`*.mjs` file and each sub-directory with a `package.json`, `mod.js` or `index.js`, as
 * absolute paths for {@link loadPlugin}, sorted by name. A missing directory has no plugins.
 * Names starting with "." or "_" are skipped.
 */
export async function listPluginDir(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as { code?: unknown }).code === "ENOENT") return [];
    throw e;
  }
  const out: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith(".") || name.startsWith("_")) continue;
    const path = resolve(dir, name);
    if (/\.m?js$/.test(name) && (await isFile(path))) out.push(path);
    else if (await isDir(path)) {
      for (const entry of ["package.json", "mod.js", "index.js"]) {
        if (await isFile(join(path, entry))) {
          out.push(path);
          break;
        }
      }
    }
  }
  return out;
}

async function fileOrPackageDir(path: string, spec: string): Promise<string> {
  if (await isFile(path)) return pathToFileURL(path).href;
  if (await isDir(path)) {
    const entry = await packageEntry(path, ".", spec);
    if (entry !== undefined) return pathToFileURL(entry).href;
    throw new AtriumError(
      "PLUGIN_NOT_FOUND",
      `Cannot load plugin ${quote(spec)}: directory ${path} has no package.json entry, mod.js or index.js`,
      { plugin: spec, hook: "load", details: { path } },
    );
  }
  throw new AtriumError("PLUGIN_NOT_FOUND", `Cannot load plugin ${quote(spec)}: no file or directory at ${path}`, {
    plugin: spec,
    hook: "load",
    details: { path },
  });
}
