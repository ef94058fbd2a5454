// Architecture rules from DESIGN.md, checked on every import of every source file:
// core/ imports nothing from plugins/ or agents/; plugins import from core/ only through the
// public plugin API (core/plugin/mod.ts); core/ and plugins/ never read Deno.* globals.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']/g)) specs.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) specs.push(m[1]!);
  return specs;
}

function offending(area: string, allowed: (target: string, file: string) => boolean): string[] {
  const bad: string[] = [];
  for (const file of sources(join(root, area))) {
    for (const spec of imports(file)) {
      if (!spec.startsWith(".")) continue;
      const target = relative(root, resolve(dirname(file), spec));
      if (!allowed(target, file)) bad.push(`${relative(root, file)} imports ${JSON.stringify(spec)} (${target})`);
    }
  }
  return bad;
}

describe("layering", () => {
  it("core/ imports nothing from plugins/ or agents/", () => {
    expect(offending("core", (t) => !t.startsWith("plugins/") && !t.startsWith("agents/"))).toEqual([]);
  });

  it("plugins import core/ only through the plugin API, and never another plugin", () => {
    const bad = offending("plugins", (t, file) => {
      if (t.startsWith("core/")) return t === "core/plugin/mod.ts";
      if (t.startsWith("plugins/")) return t.split("/")[1] === relative(join(root, "plugins"), file).split("/")[0];
      return false;
    });
    expect(bad).toEqual([]);
  });

  it("core/ and plugins/ use no Deno-only or Node-only globals", () => {
    const bad: string[] = [];
    for (const area of ["core", "plugins"]) {
      for (const file of sources(join(root, area))) {
        if (relative(root, file) === "core/runtime.ts") continue; // the one runtime probe
        const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
        if (/\bDeno\./.test(text)) bad.push(`${relative(root, file)} reads Deno.*`);
        if (/\brequire\(/.test(text)) bad.push(`${relative(root, file)} calls require()`);
        if (/(?<![\w.])__dirname\b|(?<![\w.])__filename\b/.test(text)) bad.push(`${relative(root, file)} uses __dirname/__filename`);
      }
    }
    expect(bad).toEqual([]);
  });
});
