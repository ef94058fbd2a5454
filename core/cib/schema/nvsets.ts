/**
 * Name/value sets: `meta_attributes`, `instance_attributes`, `utilization` and their `nvpair`s.
 * A set or a pair is either defined (with `id`) or a reference (`id-ref`); sets may hold rules
 * (see `rules.ts`) and a `score` that orders them.
 */
import * as v from "valibot";
import { element, Id, requireAny, Score, Str } from "./_common.ts";

const nvSetAttrs = v.pipe(
  v.looseObject({ id: v.optional(Id), "id-ref": v.optional(Id), score: v.optional(Score) }),
  requireAny(["id", "id-ref"]),
);

/** `<meta_attributes>`. */
export const MetaAttributesSchema = element("meta_attributes", nvSetAttrs);
/** `<instance_attributes>`. */
export const InstanceAttributesSchema = element("instance_attributes", nvSetAttrs);
/** `<utilization>`. */
export const UtilizationSchema = element("utilization", nvSetAttrs);

/** `<nvpair id name value/>` or `<nvpair id-ref/>`. */
export const NvPairSchema = element(
  "nvpair",
  v.pipe(
    v.looseObject({
      id: v.optional(Id),
      "id-ref": v.optional(Id),
      name: v.optional(Str),
      value: v.optional(Str),
    }),
    requireAny(["id", "id-ref"]),
    v.check((a) => a["id-ref"] !== undefined || a.name !== undefined, 'attribute "name" (or "id-ref")'),
  ),
);

export type MetaAttributesOut = v.InferOutput<typeof MetaAttributesSchema>;
export type InstanceAttributesOut = v.InferOutput<typeof InstanceAttributesSchema>;
export type UtilizationOut = v.InferOutput<typeof UtilizationSchema>;
export type NvPairOut = v.InferOutput<typeof NvPairSchema>;

/** The schemas of this area by tag. */
export const nvsetSchemas = {
  meta_attributes: MetaAttributesSchema,
  instance_attributes: InstanceAttributesSchema,
  utilization: UtilizationSchema,
  nvpair: NvPairSchema,
} as const;
