/**
 * Fencing topology: `<fencing-level id index devices target|target-pattern|target-attribute>`.
 */
import * as v from "valibot";
import { element, Id, PosInt, requireAny, Str } from "./_common.ts";

/** `<fencing-level>`: a positive index, a device list, and one way of naming the target. */
export const FencingLevelSchema = element(
  "fencing-level",
  v.pipe(
    v.looseObject({
      id: Id,
      index: PosInt,
      devices: v.pipe(Str, v.regex(/\S/, "a comma-separated list of fence devices")),
      target: v.optional(Str),
      "target-pattern": v.optional(Str),
      "target-attribute": v.optional(Str),
      "target-value": v.optional(Str),
    }),
    requireAny(["target", "target-pattern", "target-attribute"]),
  ),
);

export type FencingLevelOut = v.InferOutput<typeof FencingLevelSchema>;

/** The schemas of this area by tag. */
export const fencingSchemas = { "fencing-level": FencingLevelSchema } as const;
