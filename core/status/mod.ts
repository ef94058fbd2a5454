/**
 * The cluster status model: {@link clusterStatus} (the `atrium status --json` contract, see
 * `types.ts`; lost nodes and blocked resources with reasons in words) and {@link renderStatus}
 * (crm_mon-style text, plus Lost Nodes / Blocked Resources / Resource Warnings sections).
 *
 * @example
 * ```ts
 * import { clusterStatus, renderStatus } from "./core/status/mod.ts";
 * const s = clusterStatus(cib);
 * console.log(JSON.stringify(s));
 * console.log(renderStatus(s));
 * ```
 */
export { clusterStatus } from "./model.ts";
export { blockedSection, renderStatus } from "./text.ts";
export type {
  ClusterStatus,
  FailedAction,
  StatusBlockedCause,
  StatusFencing,
  StatusFencingState,
  StatusNode,
  StatusNodeKind,
  StatusResource,
  StatusRole,
} from "./types.ts";
export { fencingLine, fencingSection, fencingStatus, type FencingEntryLike, withFencing } from "./fencing.ts";
export { execStatusText, rcText } from "./_words.ts";
