/**
 * The `netns` guest launcher: a guest is a lightweight container made of a network namespace
 * (eth0 on a veth pair to a host bridge), a private mount namespace with its own /run (tmpfs),
 * and the guest's executor daemon (atrium-remoted by default) running inside it in its own
 * process group, its output in a log file of the guest's state folder.
 * @module
 */
import { spawn } from "node:child_process";
import { chmodSync, closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import process from "node:process";
import {
  AtriumError,
  type GuestHandle,
  type GuestLauncher,
  type GuestSpec,
  type GuestStatus,
  type PluginContext,
} from "../../core/plugin/mod.ts";
import { netnsExists, netnsInode, showCommand } from "./_exec.ts";
import { ensureBridge, makeNetwork, teardown } from "./_guest.ts";
import { listensOn, netInodeOf, procStat, sameProcess, signal, waitFor } from "./_proc.ts";
import { defaultRemotedCommand, defaultSettings, type NetnsSettings } from "./config.ts";
import { LAUNCHER_NAME, makeHandle, type NetnsGuestState, readGuestState } from "./handle.ts";
import { formatCidr, type GuestParams, hostVethName, netnsName, parseGuestParams } from "./params.ts";

/**
 * What runs inside the guest, as `sh -c SCRIPT atrium-guest CMD...`: the command arrives as
 * positional arguments ("$@"), so nothing is ever quoted into the script.
 */
const INNER_SCRIPT = [
  `mount -t tmpfs -o "mode=0755,size=$ATRIUM_GUEST_RUN_SIZE" atrium-guest-run /run`,
  `mkdir -p /run/resource-agents /run/lock`,
  `chmod 1755 /run/resource-agents`,
  `unset ATRIUM_GUEST_RUN_SIZE`,
  `exec "$@"`,
].join(" && ");

function startError(code: string, message: string, details?: Record<string, unknown>): AtriumError {
  return new AtriumError(code, message, { plugin: LAUNCHER_NAME, hook: "start", ...(details ? { details } : {}) });
}

/** The last lines of a guest's daemon log, for error messages. */
function logTail(file: string, maxChars = 1500): string {
  try {
    const t = readFileSync(file, "utf8").trimEnd();
    return t.length > maxChars ? "…" + t.slice(-maxChars) : t;
  } catch {
    return "";
  }
}

/** Make the guest's state folder: parents 0755, the folder itself 0700, ours and no symlink. */
function makeStateDir(stateDir: string): void {
  mkdirSync(dirname(stateDir), { recursive: true, mode: 0o755 });
  try {
    mkdirSync(stateDir, { mode: 0o700 });
  } catch (e) {
    if ((e as { code?: string }).code !== "EEXIST") throw e;
  }
  const st = lstatSync(stateDir);
  const uid = typeof process.getuid === "function" ? process.getuid() : st.uid;
  if (!st.isDirectory() || st.uid !== uid) {
    throw startError("LAUNCHER_START_FAILED", `Cannot use state folder "${stateDir}": expected a directory owned by uid ${uid}, not a symlink`);
  }
  chmodSync(stateDir, 0o700);
}

/** Keep one older daemon log when the current one has grown past 10 MiB. */
function rotateLog(file: string): void {
  try {
    if (statSync(file).size > 10 * 1024 * 1024) renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
}

/** Write the key where only root can read it (file 0600), atomically. */
function writeKey(stateDir: string, key: Uint8Array): string {
  const tmp = `${stateDir}/authkey.tmp`;
  const file = `${stateDir}/authkey`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, "wx", 0o600);
  try {
    writeSync(fd, key);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return file;
}

interface Spawned {
  readonly pid: number;
  readonly startTime: string;
  /** Set once the process has exited (or could not start). */
  readonly exit: () => string | undefined;
}

/** Start the daemon in the namespace, in a new session (its own process group). */
async function spawnDaemon(netns: string, cmd: readonly string[], env: Record<string, string>, logFile: string): Promise<Spawned> {
  const args = ["netns", "exec", netns, "unshare", "--mount", "--propagation", "private", "--", "sh", "-c", INNER_SCRIPT, "atrium-guest", ...cmd];
  const out = openSync(logFile, "a", 0o600);
  let exited: string | undefined;
  let child;
  try {
    child = spawn("ip", args, { detached: true, stdio: ["ignore", out, out], env, cwd: "/" });
  } finally {
    closeSync(out);
  }
  child.on("error", (e) => (exited ??= `cannot run: ${e.message}`));
  child.on("exit", (code, sig) => (exited ??= sig ? `killed by ${sig}` : `exited with ${code}`));
  child.unref();
  const pid = child.pid;
  if (pid === undefined) {
    await new Promise((r) => setTimeout(r, 20));
    throw startError("LAUNCHER_START_FAILED", `Cannot start the guest daemon: "${showCommand("ip", args)}" ${exited ?? "did not start"}`, { command: showCommand("ip", args) });
  }
  const st = procStat(pid);
  return { pid, startTime: st?.startTime ?? "0", exit: () => exited };
}

/**
 * Create the `netns` launcher. `settings` is read at every call, so the plugin's `setup` can
 * change it in place.
 *
 * @example
 * ```ts
 * const l = createNetnsLauncher({ ...defaultSettings(), remotedCommand: ["/usr/bin/atrium-remoted"] });
 * const h = await l.start({ resource: "c1", node: "guest1", params: { address: "10.214.0.11/24" }, authkey, timeoutMs: 30000 }, ctx);
 * ```
 */
export function createNetnsLauncher(settings: NetnsSettings = defaultSettings()): GuestLauncher {
  async function start(spec: GuestSpec, ctx: PluginContext): Promise<GuestHandle> {
    const t0 = Date.now();
    const deadline = t0 + Math.max(1000, spec.timeoutMs);
    const p: GuestParams = parseGuestParams(spec.params ?? {});
    if (typeof spec.node !== "string" || spec.node.length === 0) {
      throw startError("LAUNCHER_BAD_PARAMS", `Cannot start guest of "${spec.resource}": its node name is empty`);
    }
    if (!(spec.authkey instanceof Uint8Array) || spec.authkey.length === 0) {
      throw startError("LAUNCHER_BAD_PARAMS", `Cannot start guest "${spec.node}": its authkey is empty`);
    }
    const netns = netnsName(spec.node);
    const hostVeth = hostVethName(netns);
    const stateDir = `${settings.stateDir}/${netns}`;
    const tmo = settings.commandTimeoutMs;
    const cmd = p.remotedCommand ?? settings.remotedCommand ?? defaultRemotedCommand(ctx.runtime);

    // A crash mid-start (or a stale guest of the same name) leaves these: clear them first.
    const stale = await teardown({ netns, hostVeth }, 0, tmo);
    if (stale.length > 0) {
      throw startError("LAUNCHER_START_FAILED", `Cannot start guest "${spec.node}": leftovers of an earlier run cannot be removed: ${stale.join("; ")}`);
    }
    let spawned: Spawned | undefined;
    try {
      await ensureBridge(p, tmo);
      await makeNetwork(netns, hostVeth, p, tmo);
      makeStateDir(stateDir);
      const keyFile = writeKey(stateDir, spec.authkey);
      const logFile = `${stateDir}/daemon.log`;
      rotateLog(logFile);
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
      // `ip`, `unshare` and `mount` live in sbin, which a non-login PATH may lack.
      env["PATH"] = [env["PATH"], "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"].filter(Boolean).join(":");
      Object.assign(env, settings.env, {
        PCMK_authkey_location: keyFile,
        PCMK_remote_port: String(p.port),
        ATRIUM_GUEST_NODE: spec.node,
        ATRIUM_GUEST_RUN_SIZE: settings.runSize,
      });
      spawned = await spawnDaemon(netns, cmd, env, logFile);
      const sp = spawned;
      const ready = () => sp.exit() !== undefined || !sameProcess(sp.pid, sp.startTime) || !settings.waitForListen || listensOn(sp.pid, p.port);
      await waitFor(() => ready() || ctx.signal.aborted, Math.max(0, deadline - Date.now()));
      if (sp.exit() !== undefined || !sameProcess(sp.pid, sp.startTime)) {
        await new Promise((r) => setTimeout(r, 50));
        throw startError(
          "LAUNCHER_START_FAILED",
          `Cannot start guest "${spec.node}": the daemon "${showCommand(cmd[0]!, cmd.slice(1))}" ${sp.exit() ?? "exited"}; its log ends: ${logTail(logFile) || "(empty)"}`,
          { command: [...cmd], log: logFile },
        );
      }
      if (ctx.signal.aborted) throw startError("LAUNCHER_START_FAILED", `Cannot start guest "${spec.node}": cancelled`);
      if (settings.waitForListen && !listensOn(sp.pid, p.port)) {
        throw startError(
          "LAUNCHER_START_TIMEOUT",
          `Cannot start guest "${spec.node}": the daemon did not listen on port ${p.port} within ${spec.timeoutMs}ms; its log ends: ${logTail(logFile) || "(empty)"}`,
          { command: [...cmd], log: logFile },
        );
      }
      const state: NetnsGuestState = {
        netns,
        hostVeth,
        bridge: p.bridge,
        address: p.address.address,
        prefix: p.address.prefix,
        port: p.port,
        pid: sp.pid,
        startTime: sp.startTime,
        stateDir,
      };
      ctx.log.info(`Started guest ${spec.node} in network namespace ${netns} at ${formatCidr(p.address)}`, {
        resource: spec.resource,
        pid: sp.pid,
        ms: Date.now() - t0,
      });
      return makeHandle(spec.resource, spec.node, state);
    } catch (e) {
      const left = await teardown({ netns, hostVeth, stateDir, ...(spawned ? { pid: spawned.pid, startTime: spawned.startTime } : {}) }, 500, tmo);
      if (left.length > 0) ctx.log.error(`Cannot clean up after the failed start of guest ${spec.node}: ${left.join("; ")}`);
      throw e;
    }
  }

  async function stop(handle: GuestHandle, opts: { timeoutMs: number; force: boolean }, ctx: PluginContext): Promise<void> {
    const s = readGuestState(handle);
    const timeoutMs = Math.max(0, opts.timeoutMs);
    const deadline = Date.now() + timeoutMs;
    // A frozen daemon (stopped, state "T") cannot act on SIGTERM: a forced stop destroys it at once,
    // as a hypervisor destroys a hung VM, instead of waiting out the graceful part.
    const isFrozen = () => opts.force && procStat(s.pid)?.state === "T";
    let frozen = isFrozen();
    if (sameProcess(s.pid, s.startTime) && !frozen) {
      signal(-s.pid, "SIGTERM");
      signal(s.pid, "SIGTERM");
      // A SIGSTOP sent just before may not have taken effect yet when the state was read: a
      // daemon that turns out frozen while we wait is destroyed at once too.
      const gone = await waitFor(() => !sameProcess(s.pid, s.startTime) || (frozen = isFrozen()), timeoutMs);
      if (!gone && !opts.force) {
        throw new AtriumError("LAUNCHER_STOP_TIMEOUT", `Cannot stop guest "${handle.node}": its daemon (pid ${s.pid}) did not exit within ${timeoutMs}ms of SIGTERM`, {
          plugin: LAUNCHER_NAME,
          hook: "stop",
          details: { netns: s.netns, pid: s.pid },
        });
      }
    }
    // Whatever is still running (the daemon, when forced; processes it left): SIGKILL after
    // what is left of the timeout (at most 1 s).
    const grace = frozen ? 0 : Math.max(0, Math.min(1000, deadline - Date.now()));
    const left = await teardown({ ...s }, grace, settings.commandTimeoutMs);
    if (left.length > 0) {
      throw new AtriumError("LAUNCHER_STOP_FAILED", `Cannot stop guest "${handle.node}": ${left.join("; ")}`, {
        plugin: LAUNCHER_NAME,
        hook: "stop",
        details: { netns: s.netns },
      });
    }
    ctx.log.info(`Stopped guest ${handle.node} (network namespace ${s.netns})`, { resource: handle.resource });
  }

  function statusOf(s: NetnsGuestState): GuestStatus {
    const ns = netnsExists(s.netns);
    const alive = sameProcess(s.pid, s.startTime);
    if (ns && alive) return netInodeOf(s.pid) === netnsInode(s.netns) ? "running" : "failed";
    if (!ns && !alive) return "stopped";
    return "failed";
  }

  return {
    name: LAUNCHER_NAME,
    capabilities: { migrate: false, console: false },
    start,
    stop,
    status(handle) {
      return Promise.resolve(statusOf(readGuestState(handle)));
    },
    address(handle) {
      const s = readGuestState(handle);
      return Promise.resolve({ host: s.address, port: s.port });
    },
    async recover(handle, ctx) {
      const s = readGuestState(handle);
      if (statusOf(s) === "running") {
        ctx.log.info(`Recovered guest ${handle.node} (network namespace ${s.netns}, pid ${s.pid})`);
        return true;
      }
      const left = await teardown({ ...s }, 1000, settings.commandTimeoutMs);
      if (left.length > 0) ctx.log.warn(`Cannot clean up what is left of guest ${handle.node}: ${left.join("; ")}`);
      return false;
    },
  };
}
