/** Set-up and clean-up the root netns suites share (not a test file itself). */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { hostVethName, netnsName } from "../../../plugins/netns/mod.ts";

/**
 * Why the root netns suites cannot run here, or undefined when they can: they need Linux, root,
 * `ip`, `unshare`, `mount`, and each of `files` (with a hint to build when one is missing).
 */
export function netnsSuiteBlocker(files: readonly string[] = []): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return "not root";
  for (const t of ["ip", "unshare", "mount"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${t}`], { stdio: "ignore" });
    } catch {
      return `${t} is missing`;
    }
  }
  for (const f of files) if (!existsSync(f)) return `${f} is missing (run npm run build)`;
  return undefined;
}

/** Run `ip ARGS`, ignoring failure (the thing is already gone). */
export function ipQuiet(...args: string[]): void {
  try {
    execFileSync("ip", args, { stdio: "ignore" });
  } catch { /* gone */ }
}

/** Remove what a guest of `node` may have left: its host veth and its namespace. */
export function removeGuestNetwork(node: string): void {
  const ns = netnsName(node);
  ipQuiet("link", "del", "dev", hostVethName(ns));
  ipQuiet("netns", "del", ns);
}
