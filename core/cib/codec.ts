/**
 * The CIB codec: Pacemaker CIB XML <-> the {@link Cib} tree, and the version triple
 * (`admin_epoch.epoch.num_updates`).
 *
 * `parseCib` fills nothing in and changes nothing: the tree holds exactly the document's
 * elements and attributes. `serializeCib` writes it back (pretty by default, as for files).
 *
 * @example
 * ```ts
 * const cib = parseCib(text);
 * const v = cibVersion(cib);                       // { adminEpoch: 0, epoch: 5, numUpdates: 2 }
 * const next = withVersion(cib, { ...v, epoch: v.epoch + 1, numUpdates: 0 });
 * await writeFile(path, serializeCib(next));
 * ```
 */
import { quote } from "../errors.ts";
import type { Cib, CibElement, CibVersion } from "./model.ts";
import { parseXml, type ParseXmlOptions, serializeXml, XmlSyntaxError } from "./xml.ts";

/**
 * Parse a CIB document. The root element must be `cib`.
 *
 * @throws {XmlSyntaxError} when the text is not well-formed XML or the root is not `cib`
 * @example
 * ```ts
 * parseCib('<cib epoch="1"><configuration/><status/></cib>').attrs.epoch; // "1"
 * ```
 */
export function parseCib(xml: string, options: ParseXmlOptions = {}): Cib {
  const root = parseXml(xml, options);
  if (root.tag !== "cib") {
    const where = options.fileName !== undefined ? ` ${options.fileName}` : "";
    throw new XmlSyntaxError(
      `Cannot parse CIB${where}: expected root element "cib", got ${quote(root.tag)}`,
      1,
      1,
      options.fileName,
    );
  }
  return root as Cib;
}

/** Options for {@link serializeCib}. */
export interface SerializeCibOptions {
  /** Indent by two spaces (default true, the form for files). */
  readonly pretty?: boolean;
  /** Start with an XML declaration (default false, as Pacemaker's own CIB files). */
  readonly declaration?: boolean;
}

/**
 * Serialize a CIB (or any element of it) to XML text. Pretty output ends with a newline.
 *
 * @example
 * ```ts
 * serializeCib(cib, { pretty: false }); // one line
 * ```
 */
export function serializeCib(cib: CibElement, options: SerializeCibOptions = {}): string {
  return serializeXml(cib, { pretty: options.pretty ?? true, declaration: options.declaration ?? false });
}

const COUNTERS = [
  ["admin_epoch", "adminEpoch"],
  ["epoch", "epoch"],
  ["num_updates", "numUpdates"],
] as const;

/**
 * Parse one version counter: a non-negative decimal integer (surrounding whitespace allowed).
 *
 * @throws {SyntaxError} naming the attribute and the value when it is not one
 */
export function parseCounter(name: string, value: string | undefined): number {
  if (value === undefined) return 0;
  const t = value.trim();
  if (/^\+?\d+$/.test(t)) {
    const n = Number(t);
    if (Number.isSafeInteger(n)) return n;
  }
  throw new SyntaxError(`Cannot parse CIB ${name} ${quote(value)}: expected a non-negative integer`);
}

/**
 * The version triple of a CIB; a missing counter counts as 0.
 *
 * @throws {SyntaxError} when a counter is present but not a non-negative integer
 * @example
 * ```ts
 * cibVersion(parseCib('<cib epoch="3"/>')); // { adminEpoch: 0, epoch: 3, numUpdates: 0 }
 * ```
 */
export function cibVersion(cib: CibElement): CibVersion {
  return {
    adminEpoch: parseCounter("admin_epoch", cib.attrs.admin_epoch),
    epoch: parseCounter("epoch", cib.attrs.epoch),
    numUpdates: parseCounter("num_updates", cib.attrs.num_updates),
  };
}

/**
 * A new CIB with the version counters set (attribute order kept; missing counters are
 * appended). All other content is shared with `cib`.
 *
 * @throws {RangeError} when a counter is not a non-negative safe integer
 * @example
 * ```ts
 * withVersion(cib, { adminEpoch: 0, epoch: 7, numUpdates: 0 }).attrs.epoch; // "7"
 * ```
 */
export function withVersion(cib: Cib, v: CibVersion): Cib {
  const attrs: Record<string, string> = { ...cib.attrs };
  for (const [attr, key] of COUNTERS) {
    const n = v[key];
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new RangeError(`Cannot set CIB ${attr} to ${quote(String(n))}: expected a non-negative integer`);
    }
    attrs[attr] = String(n);
  }
  return { tag: "cib", attrs, children: cib.children } as Cib;
}

/**
 * Compare two versions the way Pacemaker does: admin_epoch, then epoch, then num_updates.
 * Returns a negative number, 0 or a positive number.
 *
 * @example
 * ```ts
 * compareCibVersions({ adminEpoch: 0, epoch: 2, numUpdates: 0 }, { adminEpoch: 0, epoch: 1, numUpdates: 9 }); // > 0
 * ```
 */
export function compareCibVersions(a: CibVersion, b: CibVersion): number {
  return a.adminEpoch - b.adminEpoch || a.epoch - b.epoch || a.numUpdates - b.numUpdates;
}

/**
 * The version as Pacemaker prints it: `admin_epoch.epoch.num_updates`.
 *
 * @example
 * ```ts
 * formatCibVersion({ adminEpoch: 0, epoch: 5, numUpdates: 2 }); // "0.5.2"
 * ```
 */
export function formatCibVersion(v: CibVersion): string {
  return `${v.adminEpoch}.${v.epoch}.${v.numUpdates}`;
}

/**
 * Parse `admin_epoch.epoch.num_updates` (as printed by {@link formatCibVersion}).
 *
 * @throws {SyntaxError} when the text is not three dot-separated non-negative integers
 */
export function parseCibVersion(text: string): CibVersion {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  if (!m) {
    throw new SyntaxError(
      `Cannot parse CIB version ${quote(text)}: expected "ADMIN_EPOCH.EPOCH.NUM_UPDATES"`,
    );
  }
  return {
    adminEpoch: parseCounter("admin_epoch", m[1]),
    epoch: parseCounter("epoch", m[2]),
    numUpdates: parseCounter("num_updates", m[3]),
  };
}
