/**
 * The FileStore's writer lock: `lock` in the store directory, created atomically (a complete
 * temp file hard-linked into place, which fails if the lock exists) and holding the owner's pid,
 * host and a random token. A lock whose owner is on this host and no longer alive is stale and
 * is broken safely: it is renamed aside and checked to be the same stale lock before removal.
 */
import { randomBytes } from "node:crypto";
import { link, readFile, rename, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import process from "node:process";
import { join } from "node:path";
import { AtriumError } from "../../errors.ts";
import { errCode, tempName, writeSynced } from "./_fs.ts";
import { LOCK } from "./_manifest.ts";

export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly since: string;
}

async function readLock(path: string): Promise<LockInfo | "missing" | "unreadable"> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    return errCode(e) === "ENOENT" ? "missing" : "unreadable";
  }
  try {
    const o = JSON.parse(text) as Partial<LockInfo>;
    if (typeof o.pid === "number" && typeof o.host === "string" && typeof o.token === "string") {
      return { pid: o.pid, host: o.host, token: o.token, since: String(o.since ?? "") };
    }
  } catch {
    // fall through
  }
  return "unreadable";
}

/** True when process `pid` exists (EPERM means it exists but is not ours). */
function alive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errCode(e) === "EPERM";
  }
}

function isStale(l: LockInfo, host: string): boolean {
  return l.host === host && l.pid !== process.pid && !alive(l.pid);
}

/** Take the writer lock of `dir`, breaking a stale one; throws `CIB_STORE_LOCKED` if held. */
export async function acquireLock(dir: string): Promise<LockInfo> {
  const path = join(dir, LOCK);
  const host = hostname();
  const mine: LockInfo = { pid: process.pid, host, token: randomBytes(12).toString("hex"), since: new Date().toISOString() };
  const tmp = tempName(dir, "lock");
  await writeSynced(tmp, new TextEncoder().encode(JSON.stringify(mine) + "\n"));
  try {
    for (let attempt = 0; attempt < 8; attempt++) {
      try {
        await link(tmp, path);
        return mine;
      } catch (e) {
        if (errCode(e) === "ENOENT") {
          // The holder cleaned up our temp file as a leftover: write it again and retry.
          await writeSynced(tmp, new TextEncoder().encode(JSON.stringify(mine) + "\n"));
          continue;
        }
        if (errCode(e) !== "EEXIST") throw e;
      }
      const held = await readLock(path);
      if (held === "missing") continue;
      if (held === "unreadable" || !isStale(held, host)) {
        const who = held === "unreadable"
          ? "an unreadable lock file"
          : `process ${held.pid} on host ${JSON.stringify(held.host)} since ${held.since}`;
        throw new AtriumError("CIB_STORE_LOCKED", `Cannot open CIB store ${dir} for writing: it is locked by ${who}`, {
          details: { lock: path, ...(held === "unreadable" ? {} : { pid: held.pid, host: held.host }) },
        });
      }
      await breakStale(dir, path, held);
    }
    throw new AtriumError("CIB_STORE_LOCKED", `Cannot open CIB store ${dir} for writing: the lock kept changing hands`, {
      details: { lock: path },
    });
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/** Move the stale lock aside; if what moved is not the stale lock we saw, put it back. */
async function breakStale(dir: string, path: string, stale: LockInfo): Promise<void> {
  const aside = tempName(dir, "lock-stale");
  try {
    await rename(path, aside);
  } catch (e) {
    if (errCode(e) === "ENOENT") return;
    throw e;
  }
  const moved = await readLock(aside);
  if (typeof moved === "object" && moved.token !== stale.token) {
    await link(aside, path).catch(() => {});
  }
  await unlink(aside).catch(() => {});
}

/** Remove the lock if it is still `mine`. */
export async function releaseLock(dir: string, mine: LockInfo): Promise<void> {
  const path = join(dir, LOCK);
  const held = await readLock(path);
  if (typeof held === "object" && held.token === mine.token) await unlink(path).catch(() => {});
}
