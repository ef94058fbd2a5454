/**
 * The cluster status model: {@link clusterStatus} (the `atrium status --json` contract, see
 * `types.ts`) and {@link renderStatus} (crm_mon-style text).
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
export { renderStatus } from "./text.ts";
export type { ClusterStatus, FailedAction, StatusFencing, StatusNode, StatusNodeKind, StatusResource, StatusRole } from "./types.ts";
export { fencingLine, fencingSection, fencingStatus, type FencingEntryLike, withFencing } from "./fencing.ts";
export { execStatusText, rcText } from "./_words.ts";
