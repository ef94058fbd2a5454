/**
 * Process-group helpers shared by runProcess and the launcher client: signal a group, and tell
 * whether any live (non-zombie) member is left.
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";

/** Send `sig` to process group `pgid`; false when the group no longer exists. */
export function killGroup(pgid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * True while process group `pgid` has a live member. Zombies do not count (a slow init may
 * leave killed orphans unreaped for a while); read from /proc where it exists.
 */
export function groupAlive(pgid: number): boolean {
  if (!killGroup(pgid, 0)) return false;
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return true; // no /proc: trust kill(0)
  }
  for (const e of entries) {
    if (e.charCodeAt(0) < 48 || e.charCodeAt(0) > 57) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "latin1");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (f[2] === String(pgid) && f[0] !== "Z" && f[0] !== "X") return true;
    } catch {
      // exited meanwhile
    }
  }
  return false;
}

