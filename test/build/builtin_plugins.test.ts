/**
 * The built-in plugin list (agents/_builtin_plugins.ts): every entry passes the same validation
 * as a third-party plugin and registers next to the others without a name conflict.
 */
import { describe, expect, it } from "vitest";
import { builtinPlugins } from "../../agents/_builtin_plugins.ts";
import { Registry } from "../../core/plugin/registry.ts";

describe("built-in plugins", () => {
  it("validate and register together without conflicts", async () => {
    const loaded = builtinPlugins();
    expect(loaded.length).toBeGreaterThan(0);
    for (const p of loaded) expect(p.source).toBe(`builtin:${p.definition.name}`);
    const registry = new Registry();
    for (const p of loaded) await registry.register(p);
    expect(registry.plugins().map((p) => p.name)).toEqual(loaded.map((p) => p.definition.name));
    for (const name of ["ocf", "lsb", "systemd"]) {
      if (loaded.some((p) => p.definition.resourceClasses?.some((rc) => rc.name === name))) {
        expect(registry.resourceClass(name)?.name).toBe(name);
      }
    }
    await registry.close();
  });
});
