/**
 * Package resolution for plugins named by npm package name, done by hand so it behaves the same
 * on Node 20 and Deno (no `import.meta.resolve`, no `require` conditions): walk up from the base
 * directory through `node_modules`, read the package's `package.json` and follow its `exports`
 * (conditions `deno`/`node`, `import`, `module`, `default`), else `module`, `main`, `index.js`.
 */
import { readFile, stat } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { AtriumError, quote } from "../errors.ts";
import { currentRuntime } from "../runtime.ts";

/** Split `@scope/name/sub/path` into the package name and the export subpath (`.` or `./sub/path`). */
export function splitPackageSpecifier(spec: string): { name: string; subpath: string } | undefined {
  const parts = spec.split("/");
  const n = spec.startsWith("@") ? 2 : 1;
  if (parts.length < n || parts.slice(0, n).some((p) => p === "" || p === "." || p === "..")) return undefined;
  const name = parts.slice(0, n).join("/");
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name)) return undefined;
  const rest = parts.slice(n);
  if (rest.some((p) => p === "" || p === "." || p === "..")) return undefined;
  return { name, subpath: rest.length === 0 ? "." : `./${rest.join("/")}` };
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

function conditions(): string[] {
  return [currentRuntime(), "import", "module", "default"];
}

/** Resolve one export target (string, array of fallbacks, or a conditions object). */
function resolveTarget(target: unknown): string | undefined {
  if (typeof target === "string") return target.startsWith("./") ? target : undefined;
  if (Array.isArray(target)) {
    for (const t of target) {
      const r = resolveTarget(t);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  if (typeof target === "object" && target !== null) {
    const wanted = conditions();
    for (const [cond, t] of Object.entries(target)) {
      if (!wanted.includes(cond)) continue;
      const r = resolveTarget(t);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

/** Resolve `subpath` against a package.json `exports` field; undefined when it is not exported. */
export function resolveExports(exports: unknown, subpath: string): string | undefined {
  const isSubpathMap = typeof exports === "object" && exports !== null && !Array.isArray(exports) &&
    Object.keys(exports).some((k) => k.startsWith("."));
  const map: Record<string, unknown> = isSubpathMap ? (exports as Record<string, unknown>) : { ".": exports };
  if (subpath in map) return resolveTarget(map[subpath]);
  for (const [key, t] of Object.entries(map)) {
    const star = key.indexOf("*");
    if (star < 0) continue;
    const pre = key.slice(0, star);
    const post = key.slice(star + 1);
    if (subpath.startsWith(pre) && subpath.endsWith(post) && subpath.length >= pre.length + post.length) {
      const middle = subpath.slice(pre.length, subpath.length - post.length);
      const r = resolveTarget(t);
      if (r !== undefined) return r.split("*").join(middle);
    }
  }
  return undefined;
}

/** The entry file of a package directory for `subpath`, or undefined. */
export async function packageEntry(pkgDir: string, subpath: string, spec: string): Promise<string | undefined> {
  let pkg: Record<string, unknown> = {};
  const pj = join(pkgDir, "package.json");
  if (await isFile(pj)) {
    try {
      pkg = JSON.parse(await readFile(pj, "utf8")) as Record<string, unknown>;
    } catch (e) {
      throw new AtriumError("PLUGIN_NOT_FOUND", `Cannot load plugin ${quote(spec)}: ${pj} is not valid JSON (${(e as Error).message})`, {
        plugin: spec,
        hook: "load",
      });
    }
  }
  let rel: string | undefined;
  if (pkg["exports"] !== undefined) {
    rel = resolveExports(pkg["exports"], subpath);
    if (rel === undefined) return undefined;
  } else if (subpath === ".") {
    const main = [pkg["module"], pkg["main"]].find((m) => typeof m === "string") as string | undefined;
    for (const cand of [main, "mod.js", "index.js", "mod.ts"]) {
      if (cand !== undefined && (await isFile(join(pkgDir, cand)))) return resolve(pkgDir, cand);
    }
    return undefined;
  } else rel = subpath;
  const file = resolve(pkgDir, rel);
  if (file !== pkgDir && !file.startsWith(pkgDir + sep)) return undefined;
  return (await isFile(file)) ? file : undefined;
}

/**
 * Find the file a bare package specifier names, searching `node_modules` from `baseDir` up to
 * the root. Throws `PLUGIN_NOT_FOUND` saying where it looked.
 */
export async function resolvePackage(spec: string, baseDir: string): Promise<string> {
  const parsed = splitPackageSpecifier(spec);
  if (!parsed) {
    throw new TypeError(`Cannot load plugin ${quote(spec)}: expected a path, a package name or an import specifier`);
  }
  let dir = resolve(baseDir);
  for (;;) {
    const pkgDir = join(dir, "node_modules", parsed.name);
    if (await isDir(pkgDir)) {
      const entry = await packageEntry(pkgDir, parsed.subpath, spec);
      if (entry !== undefined) return entry;
      throw new AtriumError(
        "PLUGIN_NOT_FOUND",
        `Cannot load plugin ${quote(spec)}: package ${pkgDir} has no entry for ${quote(parsed.subpath)} (checked exports, module, main, index.js)`,
        { plugin: spec, hook: "load", details: { packageDir: pkgDir, subpath: parsed.subpath } },
      );
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new AtriumError(
    "PLUGIN_NOT_FOUND",
    `Cannot load plugin ${quote(spec)}: no package ${quote(parsed.name)} in node_modules of ${resolve(baseDir)} or its parents`,
    { plugin: spec, hook: "load", details: { baseDir: resolve(baseDir) } },
  );
}

export { isDir, isFile };
