#!/usr/bin/env node
// `npm run bench:failover`: runs whichever halves of the failover bench exist and prints them
// side by side.
//
//   npm run bench:failover -- [--only real|real+atrium-remoted|atrium] [--trials N] [--report]
//
// --report: run nothing, print the table from the JSON files already in bench/out.
//
// Columns: "real" = bench/failover_real.mjs (REAL Pacemaker 2.1.5 with pacemaker-remoted),
// "real+atrium-remoted" = the same with atrium-remoted as the remote/guest daemon, "atrium" =
// bench/failover_atrium.mjs or bench/failover_atrium.ts (Atrium; a .ts half is bundled with
// esbuild first, since Node 20 cannot load TypeScript). Contract of a half: it accepts
// `--json FILE` (and `--trials N`), writes there
//   { system: string, trials: number, skipped?: string,
//     rows: [{ key, label, median_s: number|null, samples: (number|null)[], n_ok, notes }] }
// and exits 0 (a half that cannot run here writes `skipped` with the reason). Rows are matched by
// `key`; the real half uses remote_kill_detect, remote_kill_moved, remote_freeze_detect,
// remote_freeze_moved, remote_restart_online_reconnect, remote_restart_online_cleanup,
// guest_kill_detect, guest_kill_online, guest_kill_resources, guest_freeze_detect, guest_freeze_online.
// Output: one table on stdout and bench/out/failover.json (both halves' JSON files stay in bench/out).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "out");

async function entryOf(name) {
  const mjs = join(here, `failover_${name}.mjs`);
  if (existsSync(mjs)) return { file: mjs, dispose: () => {} };
  const ts = join(here, `failover_${name}.ts`);
  if (!existsSync(ts)) return null;
  const { build } = await import("esbuild");
  const dir = mkdtempSync(join(tmpdir(), "atrium-bench-failover-"));
  const file = join(dir, `failover_${name}.mjs`);
  await build({
    entryPoints: [ts], outfile: file, bundle: true, platform: "node", target: "node20", format: "esm", logLevel: "warning",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return { file, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

function parseArgs(argv) {
  const o = { only: null, pass: [], report: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--report") o.report = true;
    else if (argv[i] === "--only" && argv[i + 1] !== undefined) o.only = argv[++i];
    else if (argv[i] === "--trials" && argv[i + 1] !== undefined) o.pass.push("--trials", argv[++i]);
    else throw new TypeError(`Cannot use argument "${argv[i]}": expected --only real|real+atrium-remoted|atrium, --trials N or --report`);
  }
  return o;
}

/** [column name, bench/failover_<base>.{mjs,ts}, extra arguments]. */
const HALVES = [
  ["real", "real", []],
  ["real+atrium-remoted", "real", ["--remoted", "atrium"]],
  ["atrium", "atrium", []],
];

const fmt = (v) => (typeof v === "number" ? v.toFixed(2) : "-").padStart(21);

async function main() {
  const o = parseArgs(process.argv.slice(2));
  mkdirSync(out, { recursive: true });
  const halves = {};
  for (const [name, base, extra] of HALVES) {
    if (o.only !== null && o.only !== name) continue;
    const json = join(out, `failover_${name.replace(/[^a-z0-9]+/g, "_")}.json`);
    if (o.report) {
      if (existsSync(json)) halves[name] = JSON.parse(readFileSync(json, "utf8"));
      continue;
    }
    const e = await entryOf(base);
    if (e === null) {
      console.error(`failover: no bench/failover_${base}.{mjs,ts}; skipping the ${name} column`);
      continue;
    }
    rmSync(json, { force: true });
    try {
      const r = spawnSync(process.execPath, [e.file, "--json", json, ...extra, ...o.pass], { stdio: ["ignore", "inherit", "inherit"] });
      if (r.status !== 0) console.error(`failover: the ${name} half exited with ${r.status ?? r.signal}`);
    } finally {
      e.dispose();
    }
    if (existsSync(json)) halves[name] = JSON.parse(readFileSync(json, "utf8"));
  }
  const names = Object.keys(halves);
  const keys = [];
  const labels = {};
  for (const n of names) {
    for (const r of halves[n].rows ?? []) {
      if (!keys.includes(r.key)) keys.push(r.key);
      labels[r.key] ??= r.label;
    }
  }
  console.log(`\nFailover, median seconds (${names.map((n) => `${n}: ${halves[n].system}${halves[n].skipped ? ` [skipped: ${halves[n].skipped}]` : ""}`).join("; ")})`);
  console.log(`${"scenario".padEnd(84)}${names.map((n) => n.padStart(21)).join("")}`);
  const table = [];
  for (const k of keys) {
    const cells = names.map((n) => (halves[n].rows ?? []).find((r) => r.key === k));
    console.log(`${labels[k].padEnd(84)}${cells.map((c) => fmt(c?.median_s)).join("")}`);
    table.push({ key: k, label: labels[k], ...Object.fromEntries(names.map((n, i) => [n, cells[i]?.median_s ?? null])) });
  }
  writeFileSync(join(out, "failover.json"), JSON.stringify({ halves, table }, null, 2) + "\n");
  console.log(`JSON: ${join(out, "failover.json")}`);
}

await main();
