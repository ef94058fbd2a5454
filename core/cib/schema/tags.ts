/**
 * Tags: `<tag id>` grouping configuration elements by `<obj_ref id>`.
 */
import * as v from "valibot";
import { element, Id } from "./_common.ts";

/** `<tag id>`. */
export const TagSchema = element("tag", v.looseObject({ id: Id }));
/** `<obj_ref id>`. */
export const ObjRefSchema = element("obj_ref", v.looseObject({ id: Id }));

export type TagOut = v.InferOutput<typeof TagSchema>;
export type ObjRefOut = v.InferOutput<typeof ObjRefSchema>;

/** The schemas of this area by tag. */
export const tagSchemas = { tag: TagSchema, obj_ref: ObjRefSchema } as const;
