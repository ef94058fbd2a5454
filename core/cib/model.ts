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

// ---------------------------------------------------------------------------------------------
// Element types used by the query helpers. They narrow `tag` and name the attributes consumers
// read most; every other attribute is still there as a string. The schemas in `schema/` check
// these structurally (their `v.InferOutput` types describe the same attributes).

type Opt<K extends string> = { readonly [P in K]?: string };

/** `<nvpair id name value/>` (or `<nvpair id-ref/>`). */
export type NvPair = CibElement<"nvpair", Opt<"id" | "id-ref" | "name" | "value">>;
/** The tags of the name/value sets. */
export type NvSetTag =
  | "meta_attributes"
  | "instance_attributes"
  | "utilization"
  | "cluster_property_set";
/** A name/value set (`meta_attributes`, `instance_attributes`, ...), possibly an `id-ref`. */
export type NvSet = CibElement<NvSetTag, Opt<"id" | "id-ref" | "score">>;
/** `<node id uname type/>` in the nodes section. */
export type NodeEl = CibElement<"node", Opt<"id" | "uname" | "type" | "description" | "score">>;
/** `<primitive id class provider type template/>`. */
export type Primitive = CibElement<
  "primitive",
  Opt<"id" | "class" | "provider" | "type" | "template" | "description">
>;
/** `<template>`: a primitive skeleton referenced by `primitive@template`. */
export type Template = CibElement<"template", Opt<"id" | "class" | "provider" | "type" | "description">>;
/** `<group id>` of primitives. */
export type Group = CibElement<"group", Opt<"id" | "description">>;
/** `<clone id>` of a primitive or a group. */
export type Clone = CibElement<"clone", Opt<"id" | "description">>;
/** `<master id>`: the pre-2.0 promotable clone. */
export type Master = CibElement<"master", Opt<"id" | "description">>;
/** `<bundle id>`: a container-based resource. */
export type Bundle = CibElement<"bundle", Opt<"id" | "description">>;
/** Any resource element of the resources section. */
export type ResourceEl = Primitive | Group | Clone | Master | Bundle;
/** `<op id name interval .../>` of a primitive's `operations`. */
export type Op = CibElement<
  "op",
  Opt<
    | "id"
    | "id-ref"
    | "name"
    | "interval"
    | "timeout"
    | "role"
    | "on-fail"
    | "enabled"
    | "start-delay"
    | "interval-origin"
    | "record-pending"
    | "requires"
    | "description"
  >
>;
/** The constraint tags. */
export type ConstraintTag = "rsc_location" | "rsc_colocation" | "rsc_order" | "rsc_ticket";
/** `<rsc_location>`. */
export type RscLocation = CibElement<
  "rsc_location",
  Opt<
    "id" | "rsc" | "rsc-pattern" | "node" | "score" | "role" | "resource-discovery" | "lifetime"
  >
>;
/** `<rsc_colocation>`. */
export type RscColocation = CibElement<
  "rsc_colocation",
  Opt<
    | "id"
    | "rsc"
    | "with-rsc"
    | "score"
    | "rsc-role"
    | "with-rsc-role"
    | "node-attribute"
    | "influence"
    | "lifetime"
  >
>;
/** `<rsc_order>`. */
export type RscOrder = CibElement<
  "rsc_order",
  Opt<
    | "id"
    | "first"
    | "then"
    | "first-action"
    | "then-action"
    | "kind"
    | "score"
    | "symmetrical"
    | "require-all"
    | "lifetime"
  >
>;
/** `<rsc_ticket>`. */
export type RscTicket = CibElement<"rsc_ticket", Opt<"id" | "ticket" | "rsc" | "rsc-role" | "loss-policy">>;
/** Any constraint. */
export type Constraint = RscLocation | RscColocation | RscOrder | RscTicket;
/** `<resource_set>` inside a constraint. */
export type ResourceSet = CibElement<
  "resource_set",
  Opt<
    "id" | "id-ref" | "sequential" | "require-all" | "ordering" | "action" | "role" | "score" | "kind"
  >
>;
/** `<resource_ref id/>` inside a resource set. */
export type ResourceRef = CibElement<"resource_ref", Opt<"id">>;
/** `<node_state>` in the status section. */
export type NodeState = CibElement<
  "node_state",
  Opt<
    "id" | "uname" | "in_ccm" | "crmd" | "join" | "expected" | "crm-debug-origin" | "remote_node" | "shutdown"
  >
>;
/** `<lrm_resource>`: one resource's operation history on a node. */
export type LrmResource = CibElement<"lrm_resource", Opt<"id" | "type" | "class" | "provider" | "container">>;
/** `<lrm_rsc_op>`: one recorded operation result. */
export type LrmRscOp = CibElement<
  "lrm_rsc_op",
  Opt<
    | "id"
    | "operation_key"
    | "operation"
    | "crm-debug-origin"
    | "crm_feature_set"
    | "transition-key"
    | "transition-magic"
    | "exit-reason"
    | "on_node"
    | "call-id"
    | "rc-code"
    | "op-status"
    | "interval"
    | "last-run"
    | "last-rc-change"
    | "exec-time"
    | "queue-time"
    | "op-digest"
    | "op-force-restart"
    | "op-restart-digest"
    | "op-secure-params"
    | "op-secure-digest"
  >
>;
/** `<alert id path>`. */
export type Alert = CibElement<"alert", Opt<"id" | "path" | "description">>;
/** `<recipient id value>` of an alert. */
export type Recipient = CibElement<"recipient", Opt<"id" | "value" | "description">>;
/** `<fencing-level id target index devices>`. */
export type FencingLevel = CibElement<
  "fencing-level",
  Opt<
    "id" | "target" | "target-pattern" | "target-attribute" | "target-value" | "index" | "devices"
  >
>;
/** `<tag id>` with `<obj_ref id/>` children. */
export type Tag = CibElement<"tag", Opt<"id">>;
