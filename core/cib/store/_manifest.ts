/**
 * The FileStore's on-disk layout: `cib-<admin>.<epoch>.<num>.xml` per kept version, `cib.xml`
 * (a link to the current one, for people and tools), and `manifest.json` listing each kept
 * version with its size and SHA-256, newest first. The manifest is written before the version
 * file is renamed into place, so every complete version file has an entry to check it against.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { CibVersion } from "../model.ts";
import { errCode } from "./_fs.ts";
import { compareVersions, formatVersion, parseVersion } from "./version.ts";

/** File names in a store directory. */
export const MANIFEST = "manifest.json";
export const CURRENT = "cib.xml";
export const LOCK = "lock";
const FORMAT = "atrium-cib-store/1";

/** One kept version as the manifest records it. */
export interface ManifestEntry {
  readonly version: CibVersion;
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** `cib-0.5.3.xml` */
export function versionFile(v: CibVersion): string {
  return `cib-${formatVersion(v)}.xml`;
}

/** The version a version file's name encodes, or undefined for other names. */
export function versionOfFile(name: string): CibVersion | undefined {
  const m = /^cib-(\d+\.\d+\.\d+)\.xml$/.exec(name);
  if (!m) return undefined;
  try {
    return parseVersion(m[1]!);
  } catch {
    return undefined;
  }
}

/** Hex SHA-256 of `data`. */
export function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The manifest entry for version `v` with text `data`. */
export function entryFor(v: CibVersion, data: Uint8Array): ManifestEntry {
  return { version: v, file: versionFile(v), bytes: data.byteLength, sha256: sha256(data) };
}

/** The manifest's text. */
export function encodeManifest(entries: readonly ManifestEntry[]): Uint8Array {
  const body = {
    format: FORMAT,
    versions: entries.map((e) => ({ version: formatVersion(e.version), file: e.file, bytes: e.bytes, sha256: e.sha256 })),
  };
  return new TextEncoder().encode(JSON.stringify(body, null, 1) + "\n");
}

/** Read the manifest; undefined when it is missing or unreadable (the caller falls back to a scan). */
export async function readManifest(dir: string): Promise<ManifestEntry[] | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST), "utf8");
  } catch (e) {
    if (errCode(e) === "ENOENT") return undefined;
    throw e;
  }
  try {
    const m = JSON.parse(text) as { format?: unknown; versions?: unknown };
    if (m.format !== FORMAT || !Array.isArray(m.versions)) return undefined;
    const out: ManifestEntry[] = [];
    for (const raw of m.versions as Record<string, unknown>[]) {
      const version = parseVersion(String(raw["version"]));
      const file = versionFile(version);
      if (raw["file"] !== file || typeof raw["bytes"] !== "number" || typeof raw["sha256"] !== "string") continue;
      out.push({ version, file, bytes: raw["bytes"], sha256: raw["sha256"] });
    }
    return out.sort((a, b) => compareVersions(b.version, a.version));
  } catch {
    return undefined;
  }
}

/** The bytes of `file` if they match `entry`'s size and checksum, else undefined. */
export async function readVerified(dir: string, entry: ManifestEntry): Promise<Uint8Array | undefined> {
  let data: Uint8Array;
  try {
    data = await readFile(join(dir, entry.file));
  } catch (e) {
    if (errCode(e) === "ENOENT") return undefined;
    throw e;
  }
  if (data.byteLength !== entry.bytes || sha256(data) !== entry.sha256) return undefined;
  return data;
}

/**
 * The version in a `<cib ...>` start tag (admin_epoch, epoch, num_updates; missing ones are 0),
 * for adopting a `cib.xml` that was not written by this store. Only the start tag is looked at.
 */
export function versionFromStartTag(xml: string): CibVersion | undefined {
  const m = /<cib\b([^>]*)>/.exec(xml.slice(0, 4096));
  if (!m) return undefined;
  const attr = (name: string): number | undefined => {
    const a = new RegExp(`\\s${name}\\s*=\\s*["'](\\d{1,15})["']`).exec(m[1]!);
    return a ? Number(a[1]) : undefined;
  };
  return { adminEpoch: attr("admin_epoch") ?? 0, epoch: attr("epoch") ?? 0, numUpdates: attr("num_updates") ?? 0 };
}
