/**
 * The controller (the coordinator): carries out the scheduler's transitions, records results in
 * the CIB status in Pacemaker 2.1.5's format, re-schedules on change and on a recheck timer, and
 * routes actions to the local executor, to remote/guest nodes, and to its own connection and
 * launcher resources.
 *
 * - {@link Controller}: the loop. {@link runTransition}: the transition runner.
 * - {@link recordOperation}, {@link recordFailure}, {@link markRemoteNode}: status edits.
 * - {@link localExecutor}, {@link remoteConnector}: adapters to core/executor and core/remote.
 * - {@link ControllerFencing}: the `fence` hook over core/fencer, configured from the CIB, with
 *   {@link markNodeFenced} (Pacemaker's `send_stonith_update`) and a persisted history.
 * - {@link watchClusterEvents}, {@link statusEvents}: cluster events (node, resource, attribute)
 *   from status changes, for the `notify` option (notifier plugins through `registry.notifyAll`).
 *
 * @example
 * ```ts
 * import { cibAccess, Controller, localExecutor, remoteConnector } from "./core/controller/mod.ts";
 * import { schedule } from "./core/scheduler/mod.ts";
 * const ctl = new Controller({
 *   cib: cibAccess(svc),
 *   scheduler: (cib, now) => schedule(cib, { now }),
 *   nodeName: "node1",
 *   local: localExecutor(executor),
 *   connector: remoteConnector({ key: authkey }),
 *   launcher: (n) => registry.launcher(n),
 *   authkey,
 * });
 * ctl.start();
 * ```
 * @module
 */
export { Controller, type TransitionReport } from "./controller.ts";
export { type RunEvent, type RunOptions, type RunResult, runTransition, type TransitionRun } from "./runner.ts";
export { FAKE_TE_ID, FEATURE_SET, forgetOperations, historyIds, type RecordInput, recordOperation, recurringHistoryIds } from "./record.ts";
export {
  countsAsFailure, failCountName, type FailureOptions, INFINITY_SCORE, lastFailureName, markRemoteNode, nodeAttribute, recordFailure,
  setNodeAttribute,
} from "./node_attrs.ts";
export { didFail, expectedRc, isProbe, isRealFailure, OP_STATUS, opKey, targetRcOf, transitionKey, transitionMagic } from "./op_codes.ts";
export { opDigest } from "../cib/op_digest.ts";
export { withConnectionOrdering } from "./remote_order.ts";
export { withMissingMonitors } from "./monitor_fill.ts";
export { reprobeNode, type ReprobeOptions } from "./reprobe.ts";
export { DEFAULT_RECHECK_MS, IMPLICIT_CONNECTION_RETRY, recheckDelayMs } from "./recheck.ts";
export { type ConnectionSettings, describeResource, type OpSettings, type ResourceInfo, type ResourceKind } from "./resources.ts";
export { ConnectionManager, type ConnectionManagerOptions } from "./connections.ts";
export { LauncherResources, type LauncherResourcesOptions } from "./launchers.ts";
export { localExecutor, type LocalExecutorAdapter } from "./local_executor.ts";
export { cibAccess, type CibServiceLike } from "./cib_access.ts";
export { remoteConnector, type RemoteConnectorOptions, remoteLink } from "./remote_link.ts";
export { ControllerFencing, type ControllerFencingOptions, type FenceRequest, type FencerLike, loadFenceHistory, markNodeFenced } from "./fencing.ts";
export { type ClusterEventSink, eventSequence, statusEvents, type StatusEventOptions, watchClusterEvents } from "./notify.ts";
export type * from "./types.ts";
