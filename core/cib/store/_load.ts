/**
 * Loading a FileStore directory: the newest complete version, never a partial or corrupt one.
 * Version files are checked against the manifest's size and SHA-256, newest first; without a
 * usable manifest, version files are scanned by name (they only appear complete, by rename);
 * a lone `cib.xml` (e.g. copied from a Pacemaker node) is adopted with the version in its
 * `<cib>` start tag.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { errCode } from "./_fs.ts";
import {
  CURRENT,
  entryFor,
  LOCK,
  MANIFEST,
  type ManifestEntry,
  readManifest,
  readVerified,
  versionFromStartTag,
  versionOfFile,
} from "./_manifest.ts";
import type { StoredCib } from "./types.ts";
import { compareVersions } from "./version.ts";

/** What loading a store directory found. */
export interface Loaded {
  readonly current: StoredCib | undefined;
  /** The kept versions, newest first, starting with the current one (when it has a file). */
  readonly entries: ManifestEntry[];
  /** Files a writer may delete: temp files and version files not kept. */
  readonly garbage: string[];
}

const decoder = new TextDecoder();

function stored(entry: { version: StoredCib["version"] }, data: Uint8Array): StoredCib {
  return Object.freeze({ version: Object.freeze({ ...entry.version }), xml: decoder.decode(data) });
}

/** Load `dir` (see the module documentation). */
export async function loadDir(dir: string): Promise<Loaded> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if (errCode(e) === "ENOENT") return { current: undefined, entries: [], garbage: [] };
    throw e;
  }
  const manifest = await readManifest(dir);
  let current: StoredCib | undefined;
  let entries: ManifestEntry[] = [];
  for (const [i, e] of (manifest ?? []).entries()) {
    const data = await readVerified(dir, e);
    if (data) {
      current = stored(e, data);
      entries = manifest!.slice(i);
      break;
    }
  }
  if (!current) {
    const files = names
      .map((n) => ({ n, v: versionOfFile(n) }))
      .filter((x): x is { n: string; v: NonNullable<typeof x.v> } => x.v !== undefined)
      .sort((a, b) => compareVersions(b.v, a.v));
    for (const [i, f] of files.entries()) {
      const data = await readFile(join(dir, f.n));
      if (!/<\/cib>\s*$/.test(decoder.decode(data.subarray(Math.max(0, data.byteLength - 64))))) continue;
      current = stored({ version: f.v }, data);
      entries = [entryFor(f.v, data)];
      for (const older of files.slice(i + 1)) {
        const d = await readFile(join(dir, older.n));
        entries.push(entryFor(older.v, d));
      }
      break;
    }
  }
  if (!current && names.includes(CURRENT)) {
    const data = await readFile(join(dir, CURRENT));
    const text = decoder.decode(data);
    const version = versionFromStartTag(text);
    if (version && /<\/cib>\s*$/.test(text)) current = stored({ version }, data);
  }
  const kept = new Set(entries.map((e) => e.file));
  const garbage = names.filter((n) =>
    (n.startsWith(".") && n.endsWith(".tmp")) || (versionOfFile(n) !== undefined && !kept.has(n))
  );
  return { current, entries, garbage: garbage.filter((n) => n !== MANIFEST && n !== LOCK && n !== CURRENT) };
}
