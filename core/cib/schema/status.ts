/**
 * The status section: `node_state` (membership and join state), `lrm` / `lrm_resources` /
 * `lrm_resource` (per-resource history) / `lrm_rsc_op` (one recorded result),
 * `transient_attributes`, and `tickets` / `ticket_state`.
 */
import * as v from "valibot";
import { Bool, element, Id, Int, NonNegInt, Str } from "./_common.ts";

/**
 * `<node_state id uname in_ccm crmd join expected ...>` (forms vary across versions; an entry
 * without `id` occurs in the corpus and is kept).
 */
export const NodeStateSchema = element(
  "node_state",
  v.looseObject({
    id: v.optional(Id),
    uname: v.optional(Str),
    in_ccm: v.optional(Str),
    crmd: v.optional(Str),
    join: v.optional(Str),
    expected: v.optional(Str),
    remote_node: v.optional(Bool),
  }),
);

/** `<lrm id>`. */
export const LrmSchema = element("lrm", v.looseObject({ id: v.optional(Id) }));
/** `<lrm_resources>`. */
export const LrmResourcesSchema = element("lrm_resources", v.looseObject({}));

/** `<lrm_resource id type class provider container>`. */
export const LrmResourceSchema = element(
  "lrm_resource",
  v.looseObject({
    id: Id,
    type: v.optional(Str),
    class: v.optional(Str),
    provider: v.optional(Str),
    container: v.optional(Str),
  }),
);

/** `<lrm_rsc_op id operation call-id rc-code op-status interval ...>`. */
export const LrmRscOpSchema = element(
  "lrm_rsc_op",
  v.looseObject({
    id: Id,
    operation: v.optional(Str),
    operation_key: v.optional(Str),
    "transition-key": v.optional(Str),
    "transition-magic": v.optional(Str),
    "call-id": v.optional(Int),
    "rc-code": v.optional(Int),
    "op-status": v.optional(Int),
    interval: v.optional(NonNegInt),
    "last-run": v.optional(Int),
    "last-rc-change": v.optional(Int),
    "exec-time": v.optional(Int),
    "queue-time": v.optional(Int),
    "on_node": v.optional(Str),
    "op-digest": v.optional(Str),
  }),
);

/** `<transient_attributes id>`. */
export const TransientAttributesSchema = element(
  "transient_attributes",
  v.looseObject({ id: v.optional(Id) }),
);
/** `<tickets>`. */
export const TicketsSchema = element("tickets", v.looseObject({}));
/** `<ticket_state id granted standby last-granted>`. */
export const TicketStateSchema = element(
  "ticket_state",
  v.looseObject({
    id: Id,
    granted: v.optional(Bool),
    standby: v.optional(Bool),
    "last-granted": v.optional(Int),
  }),
);

export type NodeStateOut = v.InferOutput<typeof NodeStateSchema>;
export type LrmResourceOut = v.InferOutput<typeof LrmResourceSchema>;
export type LrmRscOpOut = v.InferOutput<typeof LrmRscOpSchema>;
export type TransientAttributesOut = v.InferOutput<typeof TransientAttributesSchema>;
export type TicketStateOut = v.InferOutput<typeof TicketStateSchema>;

/** The schemas of this area by tag. */
export const statusSchemas = {
  node_state: NodeStateSchema,
  lrm: LrmSchema,
  lrm_resources: LrmResourcesSchema,
  lrm_resource: LrmResourceSchema,
  lrm_rsc_op: LrmRscOpSchema,
  transient_attributes: TransientAttributesSchema,
  tickets: TicketsSchema,
  ticket_state: TicketStateSchema,
} as const;
