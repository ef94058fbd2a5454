/**
 * Pure CIB edits: each takes a CIB and returns a new one (sharing unchanged subtrees) or throws
 * without changing anything. Used by the HTTP endpoint (through `CibService.apply`) and tests.
 * Bad input is a `TypeError` naming the value and the expected form; a missing resource or node
 * is `AtriumError("CIB_NOT_FOUND")`, a taken id `CIB_ID_IN_USE`, a node still defined by a
 * resource `NODE_IN_USE`.
 *
 * @example
 * ```ts
 * import { createResource, moveResource } from "./core/cib/edit/mod.ts";
 * let next = createResource(cib, { id: "web", agent: "ocf:heartbeat:apache" });
 * next = moveResource(next, "web", "node2");
 * ```
 */
export { createResource, formatAgentSpec, parseAgentSpec } from "./resource_create.ts";
export type { AgentSpec, CreateResourceSpec, OpSpec } from "./resource_create.ts";
export { deleteResource, removeConstraintsOf, resourceIdsWithin } from "./resource_delete.ts";
export { disableResource, enableResource, setResourceMeta } from "./resource_target_role.ts";
export { clearResource, moveResource, preferConstraintId } from "./resource_move.ts";
export { cleanupResource } from "./resource_cleanup.ts";
export type { CleanupOptions } from "./resource_cleanup.ts";
export { locationConstraint } from "./constraint_location.ts";
export type { LocationSpec } from "./constraint_location.ts";
export { setNodeStandby } from "./node_standby.ts";
export { removeNode } from "./node_remove.ts";
export { setProperty } from "./property_set.ts";
export { addClusterNode, markNodeMember } from "./node_state.ts";
