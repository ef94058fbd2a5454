/**
 * The daemon's state directory: the API token file (random, mode 0600, reused when valid) and
 * `api.json` (where the endpoint listens), written atomically. The token is never logged.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";

/** The default state directory. */
export const DEFAULT_STATE_DIR = "/var/lib/atrium";

/** What `api.json` holds. */
export interface ApiInfo {
  readonly url: string;
  readonly pid: number;
  readonly node: string;
}

/** Create the state directory (mode 0750) if needed. */
export async function ensureStateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o750 });
}

const TOKEN_RE = /^[A-Za-z0-9._~+\/=-]{16,512}$/;

/**
 * The token in `DIR/token`: reused when the file holds a valid token (its mode is tightened
 * to 0600), else a new random one written with mode 0600. Returns the token and whether it is new.
 */
export async function loadOrCreateToken(dir: string): Promise<{ token: string; created: boolean }> {
  const path = join(dir, "token");
  try {
    const text = (await readFile(path, "utf8")).trim();
    if (TOKEN_RE.test(text)) {
      const st = await stat(path);
      if ((st.mode & 0o077) !== 0) await chmod(path, 0o600);
      return { token: text, created: false };
    }
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOENT") throw e;
  }
  const token = randomBytes(32).toString("hex");
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, token + "\n", { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
  return { token, created: true };
}

/** Write `DIR/api.json` atomically. */
export async function writeApiInfo(dir: string, info: ApiInfo): Promise<void> {
  const path = join(dir, "api.json");
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(info) + "\n", { mode: 0o644 });
  await rename(tmp, path);
}

/** Remove `DIR/api.json` (on shutdown), ignoring a missing file. */
export async function removeApiInfo(dir: string): Promise<void> {
  await rm(join(dir, "api.json"), { force: true });
}
