/**
 * Running `ip` (iproute2) without a shell, with a time limit, and the few namespace and link
 * queries the launcher needs.
 * @module
 */
import { execFile } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { AtriumError } from "../../core/plugin/mod.ts";

/** What one command gave. */
export interface ExecResult {
  readonly ok: boolean;
  readonly code: number | string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where iproute2 keeps named network namespaces. */
export const NETNS_RUN_DIR = "/run/netns";

/** Run `file args...` (no shell) with a time limit; never rejects. */
export function exec(file: string, args: readonly string[], timeoutMs: number): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { timeout: Math.max(1, timeoutMs), killSignal: "SIGKILL", maxBuffer: 1024 * 1024, env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" } },
      (err, stdout, stderr) => {
        if (!err) return resolve({ ok: true, code: 0, stdout: String(stdout), stderr: String(stderr) });
        const e = err as Error & { killed?: boolean; code?: number | string };
        const why = e.killed ? `timed out after ${timeoutMs}ms` : String(stderr).trim() || e.message;
        resolve({ ok: false, code: e.code ?? null, stdout: String(stdout), stderr: why });
      },
    );
  });
}

/** Render a command for an error message. */
export function showCommand(file: string, args: readonly string[]): string {
  return [file, ...args].map((a) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
}

/**
 * Run an `ip` command that must succeed, else throw AtriumError(code) with the command and its
 * stderr.
 */
export async function ipOrThrow(args: readonly string[], timeoutMs: number, code: string, what: string): Promise<string> {
  const r = await exec("ip", args, timeoutMs);
  if (!r.ok) {
    const cmd = showCommand("ip", args);
    throw new AtriumError(code, `Cannot ${what}: "${cmd}" failed: ${r.stderr.trim().split("\n")[0]}`, {
      plugin: "netns",
      details: { command: cmd, stderr: r.stderr.trim() },
    });
  }
  return r.stdout;
}

/** True when the named network namespace exists. */
export function netnsExists(name: string): boolean {
  return existsSync(`${NETNS_RUN_DIR}/${name}`);
}

/** The inode of a named namespace's file (what /proc/PID/ns/net of its members shows). */
export function netnsInode(name: string): number | undefined {
  try {
    return statSync(`${NETNS_RUN_DIR}/${name}`).ino;
  } catch {
    return undefined;
  }
}

/** True when the interface exists in the host namespace. */
export async function linkExists(name: string, timeoutMs: number): Promise<boolean> {
  const r = await exec("ip", ["link", "show", "dev", name], timeoutMs);
  return r.ok;
}

/** The IPv4 addresses ("ADDR/PREFIX") of a host interface. */
export async function linkIpv4(name: string, timeoutMs: number): Promise<string[]> {
  const r = await exec("ip", ["-o", "-4", "addr", "show", "dev", name], timeoutMs);
  if (!r.ok) return [];
  const out: string[] = [];
  for (const m of r.stdout.matchAll(/\binet ([0-9.]+\/[0-9]+)/g)) out.push(m[1]!);
  return out;
}

/** Delete a host interface; absent is fine. Returns the error text if it could not be done. */
export async function deleteLink(name: string, timeoutMs: number): Promise<string | undefined> {
  if (!(await linkExists(name, timeoutMs))) return undefined;
  const r = await exec("ip", ["link", "del", "dev", name], timeoutMs);
  if (r.ok || !(await linkExists(name, timeoutMs))) return undefined;
  return `"${showCommand("ip", ["link", "del", "dev", name])}" failed: ${r.stderr.trim()}`;
}

/** Delete a named namespace; absent is fine. Returns the error text if it could not be done. */
export async function deleteNetns(name: string, timeoutMs: number): Promise<string | undefined> {
  if (!netnsExists(name)) return undefined;
  const r = await exec("ip", ["netns", "del", name], timeoutMs);
  if (r.ok || !netnsExists(name)) return undefined;
  return `"${showCommand("ip", ["netns", "del", name])}" failed: ${r.stderr.trim()}`;
}
