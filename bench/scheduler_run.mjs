#!/usr/bin/env node
// Scheduler benchmark. For each size and state it generates a CIB with
// ../shared/bench/gen-cib.mjs (into a temporary directory, never the repository), then measures
//   - atrium: `atrium simulate --xml-file F --json` (dist/atrium.mjs, rebuilt first), wall time
//     and peak RSS via /usr/bin/time -v, plus a per-phase split (read, parse, schedule, output)
//     from a small esbuild-bundled probe of core/cib + core/scheduler;
//   - crm_simulate -s -x F (Pacemaker), under a time bound, same wall/RSS measurement;
// and prints the ratio crm_simulate/atrium. Progress goes to stderr, the table to stdout.
//
//   npm run bench:scheduler [-- OPTIONS]
//     --sizes LIST     comma-separated nodes:guests:remotes:resources[:probes] (probes full|none)
//                      default: 16:64:0:64:full,16:256:0:1024:full,32:1000:0:5000:none,32:1000:0:10000:none
//                      (the 1,000-guest rows use probes none as in ../shared/bench: with full probe
//                      history the steady CIB is ~4 GB, beyond what one JavaScript string holds)
//     --states LIST    fresh,steady (default both; steady has one failed cluster node)
//     --timeout S      time bound per run, seconds (default 300)
//     --crm MODE       all | none | N (run crm_simulate only up to N resources) (default all)
//     --no-phases      skip the per-phase probe
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const gen = join(root, "..", "shared", "bench", "gen-cib.mjs");
const args = process.argv.slice(2);
const opt = (n, d) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : d; };
if (!existsSync(gen)) { console.log(`bench:scheduler skipped: ${gen} not found`); process.exit(0); }
const sizes = opt("--sizes", "16:64:0:64:full,16:256:0:1024:full,32:1000:0:5000:none,32:1000:0:10000:none")
  .split(",").map((s) => { const p = s.split(":"); return { n: +p[0], g: +p[1], r: +p[2], k: +p[3], probes: p[4] ?? "none" }; });
const states = opt("--states", "fresh,steady").split(",");
const timeoutS = Number(opt("--timeout", "300"));
const crmMode = opt("--crm", "all");
const phases = !args.includes("--no-phases");
const haveCrm = spawnSync("sh", ["-c", "command -v crm_simulate"]).status === 0;
const haveTime = existsSync("/usr/bin/time");
const log = (s) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);

