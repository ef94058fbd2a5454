/**
 * The CIB service: load/bootstrap, `get()`, `apply(edit)` with Pacemaker's versioning,
 * compare-and-set and validation, and change events for the controller.
 *
 * @example
 * ```ts
 * import { CibService } from "./core/cib/service/mod.ts";
 * import { MemoryStore } from "./core/cib/store/mod.ts";
 * import { createResource } from "./core/cib/edit/mod.ts";
 * const svc = await CibService.open(new MemoryStore(), { nodeName: "node1" });
 * svc.onChange((e) => console.log(e.kind, e.version));
 * await svc.apply((cib) => createResource(cib, { id: "d", agent: "ocf:pacemaker:Dummy" }));
 * ```
 */
export { CibService } from "./service.ts";
export type { ApplyOptions, ApplyResult, CibChangeEvent, CibChangeListener, CibEdit, CibServiceOptions } from "./service.ts";
export { ADVISORY_CODES, changeKind, nextVersion } from "./_changes.ts";
export type { ChangeKind } from "./_changes.ts";
export { BOOTSTRAP_FEATURE_SET, BOOTSTRAP_SCHEMA, bootstrapCibXml } from "./_bootstrap.ts";
