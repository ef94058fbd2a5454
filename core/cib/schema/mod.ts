/**
 * Valibot schemas of the CIB elements, one file per area, and {@link validateStructure}.
 * Attributes are loose objects (unknown attributes kept), children may be any node (unknown
 * elements kept); the schemas check known attributes' presence and form.
 *
 * @example
 * ```ts
 * import { validateStructure, PrimitiveSchema } from "./schema/mod.ts";
 * const issues = validateStructure(cib);
 * ```
 */
export * from "./_common.ts";
export * from "./acls.ts";
export * from "./alerts.ts";
export * from "./bundle.ts";
export * from "./config_props.ts";
export * from "./constraints.ts";
export * from "./fencing.ts";
export * from "./nodes.ts";
export * from "./nvsets.ts";
export * from "./resources.ts";
export * from "./rules.ts";
export * from "./status.ts";
export * from "./tags.ts";
export * from "./validate.ts";
