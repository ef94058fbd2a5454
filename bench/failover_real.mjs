#!/usr/bin/env node
// The real-Pacemaker half of `npm run bench:failover`: failover timings of a REAL Pacemaker 2.1.5
// cluster (one corosync + Pacemaker node from /work/shared/rig/real-cluster.sh) with a REAL
// pacemaker-remoted as remote node "remote1" in its own network namespace. Root only.
//
//   node bench/failover_real.mjs [--trials 5] [--rows kill,norecon,cut,freeze,guest] [--json FILE] [--remoted real|atrium]
//
// --remoted atrium: the same rows with atrium-remoted (bundled from the current source) as the
// remote's daemon, on a second set of rig names (JSON default bench/out/failover_real_atrium_remoted.json).
//
// Rows (median of --trials each):
//   kill     measure-remote-failover.py --fence --conn-monitor 5s --reconnect-interval 5s:
//            SIGKILL of pacemaker-remoted -> noticed, -> d1..d3 running on node1 (fence_dummy as
//            the fence device), restart of the daemon -> remote online again
//   norecon  the same without reconnect_interval: restart -> online (needs crm_resource --cleanup?)
//   cut      the same with --failure netdown: the remote's eth0 set down -> noticed, -> d1..d3 on node1
//   freeze   SIGSTOP of pacemaker-remoted -> noticed, -> d1..d3 running on node1 (this file)
//   guest    guest node guest1 (failover_real_guest.mjs): SIGKILL of its daemon -> noticed, guest
//            online again, g1..g3 running again; SIGSTOP -> noticed, online again
// --rebuild FILE [--merge OTHER]: no run; recompute FILE's rows from its per-trial records (adding
// OTHER's, e.g. a separate --rows guest run) and print them.
// Every phase is bounded (detect/move 180 s, rejoin 90 s); a failed phase gives a null sample.
// Writes the rows as JSON (default bench/out/failover_real.json) in the format failover_run.mjs reads.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  allOn, BENCH_RIG, bundleAtriumRemoted, inCluster, poll, remoteOk, rig, RIG_DIR, rigEnv, snapshot, unavailableReason, useAlternateRig,
} from "./failover_real_rig.mjs";
import { guestTrials } from "./failover_real_guest.mjs";
import { row } from "./_failover_rows.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const IDS = ["d1", "d2", "d3"];
const PHASE_MS = 180_000;

function parseArgs(argv) {
  const o = { trials: 5, rows: ["kill", "norecon", "cut", "freeze", "guest"], json: undefined, remoted: "real" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === "--trials" && v !== undefined && /^[1-9][0-9]*$/.test(v)) (o.trials = Number(v)), i++;
    else if (a === "--rows" && v !== undefined) (o.rows = v.split(",")), i++;
    else if (a === "--json" && v !== undefined) (o.json = v), i++;
    else if (a === "--remoted" && (v === "real" || v === "atrium")) (o.remoted = v), i++;
    else if (a === "--rebuild" && v !== undefined) (o.rebuild = v), i++;
    else if (a === "--merge" && v !== undefined) (o.merge = v), i++;
    else throw new TypeError(`Cannot use argument "${a}": expected --trials N, --rows LIST, --json FILE or --remoted real|atrium`);
  }
  o.json ??= join(here, "out", o.remoted === "real" ? "failover_real.json" : "failover_real_atrium_remoted.json");
  return o;
}


/** Run the rig's measure-remote-failover.py; resolves its per-trial JSON objects. */
function measurePy(extra, trials) {
  const args = [join(RIG_DIR, "measure-remote-failover.py"), "--remote-ns", BENCH_RIG.remoteNs, "--remote-addr", BENCH_RIG.remoteAddr,
    "--trials", String(trials), "--move-wait", "120", "--rejoin-wait", "30", ...extra];
  console.error(`# python3 ${args.map((a) => a.replace(RIG_DIR + "/", "")).join(" ")}`);
  return new Promise((resolve) => {
    const p = spawn("python3", args, { env: rigEnv(), stdio: ["ignore", "pipe", "inherit"] });
    const timer = setTimeout(() => p.kill("SIGKILL"), 120_000 + trials * 420_000);
    const rows = [];
    let buf = "";
    p.stdout.on("data", (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        console.error(`  ${line}`);
        if (line.startsWith("{")) rows.push(JSON.parse(line));
      }
    });
    p.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) console.error(`# measure-remote-failover.py exited with ${code}`);
      resolve(rows);
    });
  });
}

