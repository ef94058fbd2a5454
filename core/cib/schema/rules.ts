/**
 * Rules: `rule` (recursive: a rule holds expressions and other rules), `expression`,
 * `date_expression` with `date_spec` / `duration`, `rsc_expression`, `op_expression`. The
 * structural walk checks each element where it occurs, so nesting depth is unlimited; the rules
 * engine evaluates them.
 */
import * as v from "valibot";
import { Duration, element, Id, oneOf, requireAny, Role, Score, Str } from "./_common.ts";

/** `<rule id score boolean-op role>` (or `<rule id-ref>`). */
export const RuleSchema = element(
  "rule",
  v.pipe(
    v.looseObject({
      id: v.optional(Id),
      "id-ref": v.optional(Id),
      score: v.optional(Score),
      "score-attribute": v.optional(Str),
      "boolean-op": v.optional(oneOf(["and", "or"])),
      role: v.optional(Role),
    }),
    requireAny(["id", "id-ref"]),
  ),
);

/** `<expression id attribute operation value type value-source>`. */
export const ExpressionSchema = element(
  "expression",
  v.looseObject({
    id: Id,
    attribute: Str,
    operation: oneOf(["lt", "gt", "lte", "gte", "eq", "ne", "defined", "not_defined"]),
    value: v.optional(Str),
    type: v.optional(oneOf(["string", "number", "version", "integer"])),
    "value-source": v.optional(oneOf(["literal", "param", "meta"])),
  }),
);

/** `<date_expression id operation start end>`. */
export const DateExpressionSchema = element(
  "date_expression",
  v.looseObject({
    id: Id,
    operation: oneOf(["in_range", "date_spec", "gt", "lt"]),
    start: v.optional(Str),
    end: v.optional(Str),
  }),
);

const dateFields = [
  "hours",
  "monthdays",
  "weekdays",
  "yeardays",
  "months",
  "weeks",
  "years",
  "weekyears",
  "moon",
  "minutes",
  "seconds",
] as const;

/** A `date_spec` value: a number or a range `N-M`. */
const DateRange = v.pipe(
  v.string("a number or range"),
  v.regex(/^\s*\d+(\s*-\s*\d*)?\s*$/, "a number or a range N-M"),
);

/** `<date_spec id hours weekdays ...>` (each field a number or range). */
export const DateSpecSchema = element(
  "date_spec",
  v.looseObject({ id: Id, ...Object.fromEntries(dateFields.map((f) => [f, v.optional(DateRange)])) }),
);

const durationFields = ["years", "months", "weeks", "days", "hours", "minutes", "seconds"] as const;
const IntField = v.pipe(v.string("an integer"), v.regex(/^\s*[+-]?\d+\s*$/, "an integer"));

/** `<duration id years months ...>` (each field an integer). */
export const DurationSchema = element(
  "duration",
  v.looseObject({ id: Id, ...Object.fromEntries(durationFields.map((f) => [f, v.optional(IntField)])) }),
);

/** `<rsc_expression id class provider type>`. */
export const RscExpressionSchema = element(
  "rsc_expression",
  v.looseObject({ id: Id, class: v.optional(Str), provider: v.optional(Str), type: v.optional(Str) }),
);

/** `<op_expression id name interval>`. */
export const OpExpressionSchema = element(
  "op_expression",
  v.looseObject({ id: Id, name: Str, interval: v.optional(Duration) }),
);

export type RuleOut = v.InferOutput<typeof RuleSchema>;
export type ExpressionOut = v.InferOutput<typeof ExpressionSchema>;
export type DateExpressionOut = v.InferOutput<typeof DateExpressionSchema>;
export type DateSpecOut = v.InferOutput<typeof DateSpecSchema>;
export type DurationOut = v.InferOutput<typeof DurationSchema>;
export type RscExpressionOut = v.InferOutput<typeof RscExpressionSchema>;
export type OpExpressionOut = v.InferOutput<typeof OpExpressionSchema>;

/** The schemas of this area by tag. */
export const ruleSchemas = {
  rule: RuleSchema,
  expression: ExpressionSchema,
  date_expression: DateExpressionSchema,
  date_spec: DateSpecSchema,
  duration: DurationSchema,
  rsc_expression: RscExpressionSchema,
  op_expression: OpExpressionSchema,
} as const;
