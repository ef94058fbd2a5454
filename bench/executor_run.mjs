#!/usr/bin/env node
// Runs bench/executor.ts on Node 20 (which cannot load .ts): bundles it with esbuild into a
// temporary .mjs, then runs that with the same arguments. Usage: npm run bench:executor -- --duration 10
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "atrium-bench-build-"));
const outfile = join(dir, "executor.mjs");
try {
  await build({
    entryPoints: [join(here, "executor.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    logLevel: "warning",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: "inherit" });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
