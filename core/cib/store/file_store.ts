/**
 * A durable {@link CibStore} in a directory. Each write: the new version goes to a temp file
 * (fsynced), the manifest naming it with its size and SHA-256 is replaced atomically, the temp
 * file is renamed to `cib-<admin>.<epoch>.<num>.xml`, `cib.xml` is re-pointed at it, and the
 * directory is fsynced before the write resolves. The last `keep` versions are kept (default
 * 20). Loading picks the newest version whose file matches its manifest entry, so a crash at
 * any point yields the last acknowledged version or the one being written, never a partial
 * file. One writer per directory: a lock file with the owner's pid, stale locks broken.
 * Watchers hear about writes made through this instance; a read-only instance sees other
 * processes' writes on `read()` but does not watch the directory.
 *
 * @example
 * ```ts
 * const store = await FileStore.open("/var/lib/atrium/cib");
 * const cur = await store.read();
 * await store.write(xml, { expected: cur?.version ?? null, next });
 * await store.close();
 * ```
 */
import { link, mkdir, rename, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { AtriumError } from "../../errors.ts";
import type { CibVersion } from "../model.ts";
import { checkCount, checkWrite, closedError, Watchers } from "./_common.ts";
import { replaceFile, syncDir, tempName, writeSynced } from "./_fs.ts";
import { loadDir } from "./_load.ts";
import { acquireLock, type LockInfo, releaseLock } from "./_lock.ts";
import { CURRENT, encodeManifest, entryFor, MANIFEST, type ManifestEntry, readVerified } from "./_manifest.ts";
import { checkKeep } from "./memory_store.ts";
import type { CibStore, CibWatchListener, CibWriteOptions, StoredCib } from "./types.ts";
import { formatVersion, sameVersion } from "./version.ts";

/** Options of {@link FileStore.open}. */
export interface FileStoreOptions {
  /**
   * How many versions `history` returns and the disk keeps (default 20; with 1, two files stay
   * on disk so that a crash mid-write always leaves a checked version to fall back to).
   */
  readonly keep?: number;
  /** Open without the writer lock; `read` reloads from disk each time, `write` is refused. */
  readonly readOnly?: boolean;
  /** Receives errors thrown by watch listeners. */
  readonly onListenerError?: (e: unknown) => void;
}

/** See the module documentation. */
export class FileStore implements CibStore {
  readonly dir: string;
  readonly readOnly: boolean;
  readonly #keep: number;
  readonly #watchers: Watchers;
  readonly #lock: LockInfo | undefined;
  #current: StoredCib | undefined;
  #entries: ManifestEntry[];
  #tail: Promise<unknown> = Promise.resolve();
  #stale = false;
  #closed = false;

  private constructor(dir: string, opts: FileStoreOptions, lock: LockInfo | undefined, current: StoredCib | undefined, entries: ManifestEntry[]) {
    this.dir = dir;
    this.readOnly = opts.readOnly === true;
    this.#keep = checkKeep(opts.keep);
    this.#watchers = new Watchers(opts.onListenerError);
    this.#lock = lock;
    this.#current = current;
    this.#entries = entries;
  }

  /**
   * Open (creating it if needed, unless read-only) the store in `dir`: take the writer lock,
   * load the newest complete version and remove leftovers of interrupted writes.
   */
  static async open(dir: string, opts: FileStoreOptions = {}): Promise<FileStore> {
    if (typeof dir !== "string" || dir === "") throw new TypeError(`Cannot open CIB store ${JSON.stringify(dir)}: expected a directory path`);
    const abs = resolve(dir);
    checkKeep(opts.keep);
    try {
      return await FileStore.#open(abs, opts);
    } catch (e) {
      throw ioError(e, `open CIB store ${abs}`);
    }
  }

  static async #open(abs: string, opts: FileStoreOptions): Promise<FileStore> {
    if (opts.readOnly) {
      const loaded = await loadDir(abs);
      return new FileStore(abs, opts, undefined, loaded.current, loaded.entries);
    }
    await mkdir(abs, { recursive: true, mode: 0o750 });
    const lock = await acquireLock(abs);
    try {
      const loaded = await loadDir(abs);
      for (const g of loaded.garbage) await unlink(join(abs, g)).catch(() => {});
      if (loaded.garbage.length > 0) await syncDir(abs);
      return new FileStore(abs, opts, lock, loaded.current, loaded.entries);
    } catch (e) {
      await releaseLock(abs, lock);
      throw e;
    }
  }

  #serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(f);
    this.#tail = run.catch(() => {});
    return run;
  }

  async #refresh(): Promise<void> {
    if (!this.readOnly && !this.#stale) return;
    const loaded = await loadDir(this.dir);
    this.#current = loaded.current;
    this.#entries = loaded.entries;
    this.#stale = false;
  }

  read(): Promise<StoredCib | undefined> {
    return this.#serial(async () => {
      if (this.#closed) throw closedError("read the CIB", this.dir);
      try {
        await this.#refresh();
      } catch (e) {
        throw ioError(e, `read the CIB from ${this.dir}`);
      }
      return this.#current;
    });
  }

  write(xml: string, opts: CibWriteOptions): Promise<StoredCib> {
    return this.#serial(async () => {
      if (this.#closed) throw closedError("write the CIB", this.dir);
      if (this.readOnly) {
        throw new AtriumError("CIB_STORE_READ_ONLY", `Cannot write the CIB: the store ${this.dir} was opened read-only`);
      }
      try {
        await this.#refresh();
      } catch (e) {
        throw ioError(e, `read the CIB from ${this.dir}`);
      }
      const previous: CibVersion | null = this.#current?.version ?? null;
      const { next } = checkWrite(xml, opts, previous);
      try {
        return await this.#commit(xml, previous, next);
      } catch (e) {
        this.#stale = true; // the disk may be ahead of memory: reload before the next call
        throw ioError(e, `write CIB version "${formatVersion(next)}" to ${this.dir}`);
      }
    });
  }

  async #commit(xml: string, previous: CibVersion | null, next: CibVersion): Promise<StoredCib> {
    const data = new TextEncoder().encode(xml);
    const entry = entryFor(next, data);
    // At least two entries, so that a crash before the new file is in place always leaves a
    // checked older version to fall back to (history still returns at most `keep`).
    const entries = [entry, ...this.#entries.filter((e) => e.file !== entry.file)].slice(0, Math.max(this.#keep, 2));
    const dropped = this.#entries.filter((e) => !entries.some((k) => k.file === e.file));
    const tmp = tempName(this.dir, entry.file);
    try {
      await writeSynced(tmp, data);
      await replaceFile(this.dir, join(this.dir, MANIFEST), MANIFEST, encodeManifest(entries));
      await rename(tmp, join(this.dir, entry.file));
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
    await this.#pointCurrent(entry.file, data);
    await syncDir(this.dir);
    const stored: StoredCib = Object.freeze({ version: Object.freeze({ ...next }), xml });
    this.#current = stored;
    this.#entries = entries;
    for (const d of dropped) await unlink(join(this.dir, d.file)).catch(() => {});
    this.#watchers.emit({ previous, version: stored.version, xml });
    return stored;
  }

  /** Make cib.xml the new version: a hard link renamed into place, or a copy if links fail. */
  async #pointCurrent(file: string, data: Uint8Array): Promise<void> {
    const tmp = tempName(this.dir, CURRENT);
    try {
      await link(join(this.dir, file), tmp);
      await rename(tmp, join(this.dir, CURRENT));
    } catch {
      await unlink(tmp).catch(() => {});
      await replaceFile(this.dir, join(this.dir, CURRENT), CURRENT, data);
    }
  }

  history(n?: number): Promise<StoredCib[]> {
    return this.#serial(async () => {
      if (this.#closed) throw closedError("read the CIB history", this.dir);
      const count = checkCount(n, this.#keep);
      try {
        return await this.#history(count);
      } catch (e) {
        throw ioError(e, `read the CIB history from ${this.dir}`);
      }
    });
  }

  async #history(count: number): Promise<StoredCib[]> {
    await this.#refresh();
    const out: StoredCib[] = [];
    if (this.#current && count > 0) out.push(this.#current);
    const decoder = new TextDecoder();
    for (const e of this.#entries) {
      if (out.length >= count) break;
      if (this.#current && sameVersion(e.version, this.#current.version)) continue;
      const data = await readVerified(this.dir, e);
      if (data) out.push(Object.freeze({ version: Object.freeze({ ...e.version }), xml: decoder.decode(data) }));
    }
    return out;
  }

  watch(listener: CibWatchListener): () => void {
    if (this.#closed) throw closedError("watch the CIB", this.dir);
    return this.#watchers.add(listener);
  }

  close(): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed) return;
      this.#closed = true;
      this.#watchers.clear();
      if (this.#lock) await releaseLock(this.dir, this.#lock);
    });
  }
}

/** A file system failure as `AtriumError("CIB_STORE_IO")` saying what was attempted; others pass. */
function ioError(e: unknown, attempted: string): unknown {
  if (e instanceof AtriumError || e instanceof TypeError || e instanceof RangeError) return e;
  const code = (e as { code?: unknown })?.code;
  return new AtriumError("CIB_STORE_IO", `Cannot ${attempted}: ${e instanceof Error ? e.message : String(e)}`, {
    cause: e,
    details: typeof code === "string" ? { errno: code } : {},
  });
}
