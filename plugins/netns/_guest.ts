/**
 * Building blocks of a guest's life: the shared bridge, the namespace with its veth, and the
 * teardown that removes whatever of a guest is left (processes, veth, namespace, key).
 * @module
 */
import { createHash } from "node:crypto";
import { lstatSync, rmSync } from "node:fs";
import process from "node:process";
import { AtriumError } from "../../core/plugin/mod.ts";
import { deleteLink, deleteNetns, exec, ipOrThrow, linkExists, linkIpv4, netnsExists, netnsInode, showCommand } from "./_exec.ts";
import { netInodeOf, pidsInNetns, sameProcess, signal, waitFor } from "./_proc.ts";
import { formatCidr, type GuestParams, parseIpv4Cidr, sameSubnet } from "./params.ts";

let bridgeLock: Promise<unknown> = Promise.resolve();

/** Run `f` after every earlier call has finished (bridge setup is shared by all guests). */
function serialized<T>(f: () => Promise<T>): Promise<T> {
  const run = bridgeLock.then(f, f);
  bridgeLock = run.catch(() => undefined);
  return run;
}

function startFailed(message: string, details?: Record<string, unknown>): AtriumError {
  return new AtriumError("LAUNCHER_START_FAILED", message, { plugin: "netns", ...(details ? { details } : {}) });
}

/**
 * Make sure the bridge exists, is a bridge, is up and holds an address in the guest's subnet
 * (adding `bridgeAddress` if it holds none). Safe to run concurrently and repeatedly.
 */
export function ensureBridge(p: GuestParams, timeoutMs: number): Promise<void> {
  return serialized(async () => {
    const br = p.bridge;
    if (!(await linkExists(br, timeoutMs))) {
      const args = ["link", "add", "name", br, "type", "bridge"];
      const r = await exec("ip", args, timeoutMs);
      if (!r.ok && !(await linkExists(br, timeoutMs))) {
        throw startFailed(`Cannot create bridge "${br}": "${showCommand("ip", args)}" failed: ${r.stderr.trim()}`, { command: showCommand("ip", args), stderr: r.stderr });
      }
    }
    const d = await exec("ip", ["-d", "-o", "link", "show", "dev", br], timeoutMs);
    if (!d.ok || !/\sbridge\s/.test(d.stdout)) {
      throw startFailed(`Cannot use bridge "${br}": an interface of that name exists and is not a bridge`, { bridge: br });
    }
    const have = (await linkIpv4(br, timeoutMs)).some((a) => {
      try {
        return sameSubnet(parseIpv4Cidr(a, "bridge address"), p.address);
      } catch {
        return false;
      }
    });
    if (!have) {
      const args = ["addr", "add", formatCidr(p.bridgeAddress), "dev", br];
      const r = await exec("ip", args, timeoutMs);
      if (!r.ok && !/File exists/.test(r.stderr)) {
        throw startFailed(`Cannot add address to bridge "${br}": "${showCommand("ip", args)}" failed: ${r.stderr.trim()}`, { command: showCommand("ip", args), stderr: r.stderr });
      }
    }
    await ipOrThrow(["link", "set", "dev", br, "up"], timeoutMs, "LAUNCHER_START_FAILED", `bring bridge "${br}" up`);
  });
}

/**
 * The guest's MAC address: locally administered unicast (`02:...`), derived from the namespace
 * name and the guest address, so it is the same on every start of the same guest.
 */
export function guestMac(netns: string, p: GuestParams): string {
  const h = createHash("sha256").update(`${netns}\0${formatCidr(p.address)}`).digest();
  return ["02", ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, "0"))].join(":");
}

