/**
 * Finding and reading the Pacemaker remote authkey, as Pacemaker 2.1.5 does
 * (`lrmd__init_remote_key()`): `PCMK_authkey_location`, then `/etc/pacemaker/authkey`, then
 * `/etc/corosync/authkey`. The key is the raw bytes of the whole file (no trimming); an
 * empty file counts as no key. Messages name files, never key bytes.
 *
 * @example
 * ```ts
 * const k = loadAuthkey({ env: process.env });
 * console.log(`using the key in ${k.path} (${k.key.length} bytes)`);
 * ```
 */
import { readFileSync, statSync } from "node:fs";
import { AtriumError } from "../errors.ts";

/** Pacemaker's default key file. */
export const DEFAULT_AUTHKEY = "/etc/pacemaker/authkey";
/** Pacemaker's alternative key file. */
export const ALT_AUTHKEY = "/etc/corosync/authkey";
/** Largest key file read (Pacemaker has no limit; 1 MiB is far above the 4 KiB convention). */
export const MAX_AUTHKEY_BYTES = 1024 * 1024;

/** A key that was read, where from, and why earlier candidates were skipped. */
export interface LoadedAuthkey {
  readonly key: Uint8Array;
  readonly path: string;
  readonly skipped: readonly { path: string; reason: string }[];
}

function tryRead(path: string): Uint8Array | string {
  try {
    const st = statSync(path);
    if (!st.isFile()) return "not a regular file";
    if (st.size > MAX_AUTHKEY_BYTES) return `${st.size} bytes, more than ${MAX_AUTHKEY_BYTES}`;
    const b = new Uint8Array(readFileSync(path));
    if (b.length === 0) return "empty";
    return b;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT") return "does not exist";
    if (code === "EACCES") return "permission denied";
    return (e as Error).message;
  }
}

/**
 * Read the key: `explicit` alone when given (a command-line `--authkey`), else the
 * Pacemaker order. Throws `AtriumError` AUTHKEY_NOT_FOUND naming each path tried and why.
 */
export function loadAuthkey(o: { explicit?: string; env?: Readonly<Record<string, string | undefined>> } = {}): LoadedAuthkey {
  const candidates = o.explicit !== undefined
    ? [o.explicit]
    : [o.env?.["PCMK_authkey_location"], DEFAULT_AUTHKEY, ALT_AUTHKEY].filter((p): p is string => !!p);
  const skipped: { path: string; reason: string }[] = [];
  for (const path of [...new Set(candidates)]) {
    const r = tryRead(path);
    if (typeof r === "string") skipped.push({ path, reason: r });
    else return { key: r, path, skipped };
  }
  throw new AtriumError(
    "AUTHKEY_NOT_FOUND",
    `Cannot read a Pacemaker remote authkey: ${skipped.map((s) => `"${s.path}" (${s.reason})`).join(", ")}`,
    { details: { tried: skipped } },
  );
}