function remoted(cmd, sig) {
  try {
    return rig("real-remoted.sh", sig === undefined ? [cmd, BENCH_RIG.remoteNs] : [cmd, BENCH_RIG.remoteNs, sig]);
  } catch (e) {
    return String(e.stderr ?? e.message);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Make sure remote1 is online and d1..d3 run on it (the configuration of the last .py run). */
async function settleOnRemote() {
  if (!remoted("status").includes("running")) {
    remoted("stop");
    remoted("start");
  }
  inCluster(["crm_resource", "--cleanup"]);
  const ok = await poll((s) => remoteOk(s, "remote1") && allOn(s, IDS, "remote1"), 90_000);
  inCluster(["crm_resource", "--wait", "--timeout=30s"], 40_000);
  await sleep(2000);
  return ok !== null;
}

/** SIGSTOP trials: frozen pacemaker-remoted -> noticed -> resources on node1. */
async function freezeTrials(trials) {
  const out = [];
  for (let t = 1; t <= trials; t++) {
    const r = { trial: t, failure: "sigstop", detect_s: null, moved_s: null };
    if (!(await settleOnRemote())) {
      r.error = "initial placement not reached";
      out.push(r);
      continue;
    }
    const t0 = performance.now();
    remoted("kill", "STOP");
    const td = await poll((s) => !remoteOk(s, "remote1"), PHASE_MS);
    const tm = td === null ? null : await poll((s) => allOn(s, IDS, "node1"), PHASE_MS - (performance.now() - t0));
    r.detect_s = td === null ? null : Math.round(td - t0) / 1000;
    r.moved_s = tm === null ? null : Math.round(tm - t0) / 1000;
    console.error(`  ${JSON.stringify(r)}`);
    out.push(r);
    remoted("kill", "KILL");
    remoted("stop");
    inCluster(["crm_resource", "--wait", "--timeout=30s"], 40_000);
  }
  return out;
}

function setUp() {
  try { rig("real-cluster.sh", ["down"], 180_000); } catch { /* not up */ }
  try { rig("netns-host.sh", ["del", BENCH_RIG.remoteNs]); } catch { /* absent */ }
  rig("real-cluster.sh", ["up"], 180_000);
  rig("netns-host.sh", ["add", BENCH_RIG.remoteNs, BENCH_RIG.remoteAddr]);
}

function tearDown() {
  for (const [s, a] of [["real-remoted.sh", ["stop", BENCH_RIG.remoteNs]], ["real-cluster.sh", ["down"]],
    ["netns-host.sh", ["del", BENCH_RIG.remoteNs]], ["netns-host.sh", ["bridge-down"]]]) {
    try { rig(s, a, 180_000); } catch (e) { console.error(`# teardown ${s} ${a.join(" ")}: ${String(e.stderr ?? e.message).trim()}`); }
  }
}

/** The table rows (medians) from the per-trial records. */
function rowsFromRaw(raw) {
  const rows = [];
  const k = raw.kill;
  if (k) {
    const cleaned = k.filter((r) => r.cleanup_needed).length;
    rows.push(
      row("remote_kill_detect", "remote daemon SIGKILLed -> noticed", k.map((r) => r.detect_s), "crm_mon shows remote1 not online+Started"),
      row("remote_kill_moved", "remote daemon SIGKILLed -> resources running on another node", k.map((r) => r.moved_s),
        "reconnect_interval=5s; stonith:fence_dummy fences remote1; 3 Dummies to node1"),
      row("remote_restart_online_reconnect", "remote daemon restarted after kill -> online (reconnect_interval=5s)", k.map((r) => r.rejoin_s),
        `t=0 at daemon start; needed crm_resource --cleanup in ${cleaned}/${k.length}`),
    );
  }
  const n = raw.norecon;
  if (n) {
    const cleaned = n.filter((r) => r.cleanup_needed).length;
    rows.push(
      row("remote_kill_moved_norecon", "remote daemon SIGKILLed -> resources on another node (no reconnect_interval)", n.map((r) => r.moved_s),
        "the connection is restarted (and fails) before remote1 is fenced"),
      row("remote_restart_online_cleanup", "remote daemon restarted after kill -> online (no reconnect_interval)", n.map((r) => r.rejoin_s),
        `not online within 30 s in ${cleaned}/${n.length} -> crm_resource --cleanup, t=0 then`),
    );
  }
  const f = raw.freeze;
  if (f) {
    rows.push(
      row("remote_freeze_detect", "remote daemon frozen (SIGSTOP) -> noticed", f.map((r) => r.detect_s), "connection monitor 5s, timeout 30s"),
      row("remote_freeze_moved", "remote daemon frozen (SIGSTOP) -> resources running on another node", f.map((r) => r.moved_s), "fence_dummy"),
    );
  }
  const c = raw.cut;
  if (c) {
    rows.push(
      row("remote_cut_detect", "remote's link cut (eth0 down) -> noticed", c.map((r) => r.detect_s), "connection monitor 5s (timeout: the op default)"),
      row("remote_cut_moved", "remote's link cut (eth0 down) -> resources running on another node", c.map((r) => r.moved_s), "stonith:fence_dummy fences remote1"),
    );
  }
  const g = raw.guest;
  if (g) {
    rows.push(
      row("guest_kill_detect", "guest's daemon SIGKILLed -> noticed", g.kill.map((r) => r.detect_s), "VM = real-remoted.sh run-foreground via ocf:heartbeat:anything"),
      row("guest_kill_online", "guest's daemon SIGKILLed -> guest online again", g.kill.map((r) => r.online_s), "container restarted by the cluster"),
      row("guest_kill_resources", "guest's daemon SIGKILLed -> its resources running again", g.kill.map((r) => r.resources_s), "3 Dummies back on guest1"),
      row("guest_freeze_detect", "guest's daemon frozen (SIGSTOP) -> noticed", g.freeze.map((r) => r.detect_s), "implicit guest connection monitor: interval 30s, timeout 30s"),
      row("guest_freeze_online", "guest's daemon frozen (SIGSTOP) -> guest online again", g.freeze.map((r) => r.online_s), "container restarted by the cluster"),
    );
  }
  return rows;
}

/** --rebuild FILE [--merge OTHER]: recompute FILE's rows from its raw records (plus OTHER's). */
function rebuild(file, merge) {
  const j = JSON.parse(readFileSync(file, "utf8"));
  if (merge !== undefined) Object.assign(j.raw, JSON.parse(readFileSync(merge, "utf8")).raw);
  j.rows = rowsFromRaw(j.raw);
  writeFileSync(file, JSON.stringify(j, null, 2) + "\n");
  printRows(j, file);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.rebuild !== undefined) return rebuild(o.rebuild, o.merge);
  const result = { system: o.remoted === "real" ? "Pacemaker 2.1.5 + pacemaker-remoted" : "Pacemaker 2.1.5 + atrium-remoted", started: new Date().toISOString(), trials: o.trials, rows: [], raw: {} };
  const reason = unavailableReason();
  if (reason !== null) {
    console.error(`failover_real: skipped: ${reason}`);
    result.skipped = reason;
  } else {
    let bundle;
    if (o.remoted === "atrium") {
      useAlternateRig();
      bundle = await bundleAtriumRemoted();
      process.env.RIG_REMOTED = bundle.file;
    }
    result.remoted_binary = rigEnv().RIG_REMOTED;
    setUp();
    try {
      if (o.rows.includes("kill")) result.raw.kill = await measurePy(["--fence", "--conn-monitor", "5s", "--reconnect-interval", "5s"], o.trials);
      if (o.rows.includes("norecon")) result.raw.norecon = await measurePy(["--fence", "--conn-monitor", "5s"], o.trials);
      if (o.rows.includes("cut")) {
        result.raw.cut = await measurePy(["--fence", "--conn-monitor", "5s", "--reconnect-interval", "5s", "--failure", "netdown", "--move-wait", "170"], o.trials);
      }
      if (o.rows.includes("freeze")) result.raw.freeze = await freezeTrials(o.trials);
      if (o.rows.includes("guest")) result.raw.guest = await guestTrials(o.trials);
      const s = snapshot();
      result.final_nodes = s === null ? null : Object.keys(s.nodes);
    } finally {
      tearDown();
      bundle?.dispose();
    }
  }
  result.finished = new Date().toISOString();
  result.rows = rowsFromRaw(result.raw);
  mkdirSync(dirname(o.json), { recursive: true });
  writeFileSync(o.json, JSON.stringify(result, null, 2) + "\n");
  printRows(result, o.json);
}

function printRows(result, file) {
  console.log(`\n${result.system} failover (median of ${result.trials}, seconds)`);
  for (const r of result.rows) {
    console.log(`${r.label.padEnd(82)} ${r.median_s === null ? "     -" : r.median_s.toFixed(2).padStart(6)}  (${r.n_ok} ok) ${r.notes}`);
  }
  console.log(`JSON: ${file}`);
}

await main();
