#!/usr/bin/env node
// Runs bench/remote.ts on Node 20 (which cannot load .ts): bundles it and atrium-remoted with
// esbuild into a temporary directory, then runs the bench. Usage: npm run bench:remote -- --duration 5
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "atrium-bench-remote-build-"));
const banner = { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" };
const common = { bundle: true, platform: "node", target: "node20", format: "esm", logLevel: "warning", banner };
try {
  await build({ ...common, entryPoints: [join(here, "remote.ts")], outfile: join(dir, "remote.mjs") });
  await build({ ...common, entryPoints: [join(here, "..", "agents", "atrium-remoted", "main.ts")], outfile: join(dir, "atrium-remoted.mjs") });
  const r = spawnSync(process.execPath, [join(dir, "remote.mjs"), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: {
      ...process.env,
      ATRIUM_REMOTED_BUNDLE: join(dir, "atrium-remoted.mjs"),
      ATRIUM_REAL_REMOTED_SCRIPT: join(here, "..", "..", "shared", "reference", "run-real-remoted.sh"),
    },
  });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
