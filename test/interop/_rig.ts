/**
 * Helpers of the real-Pacemaker cluster interop suite: drive ../shared/rig (real-cluster.sh,
 * netns-host.sh) on a private bridge, subnet, namespaces and state directory, start
 * atrium-remoted (bundled from the current source) as a "remote host" in a namespace, and read
 * `crm_mon --output-as=xml` and the CIB status section.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { build } from "esbuild";

const ROOT = join(import.meta.dirname ?? ".", "..", "..");
/** The rig scripts (../shared/rig beside the checkout). */
export const RIG_DIR = join(ROOT, "..", "shared", "rig");

/** Per-process number, so that two runs of the suite at once (e.g. two checkouts) do not clash. */
const N = 20 + (process.pid % 200);

/**
 * Settings of the suite's private rig: its own bridge, /24 subnet (10.217.N.0), namespaces and
 * state directory; nothing is shared with the default rig, the bench or another run.
 */
export const TEST_RIG = {
  state: `/tmp/atrium-interop-pcmk-cluster-${N}`,
  bridge: `pcmkt${N}`,
  bridgeAddr: `10.217.${N}.254/24`,
  clusterNs: `pcmktc${N}`,
  clusterAddr: `10.217.${N}.1`,
  remoteNs: `pcmktr${N}`,
  remoteAddr: `10.217.${N}.11`,
} as const;

/** Why the suite cannot run here, or undefined when it can. */
export function rigUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "not running as root (network namespaces are needed)";
  for (const s of ["real-cluster.sh", "netns-host.sh"]) {
    if (!existsSync(join(RIG_DIR, s))) return `${join(RIG_DIR, s)} is absent`;
  }
  for (const b of ["/usr/sbin/pacemakerd", "/usr/sbin/corosync", "/usr/sbin/crm_mon", "/usr/bin/unshare", "/usr/bin/nsenter"]) {
    if (!existsSync(b)) return `${b} is absent (install pacemaker, corosync, pacemaker-cli-utils, util-linux)`;
  }
  if (!existsSync("/usr/lib/ocf/resource.d/pacemaker/Dummy")) return "ocf:pacemaker:Dummy is absent (install pacemaker-resource-agents)";
  return undefined;
}

/** Environment of every rig script call. */
export function rigEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    RIG_STATE: TEST_RIG.state,
    RIG_BRIDGE: TEST_RIG.bridge,
    RIG_BRIDGE_ADDR: TEST_RIG.bridgeAddr,
    RIG_CLUSTER_NS: TEST_RIG.clusterNs,
    RIG_CLUSTER_ADDR: TEST_RIG.clusterAddr,
  };
}

