/**
 * Rules, date expressions and ISO 8601 time as Pacemaker 2.1.5 evaluates them.
 *
 * - `iso8601.ts`, `iso8601_parse.ts`: crm_time values, parsing and calendar arithmetic.
 * - `evaluate.ts`: rules and their expressions (`expression`, `date_expression`,
 *   `rsc_expression`, `op_expression`, nested rules), with the next time a date-based
 *   result can change.
 * - `compare.ts`: attribute value comparisons (string, integer, number, version), scores, intervals.
 * - `date_spec.ts`: date_spec ranges and the search for a date_spec's next change.
 * - `nvsets.ts`: unpacking blocks of nvpairs (`instance_attributes`, `meta_attributes`,
 *   `cluster_property_set`, ...) ordered by score and filtered by their rules.
 *
 * @example
 * ```ts
 * import { evaluateRule, parseNow, unpackNvSets } from "./core/cib/rules/mod.ts";
 * const now = parseNow("2005-020T12:30");
 * const { passed, nextChange } = evaluateRule(ruleElement, { now, nodeAttrs: { "#uname": "node1" } });
 * ```
 * @module
 */
export * from "./iso8601.ts";
export * from "./iso8601_parse.ts";
export * from "./iso8601_format.ts";
export * from "./types.ts";
export { evaluateExpression, evaluateRule, evaluateRules, parseRole, resolveIdRef } from "./evaluate.ts";
export {
  type NvSetOptions,
  type NvSetResult,
  orderNvSets,
  sortNvSets,
  unpackNvSetList,
  unpackNvSets,
} from "./nvsets.ts";
export * from "./compare.ts";
export * from "./date_spec.ts";
