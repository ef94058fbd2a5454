// Guest-node rows of bench/failover_real.mjs: a guest node "guest1" whose "VM" is the rig's
// `real-remoted.sh run-foreground NS STATE` started by ocf:heartbeat:anything (binfile /usr/bin/env,
// so that RIG_REMOTED survives the agent's `su -`; the PID stays the daemon's through the exec
// chain). Dummies g1..g3 prefer guest1. Per trial: SIGKILL (or SIGSTOP) of the daemon inside the
// guest namespace, then poll crm_mon for: noticed, guest online again, g1..g3 running there again.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BENCH_RIG, inCluster, poll, rig, RIG_DIR, rigEnv } from "./failover_real_rig.mjs";

const GIDS = ["g1", "g2", "g3"];
const PHASE_MS = 180_000;

function guestNs() {
  return BENCH_RIG.remoteNs.replace(/r(\d+)$/, "g$1");
}

function guestAddr() {
  return BENCH_RIG.remoteAddr.replace(/\.11$/, ".21");
}

function cib(args) {
  const r = inCluster(["cibadmin", ...args]);
  if (r.status !== 0) throw new Error(`Cannot run "cibadmin ${args.join(" ")}": ${r.stderr.trim()}`);
}

/** Replace the configuration with the guest node, its "VM" and g1..g3. */
function configureGuest() {
  cib(["--replace", "-o", "constraints", "-X", "<constraints/>"]);
  cib(["--replace", "-o", "resources", "-X", "<resources/>"]);
  inCluster(["crm_resource", "--wait", "--timeout=60s"], 70_000);
  inCluster(["crm_resource", "--cleanup"]);
  inCluster(["crm_attribute", "-t", "crm_config", "-n", "stonith-enabled", "-v", "false"]);
  const env = rigEnv();
  const cmd = `RIG_REMOTED=${env.RIG_REMOTED} ${join(RIG_DIR, "real-remoted.sh")} run-foreground ${guestNs()} ${BENCH_RIG.state}`;
  cib(["-C", "-o", "resources", "-X",
    `<primitive id="vm-guest1" class="ocf" provider="heartbeat" type="anything"><instance_attributes id="vm-guest1-ia">` +
    `<nvpair id="vm-guest1-bin" name="binfile" value="/usr/bin/env"/><nvpair id="vm-guest1-cmd" name="cmdline_options" value="${cmd}"/>` +
    `</instance_attributes><meta_attributes id="vm-guest1-meta"><nvpair id="vm-guest1-rn" name="remote-node" value="guest1"/>` +
    `<nvpair id="vm-guest1-ra" name="remote-addr" value="${guestAddr()}"/></meta_attributes>` +
    `<operations><op id="vm-guest1-mon" name="monitor" interval="5s" timeout="20s"/></operations></primitive>`]);
  for (const g of GIDS) {
    cib(["-C", "-o", "resources", "-X",
      `<primitive id="${g}" class="ocf" provider="pacemaker" type="Dummy"><operations><op id="${g}-monitor" name="monitor" interval="1s" timeout="20s"/></operations></primitive>`]);
    cib(["-C", "-o", "constraints", "-X", `<rsc_location id="loc-${g}" rsc="${g}" node="guest1" score="100"/>`]);
  }
}

/** PID of the guest's daemon (pacemaker-remoted, or node for atrium-remoted) in its namespace. */
function daemonPid() {
  const pids = execFileSync("ip", ["netns", "pids", guestNs()], { encoding: "utf8", timeout: 10_000 })
    .split(/\s+/).filter((x) => /^[0-9]+$/.test(x)).map(Number);
  for (const p of pids) {
    try {
      const comm = readFileSync(`/proc/${p}/comm`, "utf8").trim();
      if (comm.startsWith("pacemaker-remot") || comm === "node") return p;
    } catch { /* raced with an exit */ }
  }
  return null;
}

const guestOnline = (s) => s.nodes.guest1?.online === "true" && s.resources["vm-guest1"]?.role === "Started";
const allOnGuest = (s) => GIDS.every((i) => s.resources[i]?.role === "Started" && s.resources[i].on.join() === "guest1");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function settle() {
  inCluster(["crm_resource", "--cleanup"]);
  const ok = await poll((s) => guestOnline(s) && allOnGuest(s), 90_000);
  inCluster(["crm_resource", "--wait", "--timeout=30s"], 40_000);
  await sleep(2000);
  return ok !== null;
}

/** Run `trials` kill trials and `trials` freeze trials; resolves the per-trial records. */
export async function guestTrials(trials) {
  rig("netns-host.sh", ["add", guestNs(), guestAddr()]);
  const out = { kill: [], freeze: [] };
  try {
    configureGuest();
    for (const failure of ["kill", "freeze"]) {
      for (let t = 1; t <= trials; t++) {
        const r = { trial: t, failure, detect_s: null, online_s: null, resources_s: null };
        const pid = (await settle()) ? daemonPid() : null;
        if (pid === null) {
          r.error = "guest not online with g1..g3 on it";
          console.error(`  ${JSON.stringify(r)}`);
          out[failure].push(r);
          continue;
        }
        const t0 = performance.now();
        process.kill(pid, failure === "kill" ? "SIGKILL" : "SIGSTOP");
        const since = (x) => (x === null ? null : Math.round(x - t0) / 1000);
        const left = () => Math.max(1000, PHASE_MS - (performance.now() - t0));
        const td = await poll((s) => s.nodes.guest1?.online !== "true", PHASE_MS);
        const to = td === null ? null : await poll(guestOnline, left());
        const tr = to === null ? null : await poll(allOnGuest, left());
        Object.assign(r, { detect_s: since(td), online_s: since(to), resources_s: since(tr) });
        console.error(`  ${JSON.stringify(r)}`);
        out[failure].push(r);
        try { process.kill(pid, "SIGKILL"); } catch { /* gone (recovered by the cluster) */ }
      }
    }
  } finally {
    try { cib(["--replace", "-o", "resources", "-X", "<resources/>"]); } catch { /* cluster gone */ }
    inCluster(["crm_resource", "--wait", "--timeout=60s"], 70_000);
    try { rig("netns-host.sh", ["del", guestNs()]); } catch { /* absent */ }
  }
  return out;
}
