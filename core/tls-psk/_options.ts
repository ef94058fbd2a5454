/**
 * Validation and normalisation of the public options.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { quote } from "../errors.ts";
import { DEFAULT_GROUPS, GROUP_CODE, SUITE_BY_NAME, SUITES } from "./_constants.ts";
import type { SuiteInfo } from "./_constants.ts";
import type { TlsGroup, TlsPskAcceptOptions, TlsPskConnectOptions, TlsVersion } from "./types.ts";

/** Options after validation. */
export interface Config {
  readonly versions: readonly TlsVersion[];
  readonly groups: readonly TlsGroup[];
  /** Enabled suites in preference order, already restricted to the enabled versions. */
  readonly suites: readonly SuiteInfo[];
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  /** Client: identity bytes and key. */
  readonly identity?: Buffer;
  readonly key?: Uint8Array;
  /** Server: key lookup. */
  readonly lookup?: (identity: string) => Uint8Array | undefined;
}

const MAX_KEY = 65535;

function checkKey(key: unknown, what: string): Uint8Array {
  if (!(key instanceof Uint8Array)) {
    throw new TypeError(`Cannot use the TLS-PSK ${what}: expected a Uint8Array`);
  }
  if (key.length === 0 || key.length > MAX_KEY) {
    throw new RangeError(
      `Cannot use a TLS-PSK ${what} of ${key.length} bytes: expected 1 to ${MAX_KEY} bytes`,
    );
  }
  return key;
}

function list<T extends string>(
  value: readonly T[] | undefined,
  all: readonly string[],
  what: string,
  dflt: readonly T[],
): T[] {
  if (value === undefined) return [...dflt];
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(`Cannot use TLS-PSK ${what}: expected a non-empty array`);
  }
  for (const v of value) {
    if (!all.includes(v)) {
      throw new RangeError(`Cannot use TLS-PSK ${what} ${quote(v)}: expected one of ${all.join(", ")}`);
    }
  }
  return [...new Set(value)];
}

/** Validate options for either role; throws TypeError/RangeError. */
export function normalize(
  role: "client" | "server",
  opts: TlsPskConnectOptions | TlsPskAcceptOptions,
): Config {
  if (opts === null || typeof opts !== "object") {
    throw new TypeError("Cannot start TLS-PSK: options must be an object");
  }
  let versions = list(opts.versions, ["TLSv1.3", "TLSv1.2"], "version", ["TLSv1.3", "TLSv1.2"]);
  const groups = list(opts.groups, Object.keys(GROUP_CODE), "group", DEFAULT_GROUPS);
  const cipherNames = list(opts.ciphers, SUITES.map((s) => s.name), "cipher", SUITES.map((s) => s.name));
  const suites = cipherNames.map((n) => SUITE_BY_NAME.get(n)!).filter((s) => versions.includes(s.version));
  // versions left at their default follow the ciphers given
  if (opts.versions === undefined) versions = versions.filter((v) => suites.some((s) => s.version === v));
  for (const v of versions) {
    if (!suites.some((s) => s.version === v)) {
      throw new RangeError(`Cannot use TLS-PSK version ${quote(v)}: none of the given ciphers belongs to it`);
    }
  }
  const timeoutMs = opts.handshakeTimeoutMs ?? 10_000;
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(
      `Cannot use TLS-PSK handshake timeout ${quote(String(timeoutMs))}: expected a positive number of ms`,
    );
  }
  const base = { versions, groups, suites, timeoutMs, signal: opts.signal };
  if (role === "client") {
    const o = opts as TlsPskConnectOptions;
    if (typeof o.identity !== "string") {
      throw new TypeError("Cannot use the TLS-PSK identity: expected a string");
    }
    const identity = Buffer.from(o.identity, "utf8");
    if (identity.length === 0 || identity.length > MAX_KEY) {
      throw new RangeError(
        `Cannot use TLS-PSK identity ${quote(o.identity)}: expected 1 to ${MAX_KEY} UTF-8 bytes`,
      );
    }
    return { ...base, identity, key: checkKey(o.key, "key") };
  }
  const k = (opts as TlsPskAcceptOptions).key;
  if (typeof k === "function") return { ...base, lookup: k };
  const fixed = checkKey(k, "key");
  return { ...base, lookup: () => fixed };
}
