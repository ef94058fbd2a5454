/**
 * The CIB: the typed model, the XML codec, versions and the read/update helpers.
 *
 * @example
 * ```ts
 * import { parseCib, primitives, cibVersion } from "../cib/mod.ts";
 * const cib = parseCib(text);
 * console.log(cibVersion(cib), primitives(cib).length);
 * ```
 */
export * from "./model.ts";
export {
  cibVersion,
  compareCibVersions,
  formatCibVersion,
  parseCib,
  parseCibVersion,
  parseCounter,
  serializeCib,
  withVersion,
} from "./codec.ts";
export type { SerializeCibOptions } from "./codec.ts";
export { escapeAttr, escapeText, parseXml, parseXmlDocument, serializeXml, XmlSyntaxError } from "./xml.ts";
export type { ParseXmlOptions, SerializeXmlOptions, XmlDocument } from "./xml.ts";
export * from "./query.ts";
