/**
 * The CIB service: the one writer of the CIB above a {@link CibStore}. It loads and checks the
 * stored CIB (bootstrapping an empty store), hands out the current tree, applies edits one at a
 * time with Pacemaker's versioning and compare-and-set, refuses updates that introduce errors
 * (nothing changes then), and tells listeners (the controller) about every committed change.
 */
import { hostname } from "node:os";
import { AtriumError, quote } from "../../errors.ts";
import { cibVersion, formatCibVersion, parseCib, serializeCib, withVersion } from "../codec.ts";
import type { Cib, CibVersion } from "../model.ts";
import { validateStructure } from "../schema/validate.ts";
import type { CibStore } from "../store/types.ts";
import { sameVersion } from "../store/version.ts";
import { type Finding, formatFinding } from "../validate/mod.ts";
import { bootstrapCibXml } from "./_bootstrap.ts";
import { ADVISORY_CODES, changeKind, type ChangeKind, checkUpdate, nextVersion } from "./_changes.ts";

/** Options of {@link CibService.open}. */
export interface CibServiceOptions {
  /** The local node's name for a bootstrapped CIB (default: `os.hostname()`, short form). */
  readonly nodeName?: string;
  /** Verifier error codes reported as warnings instead of refusing (default {@link ADVISORY_CODES}). */
  readonly advisoryCodes?: ReadonlySet<string>;
  /** Receives errors thrown by change listeners (default: ignored). */
  readonly onListenerError?: (e: unknown) => void;
}

/** Options of {@link CibService.apply}. */
export interface ApplyOptions {
  /** The version the caller based its edit on: refused with `CIB_VERSION_CONFLICT` unless current. */
  readonly expected?: CibVersion;
}

/** What {@link CibService.apply} did. */
export interface ApplyResult {
  /** The CIB after the update (the unchanged current one when the edit changed nothing). */
  readonly cib: Cib;
  readonly version: CibVersion;
  readonly kind: ChangeKind;
  /** Warnings of the updated configuration (the update was accepted). */
  readonly warnings: readonly Finding[];
}

/** A committed change, as listeners see it. */
export interface CibChangeEvent {
  readonly previous: CibVersion;
  readonly version: CibVersion;
  readonly kind: Exclude<ChangeKind, "none">;
  readonly cib: Cib;
}

/** An edit: a pure function from the current CIB to the next one (throwing refuses it). */
export type CibEdit = (cib: Cib) => Cib;

/** Listener of committed changes. */
export type CibChangeListener = (event: CibChangeEvent) => void;

function structureKeys(cib: Cib): Set<string> {
  return new Set(validateStructure(cib).filter((i) => i.severity === "error").map((i) => `${i.path}\u0000${i.value}`));
}

function refuse(what: string, findings: readonly Finding[]): AtriumError {
  const shown = findings.slice(0, 5).map(formatFinding).join("; ");
  const more = findings.length > 5 ? `; and ${findings.length - 5} more` : "";
  return new AtriumError("CIB_INVALID", `Cannot ${what}: the result has ${findings.length} error(s): ${shown}${more}`, {
    details: { findings },
  });
}

