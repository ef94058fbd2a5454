/**
 * Operation digests as Pacemaker 2.1.5 records them in `lrm_rsc_op` entries and as its
 * scheduler recomputes them to detect definition changes:
 *
 * - `op-digest`: all parameters of the operation (resource parameters, the op's own
 *   `instance_attributes`, and `CRM_meta_timeout` for recurring operations);
 * - `op-secure-digest`: the same without the private parameters listed in `op-secure-params`;
 * - `op-restart-digest`: only the parameters listed in `op-force-restart` (the ones an agent
 *   reload cannot apply), recorded only for agents that support reload.
 *
 * Each digest is the MD5 of the parameter set written as one sorted XML element,
 * `" <parameters a=\"1\" b=\"2\"/>\n"`, with Pacemaker's attribute escaping. Meta-attributes
 * (`CRM_meta_*`) and a few bookkeeping attributes never count, except `CRM_meta_timeout` when
 * `CRM_meta_interval` is non-zero. The empty set gives `f2317cad3d54cec5d7d7aa7d0bf35cf8`.
 *
 * @example
 * ```ts
 * opDigest({}, 0, 20000); // "f2317cad3d54cec5d7d7aa7d0bf35cf8"
 * const d = operationDigests({ params: { ip: "10.0.0.1" }, intervalMs: 0, timeoutMs: 20000 });
 * d.all; // the op-digest a start with these parameters records
 * ```
 * @module
 */
import { createHash } from "node:crypto";

/** Attributes never part of a digest (besides every `CRM_meta_*`). */
const DROPPED = new Set(["id", "crm_feature_set", "op-digest", "on_node", "on_node_uuid", "pcmk_external_ip"]);

const FENCE_PARAMS = new Set([
  "pcmk_action_limit", "pcmk_delay_base", "pcmk_delay_max", "pcmk_host_argument", "pcmk_host_check",
  "pcmk_host_list", "pcmk_host_map",
]);

/** Is `name` a fencing parameter Pacemaker itself interprets (pcmk_stonith_param)? */
export function isFencingParam(name: string): boolean {
  if (name === "provides" || name === "stonith-timeout") return true;
  if (!name.startsWith("pcmk_")) return false;
  if (FENCE_PARAMS.has(name)) return true;
  const rest = name.slice(5);
  const u = rest.indexOf("_");
  if (u < 0) return false;
  const tail = rest.slice(u);
  return tail === "_action" || tail === "_timeout" || tail === "_retries";
}

/** The default secure-parameter list when no history entry says otherwise. */
const DEFAULT_SECURE = " passwd password user ";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function replacement(b: number): string | undefined {
  switch (b) {
    case 0x3c: return "&lt;";
    case 0x3e: return "&gt;";
    case 0x22: return "&quot;";
    case 0x27: return "&apos;";
    case 0x26: return "&amp;";
    case 0x09: return "    ";
    case 0x0a: return "\\n";
    case 0x0d: return "\\r";
    default: break;
  }
  if (b < 0x20 || b > 0x7e) {
    // A C `char` is signed: bytes above 0x7f print as a sign-extended unsigned octal.
    const v = b > 0x7f ? (b - 256) >>> 0 : b;
    return "\\" + v.toString(8).padStart(3, "0");
  }
  return undefined;
}

/**
 * Escape an attribute value as Pacemaker 2.1.5 writes it for digests (including its quirk of
 * copying the rest of the value verbatim from the first multi-byte UTF-8 sequence on).
 */
export function escapeDigestValue(value: string): string {
  const bytes = encoder.encode(value);
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if ((b & 0x80) !== 0 && i + 1 < bytes.length && (bytes[i + 1]! & 0x80) !== 0) {
      for (let j = i; j < bytes.length; j++) out.push(bytes[j]!);
      break;
    }
    const r = replacement(b);
    if (r === undefined) out.push(b);
    else for (const c of encoder.encode(r)) out.push(c);
  }
  return decoder.decode(new Uint8Array(out));
}

function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The MD5 of a parameter set written as Pacemaker's sorted `<parameters/>` element (no filtering). */
export function digestOfParameters(params: ReadonlyMap<string, string> | Readonly<Record<string, string>>): string {
  const entries = params instanceof Map ? [...params.entries()] : Object.entries(params);
  entries.sort((x, y) => byteCompare(x[0], y[0]));
  const text = entries.length === 0
    ? " <parameters/>\n"
    : ` <parameters ${entries.map(([k, v]) => `${k}="${escapeDigestValue(v)}"`).join(" ")}/>\n`;
  return createHash("md5").update(text).digest("hex");
}