/** Run a rig script; throws (with its stderr in the message) when it fails. */
export function rig(script: string, args: readonly string[], timeoutMs = 120_000): string {
  try {
    return execFileSync(join(RIG_DIR, script), args, { env: rigEnv(), encoding: "utf8", timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`Rig command "${script} ${args.join(" ")}" failed: ${(err.stderr ?? err.message).trim()}`);
  }
}

/** Run a command in the cluster node's namespace (never throws). */
export function inCluster(args: readonly string[], timeoutMs = 60_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("ip", ["netns", "exec", TEST_RIG.clusterNs, ...args], { encoding: "utf8", timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([A-Za-z_:][-\w:.]*)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

/** A parsed crm_mon snapshot. */
export interface CrmMon {
  nodes: Record<string, Record<string, string>>;
  resources: Record<string, { role: string | undefined; failed: string | undefined; on: string[] }>;
}

/** Parse `crm_mon --output-as=xml` (nodes and primitives); undefined when not crm_mon XML. */
export function parseCrmMon(xml: string): CrmMon | undefined {
  if (!xml.includes("<pacemaker-result")) return undefined;
  const nodes: CrmMon["nodes"] = {};
  for (const m of (/<nodes>([\s\S]*?)<\/nodes>/.exec(xml)?.[1] ?? "").matchAll(/<node\s[^>]*>/g)) {
    const a = attrs(m[0]);
    if (a["name"] !== undefined) nodes[a["name"]] = a;
  }
  const resources: CrmMon["resources"] = {};
  const sec = /<resources>([\s\S]*?)<\/resources>/.exec(xml)?.[1] ?? "";
  for (const m of sec.matchAll(/<resource\s([^>]*?)(\/>|>([\s\S]*?)<\/resource>)/g)) {
    const a = attrs(m[1]!);
    const on = [...(m[3] ?? "").matchAll(/<node\s[^>]*>/g)].map((n) => attrs(n[0])["name"] ?? "");
    if (a["id"] !== undefined) resources[a["id"]] = { role: a["role"], failed: a["failed"], on };
  }
  return { nodes, resources };
}

/** One crm_mon snapshot from the cluster node, or undefined. */
export function crmMon(): CrmMon | undefined {
  return parseCrmMon(inCluster(["crm_mon", "-1", "--output-as=xml"], 15_000).stdout);
}

/** Poll crm_mon until `cond` holds; resolves the last snapshot, or throws after the deadline. */
export async function waitFor(what: string, cond: (s: CrmMon) => boolean, timeoutMs: number): Promise<CrmMon> {
  const end = Date.now() + timeoutMs;
  let last: CrmMon | undefined;
  while (Date.now() < end) {
    last = crmMon();
    if (last !== undefined && cond(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last crm_mon: ${JSON.stringify(last)}`);
}

/** One `<lrm_rsc_op>` of the CIB status section. */
export interface OpHistory {
  node: string;
  rsc: string;
  attrs: Record<string, string>;
}

/** The operation history of the CIB status section (`cibadmin -Q -o status`). */
export function opHistory(): OpHistory[] {
  const xml = inCluster(["cibadmin", "-Q", "-o", "status"], 15_000).stdout;
  const out: OpHistory[] = [];
  for (const ns of xml.matchAll(/<node_state\s([^>]*)>([\s\S]*?)<\/node_state>/g)) {
    const node = attrs(ns[1]!)["uname"] ?? "";
    for (const r of ns[2]!.matchAll(/<lrm_resource\s([^>]*)>([\s\S]*?)<\/lrm_resource>/g)) {
      const rsc = attrs(r[1]!)["id"] ?? "";
      for (const op of r[2]!.matchAll(/<lrm_rsc_op\s[^>]*>/g)) out.push({ node, rsc, attrs: attrs(op[0]) });
    }
  }
  return out;
}

/** Bundle agents/atrium-remoted/main.ts from the current source into a temporary directory. */
export async function bundleRemoted(): Promise<{ file: string; dispose(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "atrium-interop-pcmk-"));
  const file = join(dir, "atrium-remoted.mjs");
  await build({
    entryPoints: [join(ROOT, "agents", "atrium-remoted", "main.ts")],
    outfile: file,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    logLevel: "silent",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return { file, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A running atrium-remoted inside the remote namespace. */
export interface RemotedProc {
  child: ChildProcess;
  logFile: string;
  log(): string;
  /** Private mount namespace's /run, seen through nsenter. */
  runDir(cmd: readonly string[]): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Start `node BUNDLE --trace` in the remote namespace with a private tmpfs /run (resource agent
 * state) and the rig's key; its output goes to `$RIG_STATE/atrium-remoted.log`.
 */
export function startRemoted(bundle: string): RemotedProc {
  mkdirSync(TEST_RIG.state, { recursive: true });
  const logFile = join(TEST_RIG.state, "atrium-remoted.log");
  const fd = openSync(logFile, "a");
  const child = spawn(
    "ip",
    ["netns", "exec", TEST_RIG.remoteNs, "unshare", "--mount", "--propagation", "private", "sh", "-c",
      `mount -t tmpfs -o mode=0755 tmpfs /run && mkdir -p /run/resource-agents && exec "${process.execPath}" "${bundle}" --trace`],
    { env: { ...process.env, PCMK_authkey_location: join(TEST_RIG.state, "authkey") }, stdio: ["ignore", fd, fd] },
  );
  closeSync(fd);
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return {
    child,
    logFile,
    log: () => readFileSync(logFile, "utf8"),
    runDir: (cmd) => execFileSync("nsenter", ["-t", String(child.pid), "-m", ...cmd], { encoding: "utf8", timeout: 10_000 }),
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const t = setTimeout(() => child.kill("SIGKILL"), 40_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

/** Best-effort teardown: cluster down, namespaces and bridge removed (each step bounded); with
 * `removeState`, the state directory (logs) too. */
export function tearDownRig(removeState = false): void {
  for (const [s, a] of [["real-cluster.sh", ["down"]], ["netns-host.sh", ["del", TEST_RIG.remoteNs]], ["netns-host.sh", ["bridge-down"]]] as const) {
    try {
      rig(s, a, 150_000);
    } catch (e) {
      console.log(`teardown: ${(e as Error).message}`);
    }
  }
  if (removeState) rmSync(TEST_RIG.state, { recursive: true, force: true });
}