/** See the module documentation. */
export class CibService {
  readonly store: CibStore;
  readonly #advisory: ReadonlySet<string>;
  readonly #listeners = new Set<CibChangeListener>();
  readonly #onListenerError: (e: unknown) => void;
  #cib: Cib;
  #version: CibVersion;
  #errorKeys: ReadonlySet<string>;
  #structKeys: Set<string> | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(store: CibStore, cib: Cib, version: CibVersion, errorKeys: ReadonlySet<string>, opts: CibServiceOptions) {
    this.store = store;
    this.#cib = cib;
    this.#version = version;
    this.#errorKeys = errorKeys;
    this.#advisory = opts.advisoryCodes ?? ADVISORY_CODES;
    this.#onListenerError = opts.onListenerError ?? (() => {});
  }

  /**
   * Load the store's CIB (parse + structural check), or bootstrap an empty store with a minimal
   * CIB holding the local node.
   *
   * @throws {AtriumError} `CIB_INVALID` when the stored CIB is not well-formed or has structural errors
   * @example
   * ```ts
   * const svc = await CibService.open(new MemoryStore(), { nodeName: "node1" });
   * ```
   */
  static async open(store: CibStore, opts: CibServiceOptions = {}): Promise<CibService> {
    let stored = await store.read();
    if (stored === undefined) {
      const name = opts.nodeName ?? hostname().split(".")[0] ?? "localhost";
      const xml = bootstrapCibXml(name);
      stored = await store.write(xml, { expected: null, next: cibVersion(parseCib(xml)) });
    }
    let cib: Cib;
    try {
      cib = parseCib(stored.xml);
    } catch (e) {
      throw new AtriumError("CIB_INVALID", `Cannot load the stored CIB ${quote(formatCibVersion(stored.version))}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    const structural = validateStructure(cib).filter((i) => i.severity === "error");
    if (structural.length > 0) {
      const shown = structural.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join("; ");
      throw new AtriumError("CIB_INVALID", `Cannot load the stored CIB ${quote(formatCibVersion(stored.version))}: ${structural.length} structural error(s): ${shown}`, {
        details: { issues: structural },
      });
    }
    if (!sameVersion(cibVersion(cib), stored.version)) cib = withVersion(cib, stored.version);
    const { errorKeys } = checkUpdate(cib, new Set(), opts.advisoryCodes ?? ADVISORY_CODES);
    return new CibService(store, cib, stored.version, errorKeys, opts);
  }

  /** The current CIB (an immutable tree; edits make new ones). */
  get(): Cib {
    return this.#cib;
  }

  /** The current version. */
  version(): CibVersion {
    return this.#version;
  }

  /** The current CIB as XML text (pretty). */
  xml(): string {
    return serializeCib(this.#cib);
  }

  /**
   * Apply `edit` to the current CIB, check the result, bump the version (configuration change:
   * epoch+1 and num_updates=0; status only: num_updates+1) and write it with compare-and-set.
   * Edits run one at a time, in call order. An edit that changes nothing writes nothing.
   * Anything refused leaves the stored CIB and its version as they were.
   *
   * @throws whatever `edit` throws (TypeError, AtriumError `CIB_NOT_FOUND` ...)
   * @throws {AtriumError} `CIB_VERSION_CONFLICT` when `expected` is not the current version,
   *   `CIB_INVALID` (details.findings) when the result has new errors, `CIB_SERVICE_CLOSED`
   * @example
   * ```ts
   * const r = await svc.apply((cib) => setProperty(cib, "stonith-enabled", "false"));
   * console.log(formatCibVersion(r.version), r.warnings.length);
   * ```
   */
  apply(edit: CibEdit, options: ApplyOptions = {}): Promise<ApplyResult> {
    const run = this.#tail.then(() => this.#apply(edit, options));
    this.#tail = run.catch(() => {});
    return run;
  }

  async #apply(edit: CibEdit, options: ApplyOptions): Promise<ApplyResult> {
    if (this.#closed) throw new AtriumError("CIB_SERVICE_CLOSED", "Cannot update the CIB: the CIB service is closed");
    if (typeof edit !== "function") throw new TypeError(`Cannot apply CIB edit ${quote(edit)}: expected a function`);
    const current = this.#cib;
    const version = this.#version;
    if (options.expected !== undefined && !sameVersion(options.expected, version)) {
      throw new AtriumError(
        "CIB_VERSION_CONFLICT",
        `Cannot update the CIB based on version ${quote(formatCibVersion(options.expected))}: the current version is ${quote(formatCibVersion(version))}`,
        { details: { expected: formatCibVersion(options.expected), current: formatCibVersion(version) } },
      );
    }
    const edited = edit(current);
    if (edited === null || typeof edited !== "object" || (edited as Cib).tag !== "cib") {
      throw new TypeError(`Cannot apply CIB edit: it returned ${quote(edited)}, expected a <cib> tree`);
    }
    const kind = changeKind(current, edited);
    if (kind === "none") return { cib: current, version, kind, warnings: [] };
    let warnings: Finding[] = [];
    let errorKeys = this.#errorKeys;
    if (kind === "configuration") {
      const check = checkUpdate(edited, this.#errorKeys, this.#advisory);
      if (check.errors.length > 0) throw refuse("update the CIB configuration", check.errors);
      warnings = check.warnings;
      errorKeys = check.errorKeys;
    } else {
      const known = this.#structKeys ?? (this.#structKeys = structureKeys(current));
      const issues = validateStructure(edited).filter((i) => i.severity === "error" && !known.has(`${i.path}\u0000${i.value}`));
      if (issues.length > 0) {
        throw refuse("update the CIB status", issues.map((i) => ({
          severity: "error" as const, code: "STRUCTURE", location: i.path, value: i.value ?? null, expected: i.expected, message: i.message,
        })));
      }
    }
    const next = nextVersion(version, kind);
    const cib = withVersion(edited, next);
    await this.store.write(serializeCib(cib), { expected: version, next });
    this.#cib = cib;
    this.#version = next;
    this.#errorKeys = errorKeys;
    if (kind === "configuration") this.#structKeys = undefined;
    this.#emit({ previous: version, version: next, kind, cib });
    return { cib, version: next, kind, warnings };
  }

  /**
   * Call `listener` after every committed change (the controller re-schedules on it). Returns a
   * function that stops it. A throwing listener never affects the update or other listeners.
   */
  onChange(listener: CibChangeListener): () => void {
    if (typeof listener !== "function") throw new TypeError(`Cannot listen to CIB changes with ${quote(listener)}: expected a function`);
    const entry: CibChangeListener = (e) => listener(e);
    this.#listeners.add(entry);
    return () => void this.#listeners.delete(entry);
  }

  #emit(event: CibChangeEvent): void {
    for (const l of [...this.#listeners]) {
      try {
        l(event);
      } catch (e) {
        try {
          this.#onListenerError(e);
        } catch {
          // nothing more to do
        }
      }
    }
  }

  /** Wait for queued edits, stop listeners and close the store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail;
    this.#listeners.clear();
    await this.store.close();
  }
}
