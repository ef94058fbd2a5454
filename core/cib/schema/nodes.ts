/**
 * The nodes section: `<node id uname type score description>`. `type` is `member` (or the
 * older `normal`), `ping` or `remote`.
 */
import * as v from "valibot";
import { element, Id, oneOf, Score, Str } from "./_common.ts";

/** `<node>`. */
export const NodeSchema = element(
  "node",
  v.looseObject({
    id: Id,
    uname: v.optional(Str),
    type: v.optional(oneOf(["member", "normal", "ping", "remote"])),
    score: v.optional(Score),
    description: v.optional(Str),
  }),
);

export type NodeOut = v.InferOutput<typeof NodeSchema>;

/** The schemas of this area by tag. */
export const nodeSchemas = { node: NodeSchema } as const;
