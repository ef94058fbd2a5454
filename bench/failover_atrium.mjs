#!/usr/bin/env node
// The Atrium half of `npm run bench:failover`: failover timings of dist/atriumd.mjs (one node)
// with a netns guest node and a remote node running dist/atrium-remoted.mjs in its own network
// namespace. Root only; run `npm run build` first.
//
//   node bench/failover_atrium.mjs [--trials 5] [--rows guest,remote,fence-kill,fence-kill-norecon,fence-freeze,fence-cut] [--json FILE]
//
// Rows (median of --trials each, same keys as bench/failover_real.mjs):
//   guest   benchg1 (launcher:netns, bridge atrbf0, 10.214.230.0/24) with bg1..bg3 (Dummy) preferring it:
//           SIGKILL of its atrium-remoted -> noticed (guest not online or a failed guest1 action),
//           guest online again, bg1..bg3 running on the guest again; SIGSTOP -> noticed, online again
//   remote  remote1 (ocf:pacemaker:remote server=10.214.231.21, no monitor configured,
//           stonith-enabled=false) with bd1..bd3 preferring it: SIGKILL -> noticed, then the daemon
//           is started again -> remote1 online again, with reconnect_interval=5s and without
//   fence-kill, fence-freeze, fence-cut  remote1 with fencing (stonith:fence_dummy, as the real half):
//           SIGKILL / SIGSTOP of its daemon / its eth0 set down -> noticed, -> bd1..bd3 on the cluster node
//   fence-kill-norecon  fence-kill without reconnect_interval
// Status is polled over the HTTP endpoint every 20 ms (the real half polls crm_mon, ~20 ms a call, every ~50 ms).
// Every phase is bounded (detect 90 s, recover 90 s); a failed phase gives a null sample.
// Writes bench/out/failover_atrium.json (or --json FILE) in the format failover_run.mjs reads.
import { execFile, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { row } from "./_failover_rows.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, "..");
const DAEMON = join(ROOT, "dist", "atriumd.mjs");
const CLI = join(ROOT, "dist", "atrium.mjs");
const REMOTED = join(ROOT, "dist", "atrium-remoted.mjs");
const PHASE_MS = 90_000;
/** Status poll period (one poll over loopback HTTP takes ~2 ms; crm_mon, the real half's, ~20 ms every 50 ms). */
const POLL_MS = 20;
const HOST = "bench-host";
const GUEST = { node: "benchg1", ns: "atrium-g-benchg1", bridge: "atrbf0", addr: "10.214.230.11/24", ids: ["bg1", "bg2", "bg3"] };
const REMOTE = { node: "remote1", ns: "atrbr-r1", veth: "atvbr0", addr: "10.214.231.21", hostAddr: "10.214.231.254/24", ids: ["bd1", "bd2", "bd3"] };

function parseArgs(argv) {
  const o = { trials: 5, rows: ["guest", "remote", "fence-kill", "fence-kill-norecon", "fence-freeze", "fence-cut"], json: join(here, "out", "failover_atrium.json") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === "--trials" && v !== undefined && /^[1-9][0-9]*$/.test(v)) (o.trials = Number(v)), i++;
    else if (a === "--rows" && v !== undefined) (o.rows = v.split(",")), i++;
    else if (a === "--json" && v !== undefined) (o.json = v), i++;
    else throw new TypeError(`Cannot use argument "${a}": expected --trials N, --rows guest,remote,fence-kill,fence-kill-norecon,fence-freeze,fence-cut or --json FILE`);
  }
  return o;
}