/**
 * Remove what never counts in a digest: every `CRM_meta_*` attribute (keeping
 * `CRM_meta_timeout` when `CRM_meta_interval` is a non-zero number) and bookkeeping attributes.
 */
export function filterForDigest(params: ReadonlyMap<string, string>): Map<string, string> {
  const interval = params.get("CRM_meta_interval");
  const keepTimeout = interval !== undefined && /^\s*\d+/.test(interval) && Number.parseInt(interval, 10) !== 0;
  const timeout = keepTimeout ? params.get("CRM_meta_timeout") : undefined;
  const out = new Map<string, string>();
  for (const [k, v] of params) {
    if (k.startsWith("CRM_meta_") || DROPPED.has(k)) continue;
    out.set(k, v);
  }
  if (timeout !== undefined) out.set("CRM_meta_timeout", timeout);
  return out;
}

/** The digest of an operation's parameters as the controller records it in `op-digest`. */
export function opDigest(params: Readonly<Record<string, string>>, intervalMs: number, timeoutMs: number): string {
  const m = new Map<string, string>(Object.entries(params));
  m.delete("CRM_meta_interval");
  m.delete("CRM_meta_timeout");
  if (intervalMs > 0) {
    m.set("CRM_meta_interval", String(intervalMs));
    m.set("CRM_meta_timeout", String(timeoutMs));
  }
  return digestOfParameters(filterForDigest(m));
}

/** Inputs of {@link operationDigests}. */
export interface DigestInput {
  /** The resource's instance attributes (rules already evaluated for the node). */
  readonly params: Readonly<Record<string, string>>;
  /** The operation's own `instance_attributes` (override resource parameters). */
  readonly opParams?: Readonly<Record<string, string>>;
  readonly intervalMs: number;
  /** The operation's effective timeout in milliseconds (counts for recurring operations). */
  readonly timeoutMs: number;
  /**
   * `op-secure-params` of the history entry (space separated, padded). Pass "" when the entry
   * has none; undefined means no history entry (default " passwd password user ").
   */
  readonly secureParams?: string;
  /** `op-force-restart` of the history entry; absent: every parameter counts for restart. */
  readonly forceRestart?: string;
  /** `crm_feature_set` of the history entry (secure digests changed at 3.16.0). */
  readonly featureSet?: string;
  /** The resource is a fencing device (class stonith). */
  readonly fencing?: boolean;
}

/** The three digests of one operation (see the module documentation). */
export interface OperationDigests {
  readonly all: string;
  readonly secure: string;
  readonly restart: string;
}

function listed(list: string, name: string): boolean {
  return list.includes(` ${name} `);
}

/** Compare dotted feature-set versions: negative when a < b. */
export function compareFeatureSet(a: string, b: string): number {
  const x = a.split(".").map((s) => Number.parseInt(s, 10) || 0);
  const y = b.split(".").map((s) => Number.parseInt(s, 10) || 0);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Compute op-digest, op-secure-digest and op-restart-digest for one operation. */
export function operationDigests(input: DigestInput): OperationDigests {
  const raw = new Map<string, string>(Object.entries(input.params));
  for (const [k, v] of Object.entries(input.opParams ?? {})) raw.set(k, v);
  if (input.intervalMs > 0) {
    raw.set("CRM_meta_interval", String(input.intervalMs));
    raw.set("CRM_meta_timeout", String(input.timeoutMs));
  }
  const all = filterForDigest(raw);
  const secureList = input.secureParams ?? DEFAULT_SECURE;
  const oldVersion = input.featureSet !== undefined && compareFeatureSet(input.featureSet, "3.16.0") < 0;
  let secure: Map<string, string>;
  if (oldVersion) {
    secure = filterForDigest(new Map(Object.entries(input.params)));
    for (const k of [...secure.keys()]) if (input.fencing && isFencingParam(k)) secure.delete(k);
  } else {
    secure = new Map(all);
  }
  for (const k of [...secure.keys()]) if (listed(secureList, k)) secure.delete(k);
  if (oldVersion) secure.delete("CRM_meta_timeout");
  const restart = new Map(all);
  if (input.forceRestart !== undefined) {
    for (const k of [...restart.keys()]) if (!listed(input.forceRestart, k)) restart.delete(k);
  }
  return { all: digestOfParameters(all), secure: digestOfParameters(secure), restart: digestOfParameters(restart) };
}
