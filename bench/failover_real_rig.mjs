// Helpers for bench/failover_real.mjs: drive the real-Pacemaker rig (/work/shared/rig) in its own
// bridge, subnet, namespaces and state directory, and read crm_mon XML. Plain ESM JavaScript so
// that `node bench/failover_real.mjs` runs without a build step.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** Where the rig scripts live (../shared/rig beside the checkout). */
export const RIG_DIR = process.env.ATRIUM_RIG_DIR ?? join(here, "..", "..", "shared", "rig");

/** Real pacemaker-remoted shipped outside the pacemaker package (it conflicts with it). */
const REMOTED_CANDIDATES = ["/opt/pcmk-remote/usr/sbin/pacemaker-remoted", "/usr/sbin/pacemaker-remoted"];

/**
 * The settings of this bench's private rig: nothing here is shared with the default rig
 * (pcmkrig0 / 10.213.0.0/24 / /tmp/pcmk-rig) or with the interop tests.
 */
export const BENCH_RIG = {
  state: process.env.ATRIUM_FAILOVER_STATE ?? "/tmp/atrium-failover-real",
  bridge: "pcmkfb0",
  bridgeAddr: "10.216.0.254/24",
  clusterNs: "pcmkfc1",
  clusterAddr: "10.216.0.1",
  remoteNs: "pcmkfr1",
  remoteAddr: "10.216.0.11",
};

/**
 * Switch to a second, disjoint set of rig names (bridge, subnet, namespaces, state), so that a
 * run with atrium-remoted can happen while one with pacemaker-remoted is still going.
 */
export function useAlternateRig() {
  Object.assign(BENCH_RIG, {
    state: `${BENCH_RIG.state}-alt`, bridge: "pcmkfb1", bridgeAddr: "10.218.0.254/24",
    clusterNs: "pcmkfc2", clusterAddr: "10.218.0.1", remoteNs: "pcmkfr2", remoteAddr: "10.218.0.11",
  });
}

/**
 * Bundle agents/atrium-remoted/main.ts (its shebang `env node` is kept) into an executable file that
 * real-remoted.sh can start as RIG_REMOTED in place of pacemaker-remoted.
 */
export async function bundleAtriumRemoted() {
  const { build } = await import("esbuild");
  const { chmodSync, mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "atrium-bench-failover-remoted-"));
  const file = join(dir, "atrium-remoted.mjs");
  await build({
    entryPoints: [join(here, "..", "agents", "atrium-remoted", "main.ts")], outfile: file, bundle: true,
    platform: "node", target: "node20", format: "esm", logLevel: "warning",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  chmodSync(dir, 0o755);
  chmodSync(file, 0o755);
  return { file, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Environment for every rig script call. */
export function rigEnv() {
  const env = {
    ...process.env,
    RIG_STATE: BENCH_RIG.state,
    RIG_BRIDGE: BENCH_RIG.bridge,
    RIG_BRIDGE_ADDR: BENCH_RIG.bridgeAddr,
    RIG_CLUSTER_NS: BENCH_RIG.clusterNs,
    RIG_CLUSTER_ADDR: BENCH_RIG.clusterAddr,
  };
  const remoted = REMOTED_CANDIDATES.find((p) => existsSync(p));
  if (remoted !== undefined && env.RIG_REMOTED === undefined) env.RIG_REMOTED = remoted;
  return env;
}

/** Why the real-Pacemaker bench cannot run here, or null when it can. */
export function unavailableReason() {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return "needs root (network namespaces)";
  for (const s of ["real-cluster.sh", "netns-host.sh", "real-remoted.sh", "measure-remote-failover.py"]) {
    if (!existsSync(join(RIG_DIR, s))) return `rig script ${join(RIG_DIR, s)} is missing`;
  }
  for (const b of ["/usr/sbin/pacemakerd", "/usr/sbin/corosync", "/usr/bin/python3"]) {
    if (!existsSync(b)) return `${b} is missing (install pacemaker corosync python3)`;
  }
  if (!REMOTED_CANDIDATES.some((p) => existsSync(p))) return "no pacemaker-remoted binary (run real-remoted.sh fetch)";
  return null;
}

/** Run a rig script; throws with its stderr on failure. */
export function rig(script, args, timeoutMs = 120_000) {
  return execFileSync(join(RIG_DIR, script), args, { env: rigEnv(), encoding: "utf8", timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"] });
}

/** Run a command in the cluster node's namespace; never throws, returns {status, stdout, stderr}. */
export function inCluster(args, timeoutMs = 60_000) {
  const r = spawnSync("ip", ["netns", "exec", BENCH_RIG.clusterNs, ...args], { encoding: "utf8", timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function attrs(tag) {
  const out = {};
  for (const m of tag.matchAll(/([A-Za-z_:][-\w:.]*)="([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

/**
 * Parse `crm_mon --output-as=xml` into nodes (by name) and primitives (by id, with role,
 * failed and the nodes they run on). Returns null for unparsable output.
 */
export function parseCrmMon(xml) {
  if (!xml.includes("<pacemaker-result")) return null;
  const nodes = {};
  const nodesSec = /<nodes>([\s\S]*?)<\/nodes>/.exec(xml);
  for (const m of (nodesSec?.[1] ?? "").matchAll(/<node\s[^>]*>/g)) {
    const a = attrs(m[0]);
    nodes[a.name] = a;
  }
  const resources = {};
  const resSec = /<resources>([\s\S]*?)<\/resources>/.exec(xml);
  for (const m of (resSec?.[1] ?? "").matchAll(/<resource\s([^>]*?)(\/>|>([\s\S]*?)<\/resource>)/g)) {
    const a = attrs(m[1]);
    const on = [...(m[3] ?? "").matchAll(/<node\s[^>]*>/g)].map((n) => attrs(n[0]).name);
    resources[a.id] = { role: a.role, failed: a.failed, on };
  }
  return { nodes, resources };
}

/** One crm_mon snapshot, or null. */
export function snapshot() {
  const r = inCluster(["crm_mon", "-1", "--output-as=xml"], 15_000);
  return parseCrmMon(r.stdout);
}

/** Is the remote node online with its connection resource started and not failed? */
export function remoteOk(s, name) {
  const res = s.resources[name];
  return s.nodes[name]?.online === "true" && res?.role === "Started" && res.failed === "false";
}

/** Do all `ids` run (Started) on exactly `node`? */
export function allOn(s, ids, node) {
  return ids.every((i) => s.resources[i]?.role === "Started" && s.resources[i].on.length === 1 && s.resources[i].on[0] === node);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll crm_mon every ~50 ms until cond holds; resolves the time (performance.now()) or null. */
export async function poll(cond, timeoutMs) {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    const s = snapshot();
    if (s !== null && cond(s)) return performance.now();
    await sleep(50);
  }
  return null;
}