log("building dist/atrium.mjs");
spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], { stdio: "inherit" });
const dir = mkdtempSync(join(tmpdir(), "atrium-bench-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

// The per-phase probe: parse and schedule as `atrium simulate --json` does, timing each step.
const probe = join(dir, "phases.mjs");
if (phases) {
  const src = join(dir, "phases.ts");
  writeFileSync(src, `import { readFileSync } from "node:fs";
import { parseCib } from ${JSON.stringify(join(root, "core/cib/codec.ts"))};
import { schedule } from ${JSON.stringify(join(root, "core/scheduler/mod.ts"))};
import { toConformance } from ${JSON.stringify(join(root, "core/scheduler/conformance.ts"))};
const f = process.argv[2];
const t0 = performance.now();
const text = readFileSync(f, "utf8");
const t1 = performance.now();
const cib = parseCib(text, { fileName: f });
const t2 = performance.now();
const t = schedule(cib);
const t3 = performance.now();
const out = JSON.stringify(toConformance(t), null, 1);
const t4 = performance.now();
console.log(JSON.stringify({ read: t1 - t0, parse: t2 - t1, schedule: t3 - t2, output: t4 - t3, bytes: out.length }));
`);
  const { build } = await import("esbuild");
  await build({ entryPoints: [src], outfile: probe, bundle: true, platform: "node", target: "node20", format: "esm",
    logLevel: "warning", nodePaths: [join(root, "node_modules")],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } });
}

/**
 * Run under `timeout` (and /usr/bin/time -v, its report in a file). Output is discarded unless
 * `keepStdout` (crm_simulate -s prints every score: at 5,000 resources that is more text than
 * one JavaScript string holds).
 */
function timed(cmd, argv, keepStdout = false) {
  const timeFile = join(dir, "time.txt");
  const t0 = performance.now();
  const full = haveTime ? ["/usr/bin/time", ["-v", "-o", timeFile, "timeout", String(timeoutS), cmd, ...argv]] : ["timeout", [String(timeoutS), cmd, ...argv]];
  const r = spawnSync(full[0], full[1], { encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", keepStdout ? "pipe" : "ignore", "ignore"] });
  const wall = (performance.now() - t0) / 1000;
  let report = "";
  try { report = haveTime ? readFileSync(timeFile, "utf8") : ""; } catch { /* no report */ }
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
  return { wall, rssMB: rss ? Math.round(Number(rss[1]) / 1024) : NaN, rc: r.status, timedOut: r.status === 124, stdout: r.stdout ?? "" };
}

const s = (x) => (x / 1000).toFixed(2);
console.log(`timeout=${timeoutS}s crm_simulate=${haveCrm ? crmMode : "absent"} cores=${(await import("node:os")).availableParallelism()} load=${(await import("node:os")).loadavg()[0].toFixed(1)}`);
console.log("nodes guests resources probes state  | CIB MB | atrium s (MB) | read/parse/schedule/output s | crm_simulate -s s (MB) | ratio");
for (const { n, g, r, k, probes } of sizes) {
  for (const state of states) {
    const f = join(dir, `cib-${n}-${g}-${r}-${k}-${probes}-${state}.xml`);
    log(`generating ${n} nodes, ${g} guests, ${r} remotes, ${k} resources, probes ${probes}, ${state}`);
    const gr = spawnSync(process.execPath, [gen, "--cluster-nodes", String(n), "--guests", String(g), "--remotes", String(r),
      "--resources", String(k), "--state", state, "--probes", probes, "--seed", "1", "--out", f], { stdio: "ignore" });
    if (gr.status !== 0) { log(`gen-cib.mjs failed (rc ${gr.status}); row skipped`); continue; }
    const mb = (statSync(f).size / 1048576).toFixed(1);
    log(`atrium simulate on ${mb} MB`);
    const a = timed(process.execPath, [join(root, "dist", "atrium.mjs"), "simulate", "--xml-file", f, "--json"]);
    let ph = "n/a";
    if (phases && a.rc === 0) {
      log("phase probe");
      const p = timed(process.execPath, [probe, f], true);
      try { const j = JSON.parse(p.stdout); ph = `${s(j.read)}/${s(j.parse)}/${s(j.schedule)}/${s(j.output)}`; } catch { ph = `rc ${p.rc}`; }
    }
    const runCrm = haveCrm && crmMode !== "none" && (crmMode === "all" || k <= Number(crmMode));
    if (runCrm) log(`crm_simulate -s (bound ${timeoutS}s)`);
    const c = runCrm ? timed("crm_simulate", ["-s", "-x", f]) : undefined;
    const aStr = a.rc === 0 ? `${a.wall.toFixed(2)} (${a.rssMB})` : a.timedOut ? `>${timeoutS} (timeout)` : `rc ${a.rc}`;
    const cStr = !c ? "n/a" : c.timedOut ? `>${timeoutS} (timeout)` : c.rc !== 0 ? `rc ${c.rc}` : `${c.wall.toFixed(2)} (${c.rssMB})`;
    const ratio = c && a.rc === 0 && (c.rc === 0 || c.timedOut) ? `${c.timedOut ? ">" : ""}${(c.wall / a.wall).toFixed(1)}x` : "n/a";
    console.log(`${String(n).padStart(5)} ${String(g).padStart(6)} ${String(k).padStart(9)} ${probes.padStart(6)} ${state.padEnd(6)} | ${mb.padStart(6)} | ${aStr.padStart(13)} | ${ph.padStart(28)} | ${cStr.padStart(22)} | ${ratio}`);
    rmSync(f, { force: true });
  }
}
