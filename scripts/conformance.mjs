#!/usr/bin/env node
// Scheduler conformance: runs every case of ../shared/conformance/scheduler in-process (the
// scheduler is bundled once with esbuild), compares with compare-scheduler.mjs's rules, prints
// per-tag rates (final placement | final placement and summary) and "N passed, N failed".
// Exit status follows the ratchet: 1 when any rate is below its floor in
// test/conformance/floors.json (or a case crashed), else 0.
//
//   npm run conformance [-- --verbose] [--only a,b] [--write-floors] [--cases DIR] [--json-out FILE]
import { build } from "esbuild";
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const casesDir = opt("--cases") ?? join(root, "..", "shared", "conformance", "scheduler", "cases");
if (!existsSync(casesDir)) {
  console.log(`conformance: skipped, corpus not found at ${casesDir}`);
  process.exit(0);
}
const tmp = mkdtempSync(join(tmpdir(), "atrium-conf-"));
const out = join(tmp, "run.mjs");
await build({ entryPoints: [join(root, "core/scheduler/conformance_run.ts")], outfile: out, bundle: true,
  platform: "node", target: "node20", format: "esm", logLevel: "warning" });
const { runCorpus } = await import(pathToFileURL(out).href);
rmSync(tmp, { recursive: true, force: true });

const only = opt("--only") ? new Set(opt("--only").split(",")) : undefined;
const t0 = performance.now();
const { results, perTag } = runCorpus(casesDir, only);
const secs = ((performance.now() - t0) / 1000).toFixed(1);
const verbose = args.includes("--verbose");
for (const r of results) {
  if (r.crash) { console.log(`CRASH ${r.name}\n    ${r.crash.split("\n").slice(0, 4).join("\n    ")}`); continue; }
  if (!r.pass && verbose) {
    console.log(`FAIL ${r.name}`);
    for (const p of r.problems.slice(0, 8)) console.log("    " + p);
    if (r.problems.length > 8) console.log(`    ... ${r.problems.length - 8} more`);
  }
}
const pct = (a, b) => (b ? (100 * a / b).toFixed(1) : "0.0");
console.log("");
console.log("pass rate per tag (final placement | final placement and summary):");
for (const t of Object.keys(perTag).sort()) {
  const x = perTag[t];
  console.log(`  ${t.padEnd(20)} ${String(x.final).padStart(4)}/${String(x.total).padEnd(4)} ${pct(x.final, x.total).padStart(5)}%   | ${String(x.pass).padStart(4)}/${String(x.total).padEnd(4)} ${pct(x.pass, x.total).padStart(5)}%`);
}
const crashes = results.filter((r) => r.crash).length;
const passed = results.filter((r) => r.pass).length;
console.log(`${crashes} crashed; ${results.length} cases in ${secs}s`);
console.log(`${passed} passed, ${results.length - passed} failed`);

if (opt("--json-out")) {
  writeFileSync(opt("--json-out"), JSON.stringify({ total: results.length, perTag,
    cases: Object.fromEntries(results.map((r) => [r.name, { pass: r.pass, finalPass: r.finalPass }])) }, null, 1));
}
const floorsPath = join(root, "test/conformance/floors.json");
if (args.includes("--write-floors") && !only) {
  const floors = {};
  for (const t of Object.keys(perTag).sort()) {
    const x = perTag[t];
    floors[t] = { final: Math.floor(1000 * x.final / x.total) / 10, pass: Math.floor(1000 * x.pass / x.total) / 10 };
  }
  writeFileSync(floorsPath, JSON.stringify(floors, null, 1) + "\n");
  console.log(`floors written to ${floorsPath}`);
}
let below = 0;
if (existsSync(floorsPath) && !only) {
  const floors = JSON.parse(readFileSync(floorsPath, "utf8"));
  for (const [t, f] of Object.entries(floors)) {
    const x = perTag[t];
    if (!x) continue;
    for (const k of ["final", "pass"]) {
      const rate = 100 * x[k] / x.total;
      if (rate + 1e-9 < f[k]) { below++; console.log(`RATCHET: ${t} ${k} rate ${rate.toFixed(1)}% is below its floor ${f[k]}%`); }
    }
  }
}
process.exit(below > 0 || crashes > 0 ? 1 : 0);
