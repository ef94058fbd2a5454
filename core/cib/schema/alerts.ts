/**
 * Alerts: `alert` (an agent path), its `recipient`s, and the `select` filters
 * (`select_nodes`, `select_fencing`, `select_resources`, `select_attributes` with `attribute`).
 */
import * as v from "valibot";
import { element, Id, Str } from "./_common.ts";

/** `<alert id path description>`. */
export const AlertSchema = element(
  "alert",
  v.looseObject({ id: Id, path: Str, description: v.optional(Str) }),
);
/** `<recipient id value description>`. */
export const RecipientSchema = element(
  "recipient",
  v.looseObject({ id: Id, value: Str, description: v.optional(Str) }),
);
/** `<select>`. */
export const SelectSchema = element("select", v.looseObject({}));
/** `<select_nodes>`: alert on node events. */
export const SelectNodesSchema = element("select_nodes", v.looseObject({}));
/** `<select_fencing>`: alert on fencing events. */
export const SelectFencingSchema = element("select_fencing", v.looseObject({}));
/** `<select_resources>`: alert on resource events. */
export const SelectResourcesSchema = element("select_resources", v.looseObject({}));
/** `<select_attributes>`. */
export const SelectAttributesSchema = element("select_attributes", v.looseObject({}));
/** `<attribute id name>` of `select_attributes`. */
export const SelectAttributeSchema = element("attribute", v.looseObject({ id: Id, name: Str }));

export type AlertOut = v.InferOutput<typeof AlertSchema>;
export type RecipientOut = v.InferOutput<typeof RecipientSchema>;

/** The schemas of this area by tag. */
export const alertSchemas = {
  alert: AlertSchema,
  recipient: RecipientSchema,
  select: SelectSchema,
  select_nodes: SelectNodesSchema,
  select_fencing: SelectFencingSchema,
  select_resources: SelectResourcesSchema,
  select_attributes: SelectAttributesSchema,
  attribute: SelectAttributeSchema,
} as const;
