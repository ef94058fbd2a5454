import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AtriumError } from "../../../core/errors.ts";
import { loadModule, loadPlugin } from "../../../core/plugin/loader.ts";
import { Registry } from "../../../core/plugin/registry.ts";

const fixtures = resolve(import.meta.dirname, "../../fixtures/plugins");
const onDeno = typeof (globalThis as { Deno?: unknown }).Deno === "object";
let project = "";

beforeAll(async () => {
  // A project whose node_modules holds the package-style fixture, and a nested config dir.
  project = await mkdtemp(join(tmpdir(), "atrium-loader-"));
  await cp(join(fixtures, "pkg-notifier"), join(project, "node_modules", "atrium-plugin-fixture-notifier"), { recursive: true });
  await mkdir(join(project, "node_modules", "@acme", "scoped"), { recursive: true });
  await writeFile(join(project, "node_modules", "@acme", "scoped", "package.json"), JSON.stringify({ name: "@acme/scoped", main: "main.js" }));
  await writeFile(join(project, "node_modules", "@acme", "scoped", "main.js"),
    `export default { name: "scoped", version: "1.0.0", apiVersions: [1] };\n`);
  await mkdir(join(project, "etc", "atrium"), { recursive: true });
});
afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

async function refusal(p: Promise<unknown>): Promise<AtriumError> {
  const e = await p.then(() => undefined, (x) => x);
  expect(e, "expected a refusal").toBeDefined();
  return e as AtriumError;
}

describe("loadPlugin", () => {
  it("loads a plain ESM plugin by a path relative to the base dir and registers it", async () => {
    const p = await loadPlugin("./fixture_plugin.js", { baseDir: fixtures });
    expect(p.source).toBe("./fixture_plugin.js");
    expect(p.url).toBe(pathToFileURL(join(fixtures, "fixture_plugin.js")).href);
    const r = new Registry();
    const info = await r.register(p);
    expect(info).toMatchObject({
      name: "fixture", version: "1.2.3", apiVersion: 1, source: "./fixture_plugin.js",
      resourceClasses: ["fixture"], launchers: ["fixture-launcher"], fenceAgents: ["fence_fixture"], notifiers: ["fixture-notifier"],
    });
    const res = await r.resourceClass("fixture")!.exec(
      { resource: "x", agent: { class: "fixture", type: "memory" }, action: "monitor", intervalMs: 0, timeoutMs: 100, params: {}, meta: {} },
      r.context(),
    );
    expect(res).toMatchObject({ rc: 7, status: "done" });
  });

  it("loads by absolute path, by file: URL and by directory", async () => {
    expect((await loadPlugin(join(fixtures, "fixture_plugin.js"), { baseDir: "/" })).definition.name).toBe("fixture");
    const url = pathToFileURL(join(fixtures, "fixture_plugin.js")).href;
    expect((await loadPlugin(url, { baseDir: "/" })).definition.name).toBe("fixture");
    expect((await loadPlugin("./pkg-notifier", { baseDir: fixtures })).definition.name).toBe("fixture-notifier-pkg");
  });

  it("loads an npm package by name from node_modules above the base dir, following exports", async () => {
    const base = join(project, "etc", "atrium");
    const p = await loadPlugin("atrium-plugin-fixture-notifier", { baseDir: base });
    expect(p.definition.name).toBe("fixture-notifier-pkg");
    expect(p.url).toBe(pathToFileURL(join(project, "node_modules", "atrium-plugin-fixture-notifier", "lib", "mod.js")).href);
    expect((await loadPlugin("atrium-plugin-fixture-notifier/extra", { baseDir: base })).definition.name).toBe("fixture-extra");
    expect((await loadPlugin("@acme/scoped", { baseDir: base })).definition.name).toBe("scoped");

    const sink: string[] = [];
    const r = new Registry();
    await r.register(p, { config: { sink } });
    r.notifyAll({ kind: "node", sequence: 7, timestamp: "t" });
    await r.close();
    expect(sink).toEqual(["setup", "event 7", "teardown"]);
  });

  it("says PLUGIN_NOT_FOUND for a missing path, package or export", async () => {
    const missing = await refusal(loadPlugin("./nope.js", { baseDir: fixtures }));
    expect([missing.code, missing.plugin, missing.hook]).toEqual(["PLUGIN_NOT_FOUND", "./nope.js", "load"]);
    expect(missing.message).toContain(join(fixtures, "nope.js"));
    const pkg = await refusal(loadPlugin("atrium-plugin-none", { baseDir: project }));
    expect(pkg.code).toBe("PLUGIN_NOT_FOUND");
    expect(pkg.message).toContain('no package "atrium-plugin-none" in node_modules of');
    const sub = await refusal(loadPlugin("atrium-plugin-fixture-notifier/private", { baseDir: project }));
    expect(sub.code).toBe("PLUGIN_NOT_FOUND");
    expect(sub.message).toContain('has no entry for "./private"');
    await expect(loadPlugin("", { baseDir: project })).rejects.toThrow(TypeError);
  });

  it("refuses modules that are not plugins: malformed, without default, wrong API, throwing", async () => {
    const notObject = await refusal(loadPlugin("./bad_not_object.js", { baseDir: fixtures }));
    expect(notObject.code).toBe("PLUGIN_MALFORMED");
    expect(notObject.message).toContain('default export is the string "a string is not a plugin"');
    const noDefault = await refusal(loadPlugin("./bad_no_default.js", { baseDir: fixtures }));
    expect(noDefault.code).toBe("PLUGIN_MALFORMED");
    expect(noDefault.message).toContain("no default export");
    const api = await refusal(loadPlugin("./bad_api_version.js", { baseDir: fixtures }));
    expect(api.code).toBe("PLUGIN_API_UNSUPPORTED");
    expect(api.message).toContain('"from-the-future" 9.0.0: it supports plugin API versions [2, 3], this host supports [1]');
    const throws = await refusal(loadPlugin("./bad_throws.js", { baseDir: fixtures }));
    expect(throws.code).toBe("PLUGIN_LOAD_FAILED");
    expect(throws.message).toContain("missing native library");
  });

  it("refuses npm: and https: specifiers on Node, and passes them to import() on Deno", async () => {
    if (!onDeno) {
      const e = await refusal(loadPlugin("npm:atrium-plugin-x", { baseDir: project }));
      expect(e.code).toBe("PLUGIN_NOT_FOUND");
      expect(e.message).toContain("work only on Deno");
      return;
    }
    const e = await refusal(loadPlugin("https://127.0.0.1:1/nothing.js", { baseDir: "/" }));
    expect(["PLUGIN_NOT_FOUND", "PLUGIN_LOAD_FAILED"]).toContain(e.code);
    expect(e.plugin).toBe("https://127.0.0.1:1/nothing.js");
    expect(e.message).toContain('from "https://127.0.0.1:1/nothing.js"');
  });
});