/** Create the namespace and its veth pair (eth0 inside, `hostVeth` on the bridge), both up. */
export async function makeNetwork(netns: string, hostVeth: string, p: GuestParams, timeoutMs: number): Promise<void> {
  const steps: [string[], string][] = [
    [["netns", "add", netns], `create network namespace "${netns}"`],
    [["link", "add", hostVeth, "type", "veth", "peer", "name", "eth0", "netns", netns], `create veth "${hostVeth}" for "${netns}"`],
    [["link", "set", "dev", hostVeth, "master", p.bridge], `attach "${hostVeth}" to bridge "${p.bridge}"`],
    [["link", "set", "dev", hostVeth, "up"], `bring "${hostVeth}" up`],
    [["-n", netns, "link", "set", "dev", "lo", "up"], `bring lo up in "${netns}"`],
    // A stable MAC: a restarted guest keeps its link-layer address, so the host's neighbour entry
    // (still REACHABLE while other guests keep the bridge up) stays right and needs no flush.
    [["-n", netns, "link", "set", "dev", "eth0", "address", guestMac(netns, p)], `set the MAC address of eth0 in "${netns}"`],
    [["-n", netns, "addr", "add", formatCidr(p.address), "dev", "eth0"], `add address "${formatCidr(p.address)}" in "${netns}"`],
    [["-n", netns, "link", "set", "dev", "eth0", "up"], `bring eth0 up in "${netns}"`],
  ];
  for (const [args, what] of steps) await ipOrThrow(args, timeoutMs, "LAUNCHER_START_FAILED", what);
}

/**
 * Stop every process left in a namespace: SIGTERM, up to `graceMs`, then SIGKILL. Never
 * touches the host's own namespace. Returns the pids that would not die.
 */
export async function killNetnsMembers(netns: string, graceMs: number): Promise<number[]> {
  const ino = netnsInode(netns);
  if (ino === undefined || ino === netInodeOf(process.pid)) return [];
  let pids = pidsInNetns(ino);
  if (pids.length === 0) return [];
  if (graceMs > 0) {
    for (const pid of pids) signal(pid, "SIGTERM");
    await waitFor(() => pidsInNetns(ino).length === 0, graceMs);
    pids = pidsInNetns(ino);
  }
  for (const pid of pids) signal(pid, "SIGKILL");
  await waitFor(() => pidsInNetns(ino).length === 0, 3000);
  return pidsInNetns(ino);
}

/** What {@link teardown} removes. */
export interface TeardownTarget {
  readonly netns: string;
  readonly hostVeth: string;
  readonly pid?: number;
  readonly startTime?: string;
  readonly stateDir?: string;
}

/**
 * Remove whatever is left of a guest: its daemon (process group, only while it is the recorded
 * process), every other process in its namespace, the veth, the namespace, the key file.
 * Idempotent. Returns what could not be removed (empty when all is gone).
 */
export async function teardown(t: TeardownTarget, graceMs: number, timeoutMs: number): Promise<string[]> {
  const problems: string[] = [];
  if (t.pid !== undefined && t.startTime !== undefined && sameProcess(t.pid, t.startTime)) {
    const pid = t.pid, st = t.startTime;
    if (graceMs > 0) {
      signal(-pid, "SIGTERM");
      signal(pid, "SIGTERM");
      await waitFor(() => !sameProcess(pid, st), graceMs);
    }
    if (sameProcess(pid, st)) {
      signal(-pid, "SIGKILL");
      signal(pid, "SIGKILL");
      if (!(await waitFor(() => !sameProcess(pid, st), 3000))) problems.push(`daemon pid ${pid} survived SIGKILL`);
    }
  }
  const left = await killNetnsMembers(t.netns, Math.min(graceMs, 1000));
  if (left.length > 0) problems.push(`processes ${left.join(", ")} in "${t.netns}" survived SIGKILL`);
  const l = await deleteLink(t.hostVeth, timeoutMs);
  if (l !== undefined) problems.push(l);
  const n = await deleteNetns(t.netns, timeoutMs);
  if (n !== undefined) problems.push(n);
  if (t.stateDir !== undefined && isRealDir(t.stateDir)) {
    try {
      rmSync(`${t.stateDir}/authkey`, { force: true });
      rmSync(`${t.stateDir}/authkey.tmp`, { force: true });
    } catch (e) {
      problems.push(`cannot remove the key file in "${t.stateDir}": ${(e as Error).message}`);
    }
  }
  return problems;
}

/** True for a directory that is not a symlink (never follow one to delete a key). */
function isRealDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** True when anything of the guest (namespace or host veth) is still there. */
export async function leftovers(netns: string, hostVeth: string, timeoutMs: number): Promise<boolean> {
  return netnsExists(netns) || (await linkExists(hostVeth, timeoutMs));
}