function unavailableReason() {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root";
  for (const f of [DAEMON, CLI, REMOTED]) if (!existsSync(f)) return `${f} is missing (run npm run build)`;
  if (!existsSync("/usr/lib/ocf/resource.d/pacemaker/Dummy")) return "ocf:pacemaker:Dummy is not installed";
  return undefined;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quiet = (cmd, ...args) => {
  try {
    execFileSync(cmd, args, { stdio: "ignore", timeout: 10_000 });
  } catch { /* gone */ }
};

function nsPids(ns) {
  try {
    return execFileSync("ip", ["netns", "pids", ns], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
function remotedPids(ns) {
  return nsPids(ns).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, "utf8").includes("atrium-remoted");
    } catch {
      return false;
    }
  });
}
function removeNs(ns) {
  for (const p of nsPids(ns)) {
    try {
      process.kill(p, "SIGKILL");
    } catch { /* gone */ }
  }
  quiet("ip", "netns", "del", ns);
}


/** A running atriumd with a temp state dir. */
async function startDaemon() {
  const dir = mkdtempSync(join(tmpdir(), "atrium-bench-failover-"));
  const key = join(dir, "authkey");
  writeFileSync(key, randomBytes(256), { mode: 0o600 });
  const env = { ...process.env, PCMK_authkey_location: key, ATRIUM_SHUTDOWN_TIMEOUT_MS: "30000" };
  delete env.ATRIUM_STATE_DIR;
  // BENCH_DAEMON_LOG=FILE keeps atriumd's output (for looking into a slow sample).
  const logFd = process.env.BENCH_DAEMON_LOG ? openSync(process.env.BENCH_DAEMON_LOG, "a") : "ignore";
  const child = spawn(process.execPath, [DAEMON, "--state-dir", dir, "--node-name", HOST], { env, stdio: ["ignore", logFd, logFd] });
  const exited = new Promise((r) => child.once("exit", r));
  const t0 = Date.now();
  while (!existsSync(join(dir, "api.json")) || !existsSync(join(dir, "token"))) {
    if (Date.now() - t0 > 15_000) throw new Error("atriumd did not start in 15 s");
    await sleep(50);
  }
  const cli = (...args) =>
    new Promise((res, rej) =>
      execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ATRIUM_STATE_DIR: dir }, timeout: 20_000 }, (e, out, err) =>
        e ? rej(new Error(`atrium ${args.join(" ")}: ${err || e.message}`)) : res(out))
    );
  // Status is polled over the HTTP endpoint (as `atrium status --json` asks it), every POLL_MS:
  // a CLI process per poll would add its start-up to every figure.
  const api = JSON.parse(readFileSync(join(dir, "api.json"), "utf8"));
  const token = readFileSync(join(dir, "token"), "utf8").trim();
  const status = async () => {
    const res = await fetch(`${api.url}/v1/status`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`status: HTTP ${res.status}`);
    return await res.json();
  };
  return {
    dir, key, cli, status,
    async stop() {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 40_000);
      await exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Poll until `cond(status)`; seconds since `t0`, or null after `ms`. */
async function until(d, cond, t0, ms = PHASE_MS) {
  for (;;) {
    try {
      if (cond(await d.status())) return (Date.now() - t0) / 1000;
    } catch { /* busy */ }
    if (Date.now() - t0 > ms) return null;
    await sleep(POLL_MS);
  }
}

const online = (s, n) => s.nodes.some((x) => x.name === n && x.online);
const on = (s, ids, n) => ids.every((id) => s.resources.find((r) => r.id === id)?.active_on.join() === n);
const failedOn = (s, rsc) => s.failed_actions.some((f) => f.resource === rsc);

async function guestTrials(trials, log) {
  const out = { kill: [], freeze: [] };
  removeNs(GUEST.ns);
  const d = await startDaemon();
  try {
    await d.cli("property", "set", "stonith-enabled=false");
    await d.cli("resource", "create", "vm-benchg1", "launcher:netns", `address=${GUEST.addr}`, `bridge=${GUEST.bridge}`, "meta", `remote-node=${GUEST.node}`);
    for (const id of GUEST.ids) {
      await d.cli("resource", "create", id, "ocf:pacemaker:Dummy", "op", "monitor", "interval=1s");
      await d.cli("constraint", "location", id, "prefers", GUEST.node);
    }
    for (const kind of ["kill", "freeze"]) {
      for (let t = 1; t <= trials; t++) {
        const r = { trial: t, detect_s: null, online_s: null, resources_s: null };
        const ready = await until(d, (s) => online(s, GUEST.node) && on(s, GUEST.ids, GUEST.node), Date.now());
        await d.cli("resource", "cleanup", `vm-benchg1`).catch(() => {});
        await d.cli("resource", "cleanup", GUEST.node).catch(() => {});
        await sleep(1000);
        const pids = remotedPids(GUEST.ns);
        if (ready !== null && pids.length > 0) {
          const t0 = Date.now();
          for (const p of pids) process.kill(p, kind === "kill" ? "SIGKILL" : "SIGSTOP");
          r.detect_s = await until(d, (s) => !online(s, GUEST.node) || failedOn(s, GUEST.node), t0);
          r.online_s = await until(d, (s) => online(s, GUEST.node) && !remotedPids(GUEST.ns).some((p) => pids.includes(p)), t0);
          r.resources_s = await until(d, (s) => online(s, GUEST.node) && on(s, GUEST.ids, GUEST.node), t0);
          for (const p of pids) {
            try {
              process.kill(p, "SIGKILL");
            } catch { /* gone */ }
          }
        }
        log(`guest ${kind} trial ${t}: ${JSON.stringify(r)}`);
        out[kind].push(r);
      }
    }
  } finally {
    await d.stop();
    removeNs(GUEST.ns);
    quiet("ip", "link", "del", "dev", GUEST.bridge);
  }
  return out;
}

function startRemoted(key) {
  const script = `mount -t tmpfs -o size=16m tmpfs /run && exec "${process.execPath}" "${REMOTED}"`;
  return spawn("ip", ["netns", "exec", REMOTE.ns, "unshare", "-m", "sh", "-c", script], {
    env: { ...process.env, PCMK_authkey_location: key, PCMK_remote_port: "3121" },
    stdio: "ignore",
  });
}

function setupRemoteNs() {
  teardownRemoteNs();
  quiet("ip", "netns", "add", REMOTE.ns);
  quiet("ip", "link", "add", REMOTE.veth, "type", "veth", "peer", "name", "eth0", "netns", REMOTE.ns);
  quiet("ip", "addr", "add", REMOTE.hostAddr, "dev", REMOTE.veth);
  quiet("ip", "link", "set", REMOTE.veth, "up");
  quiet("ip", "-n", REMOTE.ns, "addr", "add", `${REMOTE.addr}/24`, "dev", "eth0");
  quiet("ip", "-n", REMOTE.ns, "link", "set", "eth0", "up");
  quiet("ip", "-n", REMOTE.ns, "link", "set", "lo", "up");
}

function teardownRemoteNs() {
  removeNs(REMOTE.ns);
  quiet("ip", "link", "del", "dev", REMOTE.veth);
}

/**
 * Remote failures with fencing, configured as the real half's rows (measure-remote-failover.py
 * --fence --conn-monitor 5s --reconnect-interval 5s): stonith-enabled=true, stonith:fence_dummy
 * (Debian's fence-agents) for remote1, bd1..bd3 preferring remote1 (score 100) with 1 s monitors.
 * Per trial: the failure (SIGKILL, SIGSTOP, or the remote's eth0 set down) -> noticed (remote1 not
 * online) -> moved (bd1..bd3 all running on the cluster node); then the remote is restored with a
 * fresh daemon (and fresh /run) and the resources go back before the next trial.
 */
async function fenceTrials(trials, failure, log, reconnect = true) {
  const out = [];
  setupRemoteNs();
  const d = await startDaemon();
  const statusFile = join(d.dir, "fence_dummy.status");
  let remoted = startRemoted(d.key);
  try {
    await d.cli("property", "set", "stonith-enabled=true");
    await d.cli("resource", "create", "bench-fence", "stonith:fence_dummy", `pcmk_host_list=${REMOTE.node}`, `status_file=${statusFile}`, "op", "monitor", "interval=60s");
    await d.cli("resource", "create", REMOTE.node, "ocf:pacemaker:remote", `server=${REMOTE.addr}`, ...(reconnect ? ["reconnect_interval=5s"] : []), "op", "monitor", "interval=5s");
    for (const id of REMOTE.ids) {
      await d.cli("resource", "create", id, "ocf:pacemaker:Dummy", "op", "monitor", "interval=1s");
      await d.cli("constraint", "location", id, "prefers", `${REMOTE.node}=100`);
    }
    for (let t = 1; t <= trials; t++) {
      const r = { trial: t, failure, detect_s: null, moved_s: null };
      const ready = await until(d, (s) => online(s, REMOTE.node) && on(s, REMOTE.ids, REMOTE.node), Date.now());
      await sleep(1000);
      const pids = remotedPids(REMOTE.ns);
      if (ready !== null && pids.length > 0) {
        const t0 = Date.now();
        if (failure === "kill") for (const p of pids) process.kill(p, "SIGKILL");
        else if (failure === "freeze") for (const p of pids) process.kill(p, "SIGSTOP");
        else quiet("ip", "-n", REMOTE.ns, "link", "set", "eth0", "down");
        r.detect_s = await until(d, (s) => !online(s, REMOTE.node), t0);
        r.moved_s = await until(d, (s) => on(s, REMOTE.ids, HOST), t0);
      } else {
        r.error = ready === null ? "not ready" : "no daemon";
      }
      log(`remote ${failure} (fencing${reconnect ? "" : ", no reconnect_interval"}) trial ${t}: ${JSON.stringify(r)}`);
      out.push(r);
      for (const p of remotedPids(REMOTE.ns)) {
        try {
          process.kill(p, "SIGKILL");
        } catch { /* gone */ }
      }
      quiet("ip", "-n", REMOTE.ns, "link", "set", "eth0", "up");
      await sleep(200);
      remoted = startRemoted(d.key);
    }
  } finally {
    remoted.kill("SIGKILL");
    await d.stop();
    teardownRemoteNs();
  }
  return out;
}

async function remoteTrials(trials, reconnect, log) {
  const out = [];
  setupRemoteNs();
  const d = await startDaemon();
  try {
    startRemoted(d.key);
    await d.cli("property", "set", "stonith-enabled=false");
    await d.cli("resource", "create", REMOTE.node, "ocf:pacemaker:remote", `server=${REMOTE.addr}`, ...(reconnect ? ["reconnect_interval=5s"] : []));
    for (const id of REMOTE.ids) {
      await d.cli("resource", "create", id, "ocf:pacemaker:Dummy", "op", "monitor", "interval=1s");
      await d.cli("constraint", "location", id, "prefers", REMOTE.node);
    }
    for (let t = 1; t <= trials; t++) {
      const r = { trial: t, detect_s: null, rejoin_s: null };
      const ready = await until(d, (s) => online(s, REMOTE.node) && on(s, REMOTE.ids, REMOTE.node), Date.now());
      // Trials 6 s apart, beyond reconnect_interval (and Atrium's implicit 5 s one), as the real
      // half's are (~10 s): an early rejoin is granted once per interval (flapping damper).
      await sleep(6000);
      const pids = remotedPids(REMOTE.ns);
      if (ready !== null && pids.length > 0) {
        const t0 = Date.now();
        for (const p of pids) process.kill(p, "SIGKILL");
        r.detect_s = await until(d, (s) => !online(s, REMOTE.node), t0);
        startRemoted(d.key);
        const t1 = Date.now();
        r.rejoin_s = await until(d, (s) => online(s, REMOTE.node), t1);
      }
      log(`remote kill (reconnect_interval ${reconnect ? "5s" : "none"}) trial ${t}: ${JSON.stringify(r)}`);
      out.push(r);
      if (r.rejoin_s === null) {
        // Not back by itself: the remaining trials would measure nothing new.
        for (let u = t + 1; u <= trials; u++) out.push({ trial: u, detect_s: null, rejoin_s: null, skipped: "previous trial did not rejoin" });
        break;
      }
    }
  } finally {
    await d.stop();
    teardownRemoteNs();
  }
  return out;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const result = { system: "Atrium (atriumd + atrium-remoted)", started: new Date().toISOString(), trials: o.trials, rows: [], raw: {} };
  const why = unavailableReason();
  const log = (line) => console.error(`failover_atrium: ${line}`);
  if (why !== undefined) {
    result.skipped = why;
  } else {
    if (o.rows.includes("guest")) {
      const g = await guestTrials(o.trials, log);
      result.raw.guest = g;
      const note = "launcher:netns guest, implicit 30 s connection monitor";
      result.rows.push(
        row("guest_kill_detect", "guest's daemon SIGKILLed -> noticed", g.kill.map((r) => r.detect_s), note),
        row("guest_kill_online", "guest's daemon SIGKILLed -> guest online again", g.kill.map((r) => r.online_s), "container restarted by the cluster"),
        row("guest_kill_resources", "guest's daemon SIGKILLed -> its resources running again", g.kill.map((r) => r.resources_s), "3 Dummies back on the guest"),
        row("guest_freeze_detect", "guest's daemon frozen (SIGSTOP) -> noticed", g.freeze.map((r) => r.detect_s), note),
        row("guest_freeze_online", "guest's daemon frozen (SIGSTOP) -> guest online again", g.freeze.map((r) => r.online_s), "container restarted by the cluster"),
      );
    }
    if (o.rows.includes("remote")) {
      const k = await remoteTrials(o.trials, true, log);
      const n = await remoteTrials(o.trials, false, log);
      result.raw.remote = { reconnect: k, norecon: n };
      result.rows.push(
        row("remote_kill_detect", "remote daemon SIGKILLed -> noticed", k.map((r) => r.detect_s), "no connection monitor configured (implicit 30 s)"),
        row("remote_restart_online_reconnect", "remote daemon restarted after kill -> online (reconnect_interval=5s)", k.map((r) => r.rejoin_s), "stonith-enabled=false"),
        row("remote_restart_online_cleanup", "remote daemon restarted after kill -> online (no reconnect_interval)", n.map((r) => r.rejoin_s), "no manual cleanup"),
      );
    }
    const fenceNote = "stonith:fence_dummy fences remote1; connection monitor 5s, reconnect_interval=5s; 3 Dummies to the cluster node";
    for (const [name, key, label] of [
      ["fence-kill", "remote_kill", "remote daemon SIGKILLed"],
      ["fence-freeze", "remote_freeze", "remote daemon frozen (SIGSTOP)"],
      ["fence-cut", "remote_cut", "remote's link cut (eth0 down)"],
      ["fence-kill-norecon", "remote_kill_norecon", "remote daemon SIGKILLed (no reconnect_interval)"],
    ]) {
      if (!o.rows.includes(name)) continue;
      const f = await fenceTrials(o.trials, name.slice(6).replace(/-.*/, ""), log, !name.endsWith("-norecon"));
      result.raw[name] = f;
      if (key === "remote_freeze" || key === "remote_cut") result.rows.push(row(`${key}_detect`, `${label} -> noticed`, f.map((r) => r.detect_s), fenceNote));
      if (key === "remote_kill_norecon") {
        // The real half's key for this row.
        result.rows.push(row("remote_kill_moved_norecon", "remote daemon SIGKILLed -> resources on another node (no reconnect_interval)", f.map((r) => r.moved_s), fenceNote.replace(", reconnect_interval=5s", "")));
      } else result.rows.push(row(`${key}_moved`, `${label} -> resources running on another node`, f.map((r) => r.moved_s), fenceNote));
    }
  }
  result.finished = new Date().toISOString();
  mkdirSync(dirname(o.json), { recursive: true });
  writeFileSync(o.json, JSON.stringify(result, null, 2) + "\n");
  for (const r of result.rows) console.log(`${r.label.padEnd(80)} ${r.median_s ?? "-"} s (${r.n_ok}/${r.samples.length})`);
  console.log(`JSON: ${o.json}`);
}

await main();
