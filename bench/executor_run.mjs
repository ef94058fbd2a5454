#!/usr/bin/env node
// Runs bench/executor.ts on Node 20 (which cannot load .ts): bundles it with esbuild into a
// temporary .mjs, then runs that with the same arguments (with --netns: inside a network namespace
// of its own). Usage: npm run bench:executor -- --duration 10 [--remote --netns]
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
  const args = process.argv.slice(2).filter((a) => a !== "--netns");
  if (args.length < process.argv.length - 2) {
    // A network namespace of our own: only one pacemaker-remoted may run per namespace.
    const ns = `atrium-bench-exec-${process.pid}`;
    const ip = (...a) => spawnSync("ip", a, { stdio: "inherit" });
    if (ip("netns", "add", ns).status !== 0) throw new Error(`Cannot create network namespace "${ns}" (needs root and iproute2)`);
    try {
      ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
      const r = spawnSync("ip", ["netns", "exec", ns, process.execPath, outfile, ...args], { stdio: "inherit" });
      process.exitCode = r.status ?? 1;
    } finally {
      ip("netns", "del", ns);
    }
  } else {
    const r = spawnSync(process.execPath, [outfile, ...args], { stdio: "inherit" });
    process.exitCode = r.status ?? 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
