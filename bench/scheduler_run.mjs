#!/usr/bin/env node
// Scheduler benchmark: generates CIBs with ../shared/bench/gen-cib.mjs, then times
// `atrium simulate` (dist/atrium.mjs) and `crm_simulate -s` on each (wall clock and peak RSS
// via /usr/bin/time -v, each under a time bound) and prints the ratio.
//
//   npm run bench:scheduler [-- --sizes 16:64:0:64,64:1000:0:5000] [--timeout 300] [--state steady]
//   sizes are nodes:guests:remotes:resources; default 16:64:0:64,32:256:0:1000,64:1000:0:5000
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const gen = join(root, "..", "shared", "bench", "gen-cib.mjs");
const args = process.argv.slice(2);
const opt = (n, d) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : d; };
if (!existsSync(gen)) { console.log(`bench:scheduler skipped: ${gen} not found`); process.exit(0); }
const sizes = opt("--sizes", "16:64:0:64,32:256:0:1000,64:1000:0:5000").split(",").map((s) => s.split(":").map(Number));
const timeoutS = Number(opt("--timeout", "300"));
const state = opt("--state", "steady");
const haveCrm = spawnSync("sh", ["-c", "command -v crm_simulate"]).status === 0;
const haveTime = existsSync("/usr/bin/time");

spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], { stdio: "inherit" });
const dir = mkdtempSync(join(tmpdir(), "atrium-bench-"));

function timed(cmd, argv) {
  const t0 = performance.now();
  const full = haveTime ? ["/usr/bin/time", ["-v", "timeout", String(timeoutS), cmd, ...argv]] : ["timeout", [String(timeoutS), cmd, ...argv]];
  const r = spawnSync(full[0], full[1], { encoding: "utf8", maxBuffer: 1 << 30 });
  const wall = (performance.now() - t0) / 1000;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? "");
  return { wall, rssMB: rss ? Math.round(Number(rss[1]) / 1024) : NaN, rc: r.status, timedOut: r.status === 124 };
}

console.log(`state=${state} timeout=${timeoutS}s crm_simulate=${haveCrm ? "yes" : "absent"}`);
console.log("nodes guests remotes resources | CIB MB | atrium s (MB) | crm_simulate -s s (MB) | ratio");
for (const [n, g, r, k] of sizes) {
  const f = join(dir, `cib-${n}-${g}-${r}-${k}.xml`);
  spawnSync(process.execPath, [gen, "--cluster-nodes", String(n), "--guests", String(g), "--remotes", String(r),
    "--resources", String(k), "--state", state, "--seed", "1", "--out", f], { stdio: "ignore" });
  const mb = (statSync(f).size / 1048576).toFixed(1);
  const a = timed(process.execPath, [join(root, "dist", "atrium.mjs"), "simulate", "--xml-file", f, "--json"]);
  const c = haveCrm ? timed("crm_simulate", ["-s", "-x", f]) : undefined;
  const aStr = a.rc === 0 ? `${a.wall.toFixed(2)} (${a.rssMB})` : a.timedOut ? `>${timeoutS} (timeout)` : `rc ${a.rc}`;
  const cStr = !c ? "n/a" : c.timedOut ? `>${timeoutS} (timeout)` : `${c.wall.toFixed(2)} (${c.rssMB})`;
  const ratio = c && a.rc === 0 ? `${c.timedOut ? ">" : ""}${(c.wall / a.wall).toFixed(1)}x` : "n/a";
  console.log(`${String(n).padStart(5)} ${String(g).padStart(6)} ${String(r).padStart(7)} ${String(k).padStart(9)} | ${mb.padStart(6)} | ${aStr.padStart(13)} | ${cStr.padStart(22)} | ${ratio}`);
}
void readFileSync;
