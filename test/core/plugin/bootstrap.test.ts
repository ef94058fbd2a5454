import { cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerPlugins } from "../../../core/plugin/bootstrap.ts";
import { loadModule } from "../../../core/plugin/loader.ts";
import { Registry } from "../../../core/plugin/registry.ts";

const fixtures = resolve(import.meta.dirname, "../../fixtures/plugins");
let base = "";

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "atrium-bootstrap-"));
  await cp(join(fixtures, "pkg-notifier"), join(base, "node_modules", "atrium-plugin-fixture-notifier"), { recursive: true });
  await mkdir(join(base, "plugins.d"));
  await cp(join(fixtures, "pkg-notifier", "lib", "extra.js"), join(base, "plugins.d", "extra.js"));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("registerPlugins", () => {
  it("registers built-ins, configured plugins, then the plugin directory, passing each its config", async () => {
    const builtin = loadModule("builtin:core-test", { default: { name: "core-test", version: "1", apiVersions: [1] } });
    const sink: string[] = [];
    const registry = new Registry();
    const infos = await registerPlugins(registry, {
      builtins: [builtin],
      plugins: [join(fixtures, "fixture_plugin.js"), "atrium-plugin-fixture-notifier"],
      baseDir: base,
      pluginDir: join(base, "plugins.d"),
      configs: { "fixture-notifier-pkg": { sink } },
    });
    expect(infos.map((i) => [i.name, i.source])).toEqual([
      ["core-test", "builtin:core-test"],
      ["fixture", join(fixtures, "fixture_plugin.js")],
      ["fixture-notifier-pkg", "atrium-plugin-fixture-notifier"],
      ["fixture-extra", join(base, "plugins.d", "extra.js")],
    ]);
    expect(sink).toEqual(["setup"]);
    await registry.close();
    expect(sink).toEqual(["setup", "teardown"]);
  });

  it("stops at the first plugin that fails, with its error", async () => {
    const registry = new Registry();
    const err = await registerPlugins(registry, {
      plugins: [join(fixtures, "fixture_plugin.js"), "./bad_api_version.js", "atrium-plugin-fixture-notifier"],
      baseDir: fixtures,
    }).catch((e) => e);
    expect(err.code).toBe("PLUGIN_API_UNSUPPORTED");
    expect(registry.plugins().map((p) => p.name)).toEqual(["fixture"]);
    await registry.close();
  });
});
