/**
 * `enableResource` / `disableResource`: set the resource's `target-role` meta attribute to
 * `Started` or `Stopped`, as `pcs resource enable|disable` and `crm_resource --meta` do.
 */
import type { Cib } from "../model.ts";
import { replaceElement } from "../update.ts";
import { checkId, requireResource, setNvPair } from "./_util.ts";

/**
 * A new document with meta attribute `name` of resource `id` set to `value` (removed when
 * undefined). Meta attributes go into the resource's first `meta_attributes` set
 * (`ID-meta_attributes` is created when it has none).
 *
 * @throws {AtriumError} `CIB_NOT_FOUND` when no resource has that id
 */
export function setResourceMeta(cib: Cib, id: string, name: string, value: string | undefined): Cib {
  checkId(id, "resource id");
  const r = requireResource(cib, id, value === undefined ? `remove meta attribute "${name}" of` : `set meta attribute "${name}" of`);
  const next = setNvPair(cib, r, "meta_attributes", `${id}-meta_attributes`, name, value);
  return next === r ? cib : replaceElement(cib, r, next);
}

/**
 * A new document where resource `id` has `target-role=Started`.
 *
 * @example
 * ```ts
 * enableResource(cib, "web");
 * ```
 */
export function enableResource(cib: Cib, id: string): Cib {
  return setResourceMeta(cib, id, "target-role", "Started");
}

/**
 * A new document where resource `id` has `target-role=Stopped`.
 *
 * @example
 * ```ts
 * disableResource(cib, "web");
 * ```
 */
export function disableResource(cib: Cib, id: string): Cib {
  return setResourceMeta(cib, id, "target-role", "Stopped");
}
