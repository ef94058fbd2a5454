/** Durable file primitives: write-fsync-rename, directory fsync, temp names. */
import { randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import { join } from "node:path";

/** Every temporary file the store makes starts with "." and ends with ".tmp". */
export function tempName(dir: string, base: string): string {
  return join(dir, `.${base}.${randomBytes(6).toString("hex")}.tmp`);
}

/** Write `data` to a new file at `path` and fsync it (fails if it exists). */
export async function writeSynced(path: string, data: Uint8Array): Promise<void> {
  const fh = await open(path, "wx", 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Replace `path` atomically with `data`: temp file, fsync, rename. The caller fsyncs the dir. */
export async function replaceFile(dir: string, path: string, base: string, data: Uint8Array): Promise<void> {
  const tmp = tempName(dir, base);
  try {
    await writeSynced(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

/** fsync a directory so renames and unlinks in it are durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The `code` of a file system error, if any. */
export function errCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown })?.code;
  return typeof c === "string" ? c : undefined;
}
