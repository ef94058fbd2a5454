/**
 * What the cluster walkthrough suites (cluster_*.test.ts) share: why they cannot run here, a
 * running dist/atriumd.mjs with a temp state dir and a generated authkey, the CLI against it,
 * status polling, and the clean-up of namespaces, bridges and processes. Not a test file.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, "..", "..");
export const DAEMON = join(ROOT, "dist", "atriumd.mjs");
export const CLI = join(ROOT, "dist", "atrium.mjs");
export const REMOTED = join(ROOT, "dist", "atrium-remoted.mjs");
const DUMMY = "/usr/lib/ocf/resource.d/pacemaker/Dummy";

/** Why the root cluster suites cannot run here, or undefined when they can. */
export function clusterSuiteBlocker(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return "not root";
  for (const t of ["ip", "unshare", "mount"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${t}`], { stdio: "ignore" });
    } catch {
      return `${t} is missing`;
    }
  }
  for (const f of [DAEMON, CLI, REMOTED]) if (!existsSync(f)) return `${f} is missing (run npm run build)`;
  if (!existsSync(DUMMY)) return `${DUMMY} is missing (install pacemaker)`;
  return undefined;
}

/** Run `cmd args`, ignoring failure. */
export function quiet(cmd: string, ...args: string[]): void {
  try {
    execFileSync(cmd, args, { stdio: "ignore", timeout: 10_000 });
  } catch { /* gone already */ }
}

/** The status JSON's parts the suites read. */
export interface Status {
  nodes: { name: string; kind: string; online: boolean; host?: string; state: string }[];
  resources: { id: string; role: string; active_on: string[] }[];
  failed_actions: {
    resource: string;
    node: string;
    action: string;
    interval: number;
    rc: number;
    status: string;
    reason: string;
  }[];
}

/** A running atriumd for one suite. */
export interface Daemon {
  readonly stateDir: string;
  readonly authkeyPath: string;
  readonly nodeName: string;
  readonly child: ChildProcess;
  /** Everything it logged so far. */
  log(): string;
  /** `atrium ARGS` against it: exit code, stdout, stderr. */
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** `atrium ARGS`, throwing on a non-zero exit. */
  ok(...args: string[]): Promise<string>;
  status(): Promise<Status>;
  /** Poll the status until `cond` holds (returns that status) or throw after `ms` with the last one. */
  until(cond: (s: Status) => boolean, ms: number, what: string): Promise<Status>;
  /** SIGTERM and wait for the exit (SIGKILL after `ms`). */
  stop(ms?: number): Promise<void>;
  /** SIGKILL (a crash) and wait for the exit. */
  crash(): Promise<void>;
}

/**
 * Start dist/atriumd.mjs with a temp state dir and a fresh authkey (or, with `reuse`, the state
 * dir and authkey of an earlier daemon, or ones the caller prepared); resolves once it serves.
 */
export async function startDaemon(
  nodeName: string,
  extraEnv: Record<string, string> = {},
  reuse?: Pick<Daemon, "stateDir" | "authkeyPath">,
): Promise<Daemon> {
  const stateDir = reuse?.stateDir ?? mkdtempSync(join(tmpdir(), "atrium-e2e-"));
  const authkeyPath = reuse?.authkeyPath ?? join(stateDir, "authkey");
  if (reuse === undefined) writeFileSync(authkeyPath, randomBytes(256), { mode: 0o600 });
  else rmSync(join(stateDir, "api.json"), { force: true });
  const env = {
    ...process.env,
    PCMK_authkey_location: authkeyPath,
    ATRIUM_SHUTDOWN_TIMEOUT_MS: "30000",
    ...extraEnv,
  };
  delete (env as Record<string, string | undefined>).ATRIUM_STATE_DIR;
  const child = spawn(process.execPath, [DAEMON, "--state-dir", stateDir, "--node-name", nodeName], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let text = "";
  child.stderr!.on("data", (b: Buffer) => void (text += b.toString()));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const cli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((res) => {
      execFile(process.execPath, [CLI, ...args], {
        env: { ...process.env, ATRIUM_STATE_DIR: stateDir },
        timeout: 20_000,
      }, (err, stdout, stderr) => {
        const code = err
          ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1)
          : 0;
        res({ code, stdout, stderr });
      });
    });
  const d: Daemon = {
    stateDir,
    authkeyPath,
    nodeName,
    child,
    log: () => text,
    cli,
    async ok(...args) {
      const r = await cli(...args);
      if (r.code !== 0) throw new Error(`atrium ${args.join(" ")} exited ${r.code}: ${r.stderr}${r.stdout}`);
      return r.stdout;
    },
    async status() {
      return JSON.parse(await d.ok("status", "--json")) as Status;
    },
    async until(cond, ms, what) {
      const t0 = Date.now();
      let last: Status | undefined;
      for (;;) {
        try {
          last = await d.status();
          if (cond(last)) return last;
        } catch { /* the daemon may be busy; try again */ }
        if (Date.now() - t0 > ms) {
          throw new Error(
            `Timed out after ${ms} ms waiting for ${what}; last status: ${
              JSON.stringify(last)
            }\n--- atriumd log (tail) ---\n${text.slice(-4000)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async stop(ms = 40_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), ms);
      await exited;
      clearTimeout(t);
    },
    async crash() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
  const t0 = Date.now();
  while (!existsSync(join(stateDir, "api.json"))) {
    if (child.exitCode !== null) throw new Error(`atriumd exited ${child.exitCode}: ${text}`);
    if (Date.now() - t0 > 15_000) throw new Error(`atriumd did not start in 15 s: ${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return d;
}

/** Remove a daemon's state dir. */
export function removeStateDir(d: Daemon | undefined): void {
  if (d) rmSync(d.stateDir, { recursive: true, force: true });
}

/** Pids of the processes in network namespace `ns`. */
export function netnsPids(ns: string): number[] {
  try {
    return execFileSync("ip", ["netns", "pids", ns], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).split(/\s+/).filter((x) => x !== "").map(Number);
  } catch {
    return [];
  }
}

/** The command line of `pid` ("" when gone). */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** Kill everything in namespace `ns` and delete it. */
export function removeNetns(ns: string): void {
  for (const p of netnsPids(ns)) {
    try {
      process.kill(p, "SIGKILL");
    } catch { /* gone */ }
  }
  quiet("ip", "netns", "del", ns);
}

/** Resources by id from a status. */
export function byId(s: Status): Map<string, Status["resources"][number]> {
  return new Map(s.resources.map((r) => [r.id, r]));
}

/**
 * A remote host for the walkthroughs: network namespace `ns` whose `eth0` is `NET.21/24`, on a
 * veth pair whose host side `veth` is `NET.254/24` (`net` is the /24 prefix, e.g. "10.214.221").
 */
export interface RemoteHost {
  readonly ns: string;
  readonly veth: string;
  readonly net: string;
}

/** The remote host's address (where its atrium-remoted listens). */
export function remoteAddr(h: RemoteHost): string {
  return `${h.net}.21`;
}

/** Create `h` (removing leftovers of an earlier run first). */
export function addRemoteHost(h: RemoteHost): void {
  removeRemoteHost(h);
  quiet("ip", "netns", "add", h.ns);
  quiet("ip", "link", "add", h.veth, "type", "veth", "peer", "name", "eth0", "netns", h.ns);
  quiet("ip", "addr", "add", `${h.net}.254/24`, "dev", h.veth);
  quiet("ip", "link", "set", h.veth, "up");
  quiet("ip", "-n", h.ns, "addr", "add", `${remoteAddr(h)}/24`, "dev", "eth0");
  quiet("ip", "-n", h.ns, "link", "set", "eth0", "up");
  quiet("ip", "-n", h.ns, "link", "set", "lo", "up");
}

/** Kill everything in `h` and remove its namespace and veth pair. */
export function removeRemoteHost(h: RemoteHost): void {
  removeNetns(h.ns);
  quiet("ip", "link", "del", "dev", h.veth);
}

/** Start dist/atrium-remoted in `h` on port 3121 with a private /run (Dummy state is its own). */
export function startRemotedIn(h: RemoteHost, authkey: string, env: Record<string, string> = {}): ChildProcess {
  const script = `mount -t tmpfs -o size=16m tmpfs /run && exec "${process.execPath}" "${REMOTED}"`;
  return spawn("ip", ["netns", "exec", h.ns, "unshare", "-m", "sh", "-c", script], {
    env: { ...process.env, PCMK_authkey_location: authkey, PCMK_remote_port: "3121", ...env },
    stdio: "ignore",
  });
}

/** Pids of the atrium-remoted processes in `h`. */
export function remotedPidsIn(h: RemoteHost): number[] {
  return netnsPids(h.ns).filter((p) => cmdline(p).includes("atrium-remoted"));
}
