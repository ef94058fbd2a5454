/**
 * The FileStore's writer lock: `lock` in the store directory, created atomically (a complete
 * temp file hard-linked into place, which fails if the lock exists) and holding the owner's pid,
 * host and a random token. A lock whose owner is on this host and no longer alive is stale; it
 * is removed under a second lock, `lock.break` (see {@link acquireLock}). A lock from another
 * host is never taken for stale (its owner cannot be checked from here).
 */
import { randomBytes } from "node:crypto";
import { link, readFile, rename, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import process from "node:process";
import { join } from "node:path";
import { AtriumError } from "../../errors.ts";
import { errCode, tempName, writeSynced } from "./_fs.ts";
import { LOCK } from "./_manifest.ts";

/** The contents of a lock file. */
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

/** Link the complete temp file `tmp` to `path`; false if `path` exists. */
async function tryLink(tmp: string, path: string, content: Uint8Array): Promise<boolean> {
  for (let i = 0; i < 3; i++) {
    try {
      await link(tmp, path);
      return true;
    } catch (e) {
      if (errCode(e) === "EEXIST") return false;
      if (errCode(e) !== "ENOENT") throw e;
      // The holder cleaned our temp file up as a leftover: write it again.
      await writeSynced(tmp, content);
    }
  }
  return false;
}

function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(Math.random() * 15)));
}

function lockedError(dir: string, path: string, held: LockInfo | "unreadable" | undefined): AtriumError {
  const who = held === undefined
    ? "processes that kept it changing hands"
    : held === "unreadable"
    ? "an unreadable lock file"
    : `process ${held.pid} on host ${JSON.stringify(held.host)} since ${held.since}`;
  return new AtriumError("CIB_STORE_LOCKED", `Cannot open CIB store ${dir} for writing: it is locked by ${who}`, {
    details: { lock: path, ...(typeof held === "object" ? { pid: held.pid, host: held.host } : {}) },
  });
}

/**
 * Take the writer lock of `dir`; throws `CIB_STORE_LOCKED` if a live process holds it. A stale
 * lock is removed under a second lock (`lock.break`), so that only one process at a time checks
 * and removes it and a fresh lock taken meanwhile is never removed by mistake.
 */
export async function acquireLock(dir: string): Promise<LockInfo> {
  const path = join(dir, LOCK);
  const breakPath = `${path}.break`;
  const host = hostname();
  const mine: LockInfo = { pid: process.pid, host, token: randomBytes(12).toString("hex"), since: new Date().toISOString() };
  const content = new TextEncoder().encode(JSON.stringify(mine) + "\n");
  const tmp = tempName(dir, "lock");
  await writeSynced(tmp, content);
  try {
    for (let attempt = 0; attempt < 40; attempt++) {
      if (await tryLink(tmp, path, content)) return mine;
      const held = await readLock(path);
      if (held === "missing") continue;
      if (held === "unreadable" || !isStale(held, host)) throw lockedError(dir, path, held);
      if (await tryLink(tmp, breakPath, content)) {
        try {
          const again = await readLock(path);
          if (typeof again === "object" && again.token === held.token) await unlink(path).catch(() => {});
        } finally {
          await releaseFile(breakPath, mine);
        }
        continue;
      }
      // Someone else is breaking it; if that breaker died, clear its break lock.
      const breaker = await readLock(breakPath);
      if (typeof breaker === "object" && isStale(breaker, host)) await breakStale(dir, breakPath, breaker);
      else await pause();
    }
    throw lockedError(dir, path, undefined);
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/** Move a dead breaker's break lock aside; if what moved is not that one, put it back. */
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

async function releaseFile(path: string, mine: LockInfo): Promise<void> {
  const held = await readLock(path);
  if (typeof held === "object" && held.token === mine.token) await unlink(path).catch(() => {});
}

/** Remove the lock if it is still `mine`. */
export async function releaseLock(dir: string, mine: LockInfo): Promise<void> {
  await releaseFile(join(dir, LOCK), mine);
}
