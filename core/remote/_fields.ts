/**
 * Field readers for received messages: every attribute is checked against what the protocol
 * allows, and a failure is a {@link RemoteMessageError} carrying the `lrmd_rc` to answer with.
 */
import type { XmlElement } from "./xml.ts";

/** Linux errno values (negated) used as `lrmd_rc`. */
export const Errno = {
  ENODEV: 19,
  EINVAL: 22,
  E2BIG: 7,
  EACCES: 13,
  EPROTO: 71,
  EOPNOTSUPP: 95,
  EINPROGRESS: 115,
  ENOTCONN: 107,
} as const;

/** A received message that does not satisfy the protocol; `rc` is the reply's `lrmd_rc`. */
export class RemoteMessageError extends SyntaxError {
  override readonly name = "RemoteMessageError";
  constructor(message: string, readonly rc: number = -Errno.EINVAL) {
    super(message);
  }
}

/** Read a required string attribute (non-empty, at most `max` characters). */
export function str(e: XmlElement, name: string, opts: { max?: number; rc?: number } = {}): string {
  const v = e.attrs.get(name);
  if (v === undefined || v === "") {
    throw new RemoteMessageError(`Cannot read <${e.name}>: attribute "${name}" is missing, expected a non-empty string`, opts.rc);
  }
  const max = opts.max ?? 65536;
  if (v.length > max) {
    throw new RemoteMessageError(`Cannot read <${e.name}>: attribute "${name}" is ${v.length} characters, expected at most ${max}`);
  }
  return v;
}

/** Read an optional string attribute. */
export function optStr(e: XmlElement, name: string, max = 1 << 20): string | undefined {
  const v = e.attrs.get(name);
  if (v === undefined) return undefined;
  if (v.length > max) {
    throw new RemoteMessageError(`Cannot read <${e.name}>: attribute "${name}" is ${v.length} characters, expected at most ${max}`);
  }
  return v;
}

/** Read an integer attribute within [min, max]; `def` when absent (required if `def` is undefined). */
export function int(
  e: XmlElement,
  name: string,
  opts: { min?: number; max?: number; def?: number; rc?: number } = {},
): number {
  const v = e.attrs.get(name);
  if (v === undefined || v === "") {
    if (opts.def !== undefined) return opts.def;
    throw new RemoteMessageError(`Cannot read <${e.name}>: attribute "${name}" is missing, expected an integer`, opts.rc);
  }
  const min = opts.min ?? -2147483648;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  if (!/^[-+]?[0-9]{1,16}$/.test(v.trim())) {
    throw new RemoteMessageError(`Cannot read <${e.name}>: attribute "${name}" is ${JSON.stringify(v.slice(0, 40))}, expected an integer`, opts.rc);
  }
  const n = Number(v.trim());
  if (n < min || n > max) {
    throw new RemoteMessageError(`Cannot read <${e.name}>: attribute "${name}" is ${n}, expected ${min}..${max}`, opts.rc);
  }
  return n;
}

/** Read a boolean attribute (`true`/`false`, also yes/no/1/0/on/off as Pacemaker's crm_is_true). */
export function bool(e: XmlElement, name: string, def = false): boolean {
  const v = e.attrs.get(name);
  if (v === undefined) return def;
  const l = v.toLowerCase();
  if (["true", "yes", "y", "on", "1"].includes(l)) return true;
  if (["false", "no", "n", "off", "0", ""].includes(l)) return false;
  throw new RemoteMessageError(`Cannot read <${e.name}>: attribute "${name}" is ${JSON.stringify(v.slice(0, 40))}, expected true or false`);
}

/** Identifier check for resource ids, actions and agent names: printable, no control bytes. */
export function ident(e: XmlElement, name: string, opts: { rc?: number } = {}): string {
  const v = str(e, name, { max: 256, ...opts });
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(v)) {
    throw new RemoteMessageError(`Cannot read <${e.name}>: attribute "${name}" contains control characters`, opts.rc);
  }
  return v;
}

/**
 * Read an `<attributes>` element into a parameter table (XML attributes plus `<param name
 * value>` children, first value wins), as Pacemaker's `xml2list()`.
 */
export function readParams(attrs: XmlElement | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (attrs === undefined) return out;
  let n = 0;
  const add = (k: string, v: string) => {
    if (++n > 4096) throw new RemoteMessageError(`Cannot read <${attrs.name}>: more than 4096 parameters`);
    if (!/^[A-Za-z0-9_][-A-Za-z0-9_.:]{0,255}$/.test(k)) {
      throw new RemoteMessageError(`Cannot read <${attrs.name}>: parameter name ${JSON.stringify(k.slice(0, 40))} is not a valid name`);
    }
    if (!(k in out)) out[k] = v;
  };
  for (const [k, v] of attrs.attrs) add(k, v);
  for (const c of attrs.children) {
    if (c.name !== "param") continue;
    add(str(c, "name", { max: 256 }), c.attrs.get("value") ?? "");
  }
  return out;
}

/** Name that must be written as a `<param>` child rather than an XML attribute (starts with a digit). */
export function needsParamChild(name: string): boolean {
  return /^[0-9]/.test(name);
}
