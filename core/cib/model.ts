/**
 * The CIB model: a typed, order-preserving document tree.
 *
 * Every CIB element becomes a {@link CibElement}: its tag, its attributes (a record whose key
 * order is the XML attribute order, all values strings, exactly as written) and its children in
 * document order. Unknown elements and attributes are kept as they are, so any document
 * round-trips (parse -> serialize -> parse gives an equal tree; serialization keeps elements and
 * attributes in the same order). Comments and significant text are kept as nodes too.
 *
 * The element types below (`Primitive`, `NvPair`, `LrmRscOp`, ...) narrow `tag` and the known
 * attributes; the valibot schemas in `schema/` check them structurally and the types there are
 * derived from those schemas. Consumers read the tree through the helpers in `query.ts` rather
 * than walking children by hand. XML exists only at the edge (`xml.ts`, `codec.ts`).
 *
 * @example
 * ```ts
 * const cib = parseCib(xmlText);                  // codec.ts
 * for (const p of primitives(cib)) console.log(p.attrs.id, p.attrs.class, p.attrs.type);
 * ```
 */

/** An element: tag, attributes in document order, children in document order. */
export interface CibElement<
  T extends string = string,
  A extends Readonly<Record<string, string>> = Readonly<Record<string, string>>,
> {
  readonly tag: T;
  readonly attrs: A & Readonly<Record<string, string>>;
  readonly children: readonly CibNode[];
}

/** Character data that is not whitespace between elements (rare in a CIB, kept verbatim). */
export interface CibText {
  readonly tag: "#text";
  readonly text: string;
}

/** An XML comment (kept so a hand-written CIB keeps its comments). */
export interface CibComment {
  readonly tag: "#comment";
  readonly text: string;
}

export type CibNode = CibElement | CibText | CibComment;

/** True when `n` is an element (optionally with tag `tag`). */
export function isElement<T extends string>(n: CibNode, tag?: T): n is CibElement<T> {
  return n.tag !== "#text" && n.tag !== "#comment" && (tag === undefined || n.tag === tag);
}

/** The CIB version triple as Pacemaker counts it. */
export interface CibVersion {
  readonly adminEpoch: number;
  readonly epoch: number;
  readonly numUpdates: number;
}

/** The root: `<cib>` with `<configuration>` and `<status>`. */
export type Cib = CibElement<"cib", {
  readonly admin_epoch?: string;
  readonly epoch?: string;
  readonly num_updates?: string;
  readonly "validate-with"?: string;
  readonly "crm_feature_set"?: string;
  readonly "have-quorum"?: string;
  readonly "dc-uuid"?: string;
  readonly "execution-date"?: string;
}>;
