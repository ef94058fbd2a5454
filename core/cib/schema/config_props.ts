/**
 * The document root and cluster options: `cib` (version counters, schema), `configuration`,
 * `crm_config` with `cluster_property_set`, and `rsc_defaults` / `op_defaults`.
 */
import * as v from "valibot";
import { Bool, element, Id, NonNegInt, requireAny, Score, Str } from "./_common.ts";

/** `<cib admin_epoch epoch num_updates validate-with ...>`. */
export const CibSchema = element(
  "cib",
  v.looseObject({
    admin_epoch: v.optional(NonNegInt),
    epoch: v.optional(NonNegInt),
    num_updates: v.optional(NonNegInt),
    "validate-with": v.optional(Str),
    crm_feature_set: v.optional(Str),
    "have-quorum": v.optional(Bool),
    "dc-uuid": v.optional(Str),
    "execution-date": v.optional(Str),
    "no-quorum-panic": v.optional(Bool),
  }),
);

/** `<cluster_property_set id score>` (or an `id-ref`). */
export const ClusterPropertySetSchema = element(
  "cluster_property_set",
  v.pipe(
    v.looseObject({ id: v.optional(Id), "id-ref": v.optional(Id), score: v.optional(Score) }),
    requireAny(["id", "id-ref"]),
  ),
);

export type CibOut = v.InferOutput<typeof CibSchema>;
export type ClusterPropertySetOut = v.InferOutput<typeof ClusterPropertySetSchema>;

/** The schemas of this area by tag. */
export const configPropSchemas = {
  cib: CibSchema,
  cluster_property_set: ClusterPropertySetSchema,
} as const;
