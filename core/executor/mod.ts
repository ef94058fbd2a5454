/**
 * The executor: runs resource operations through resource-class plugins.
 *
 * - {@link Executor}: register/unregister resources, `exec` (returns a call id; results come as
 *   `result`/`change` events), `run` (await one result), `cancel` of recurring operations,
 *   `recurring()`, per-resource `history()`, cached `metadata()`, `stats()`, `close()`.
 * - Operations on one resource are serialized; different resources run in parallel up to
 *   `maxConcurrent`; each run has a timeout that kills the agent's whole process group.
 * - Recurring operations keep a fixed rate: the next run is due one interval after the
 *   previous run's *scheduled* time (missed slots are skipped, never run in a burst).
 * - Events: `result` for every completed run (one-shot, each recurring run, cancellations),
 *   `change` for the runs whose rc/status differ from the previous run of the same call.
 *   `cancel()` of a recurring operation waiting for its next run emits its final `cancelled`
 *   record synchronously, before it returns; one in flight is killed and reported when it ends
 *   (as Pacemaker does). `unregister()` with an operation running answers `inProgress` and
 *   that run is reported with `deleted: true`.
 * - Timeouts report status "timeout", rc 1, reason "timed out after <ms>ms". Meta `timeout`,
 *   `interval` and `name` default to the request's values (agents read
 *   OCF_RESKEY_CRM_meta_interval to recognise probes); `depth` becomes OCF_CHECK_LEVEL.
 * - {@link runProcess}: the shared process runner (own process group, group kill, output cap),
 *   also offered to plugins through `core/plugin/mod.ts`.
 *
 * @example
 * ```ts
 * import { Executor } from "./core/executor/mod.ts";
 * const ex = new Executor({ resolveClass: (name) => registry.resourceClass(name) });
 * ex.register({ id: "web", agent: { class: "ocf", provider: "heartbeat", type: "Dummy" } });
 * ex.on("change", (r) => console.log(r.resource, r.action, r.intervalMs, r.rc, r.status));
 * const probe = await ex.run({ resource: "web", action: "monitor", timeoutMs: 20_000 });
 * await ex.run({ resource: "web", action: "start", timeoutMs: 20_000 });
 * ex.exec({ resource: "web", action: "monitor", intervalMs: 10_000, timeoutMs: 20_000 });
 * ex.cancel("web", "monitor", 10_000);
 * ```
 * @module
 */
export { Executor } from "./executor.ts";
export { FakeClock, systemClock } from "./clock.ts";
export {
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_OUTPUT_CAP_BYTES,
  groupAlive,
  killGroup,
  runProcess,
  type RunProcessOptions,
  type RunProcessResult,
} from "./spawn.ts";
export type {
  Clock,
  ExecRequest,
  ExecutorEventMap,
  ExecutorListener,
  ExecutorOptions,
  ExecutorStats,
  OperationRecord,
  RecurringInfo,
  ResourceHistory,
  ResourceSpec,
  UnregisterResult,
} from "./types.ts";
export { notifyMeta, type NotifyEntry, type NotifyInfo } from "./notify.ts";
