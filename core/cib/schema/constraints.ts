/**
 * Constraints: `rsc_location` (node + score, rules, or resource sets), `rsc_colocation`,
 * `rsc_order`, `rsc_ticket`, and `resource_set` / `resource_ref`. Old forms are accepted:
 * `lifetime` children, `Master`/`Slave` roles, `score` on orders.
 */
import * as v from "valibot";
import { Bool, element, Id, oneOf, requireAny, Role, Score, Str } from "./_common.ts";

const Action = oneOf([
  "start",
  "stop",
  "promote",
  "demote",
  "monitor",
  "migrate_to",
  "migrate_from",
  "notify",
  "stopped",
  "started",
  "promoted",
  "demoted",
  "running",
  "confirmed_pre_notify",
]);
const Kind = oneOf(["Mandatory", "Optional", "Serialize"]);

/** `<rsc_location id rsc|rsc-pattern node score role resource-discovery>`. */
export const RscLocationSchema = element(
  "rsc_location",
  v.looseObject({
    id: Id,
    rsc: v.optional(Id),
    "rsc-pattern": v.optional(Str),
    node: v.optional(Str),
    score: v.optional(Score),
    role: v.optional(Role),
    "resource-discovery": v.optional(oneOf(["always", "never", "exclusive"])),
  }),
);

/** `<rsc_colocation id rsc with-rsc score rsc-role with-rsc-role node-attribute influence>`. */
export const RscColocationSchema = element(
  "rsc_colocation",
  v.looseObject({
    id: Id,
    rsc: v.optional(Id),
    "with-rsc": v.optional(Id),
    score: v.optional(Score),
    "score-attribute": v.optional(Str),
    "rsc-role": v.optional(Role),
    "with-rsc-role": v.optional(Role),
    "node-attribute": v.optional(Str),
    influence: v.optional(Bool),
    "rsc-instance": v.optional(Str),
    "with-rsc-instance": v.optional(Str),
  }),
);

/** `<rsc_order id first then first-action then-action kind score symmetrical require-all>`. */
export const RscOrderSchema = element(
  "rsc_order",
  v.looseObject({
    id: Id,
    first: v.optional(Id),
    then: v.optional(Id),
    "first-action": v.optional(Action),
    "then-action": v.optional(Action),
    kind: v.optional(Kind),
    score: v.optional(Score),
    symmetrical: v.optional(Bool),
    "require-all": v.optional(Bool),
    "first-instance": v.optional(Str),
    "then-instance": v.optional(Str),
  }),
);

/** `<rsc_ticket id ticket rsc rsc-role loss-policy>`. */
export const RscTicketSchema = element(
  "rsc_ticket",
  v.looseObject({
    id: Id,
    ticket: Str,
    rsc: v.optional(Id),
    "rsc-role": v.optional(Role),
    "loss-policy": v.optional(oneOf(["stop", "demote", "fence", "freeze"])),
  }),
);

/** `<resource_set id sequential require-all ordering action role score kind>` (or `id-ref`). */
export const ResourceSetSchema = element(
  "resource_set",
  v.pipe(
    v.looseObject({
      id: v.optional(Id),
      "id-ref": v.optional(Id),
      sequential: v.optional(Bool),
      "require-all": v.optional(Bool),
      ordering: v.optional(oneOf(["group", "listed"])),
      action: v.optional(Action),
      role: v.optional(Role),
      score: v.optional(Score),
      kind: v.optional(Kind),
    }),
    requireAny(["id", "id-ref"]),
  ),
);

/** `<resource_ref id>`. */
export const ResourceRefSchema = element("resource_ref", v.looseObject({ id: Id }));

/** `<lifetime id>` (old constraint lifetimes, holding rules). */
export const LifetimeSchema = element("lifetime", v.looseObject({ id: v.optional(Id) }));

export type RscLocationOut = v.InferOutput<typeof RscLocationSchema>;
export type RscColocationOut = v.InferOutput<typeof RscColocationSchema>;
export type RscOrderOut = v.InferOutput<typeof RscOrderSchema>;
export type RscTicketOut = v.InferOutput<typeof RscTicketSchema>;
export type ResourceSetOut = v.InferOutput<typeof ResourceSetSchema>;
export type ResourceRefOut = v.InferOutput<typeof ResourceRefSchema>;

/** The schemas of this area by tag. */
export const constraintSchemas = {
  rsc_location: RscLocationSchema,
  rsc_colocation: RscColocationSchema,
  rsc_order: RscOrderSchema,
  rsc_ticket: RscTicketSchema,
  resource_set: ResourceSetSchema,
  resource_ref: ResourceRefSchema,
  lifetime: LifetimeSchema,
} as const;