describe("loadModule", () => {
  it("validates a statically imported module the same way", async () => {
    const mod = await import("../../fixtures/plugins/fixture_plugin.js");
    const p = loadModule("builtin:fixture", mod);
    expect(p.source).toBe("builtin:fixture");
    expect(p.definition.name).toBe("fixture");
    expect(() => loadModule("builtin:bad", { default: { name: "x" } })).toThrow(/field "version" must be a string/);
    expect(() => loadModule("builtin:none", {})).toThrow(/no default export/);
    expect(() => loadModule("builtin:api", { default: { name: "x", version: "1", apiVersions: [7] } })).toThrow(/supports plugin API versions \[7\]/);
  });
});

describe("listPluginDir", () => {
  it("lists .js/.mjs files and package-like directories, sorted, skipping hidden and private names", async () => {
    const { listPluginDir } = await import("../../../core/plugin/loader.ts");
    const dir = join(project, "plugin_dir");
    await mkdir(join(dir, "b-pkg"), { recursive: true });
    await writeFile(join(dir, "b-pkg", "mod.js"), "export default {};\n");
    await mkdir(join(dir, "empty"));
    await writeFile(join(dir, "a.mjs"), "");
    await writeFile(join(dir, "_private.js"), "");
    await writeFile(join(dir, "notes.txt"), "");
    await cp(join(fixtures, "fixture_plugin.js"), join(dir, "c.js"));
    expect(await listPluginDir(dir)).toEqual([join(dir, "a.mjs"), join(dir, "b-pkg"), join(dir, "c.js")]);
    expect(await listPluginDir(join(project, "nowhere"))).toEqual([]);
    expect((await loadPlugin(join(dir, "c.js"), { baseDir: dir })).definition.name).toBe("fixture");
  });
});

describe("package resolution", () => {
  it("follows exports conditions and patterns, and never leaves the package directory", async () => {
    const { resolveExports, splitPackageSpecifier } = await import("../../../core/plugin/_resolve.ts");
    const runtime = onDeno ? "deno" : "node";
    expect(resolveExports("./a.js", ".")).toBe("./a.js");
    expect(resolveExports({ require: "./c.cjs", import: "./m.js" }, ".")).toBe("./m.js");
    expect(resolveExports({ ".": { [runtime]: "./rt.js", default: "./d.js" } }, ".")).toBe("./rt.js");
    expect(resolveExports({ "./plugins/*": "./dist/*.js" }, "./plugins/x")).toBe("./dist/x.js");
    expect(resolveExports({ ".": "./a.js" }, "./b")).toBeUndefined();
    expect(resolveExports({ ".": "../outside.js" }, ".")).toBeUndefined();
    expect(splitPackageSpecifier("@acme/p/sub/x")).toEqual({ name: "@acme/p", subpath: "./sub/x" });
    expect(splitPackageSpecifier("p/../../etc")).toBeUndefined();
    await expect(loadPlugin("p/../../etc/passwd", { baseDir: project })).rejects.toThrow(TypeError);
  });
});
