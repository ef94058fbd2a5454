/**
 * The fencer: fence devices from the CIB, which device can fence which node, fencing topology,
 * delays, timeouts and retries as Pacemaker 2.1.5's fencer applies them, the fencing history,
 * and `fencing` events for notifiers.
 *
 * - `devices.ts`: stonith primitives -> {@link FenceDevice}s (disabled and banned ones left out).
 * - `targets.ts`: `pcmk_host_list`, `pcmk_host_map`, `pcmk_delay_base` maps, timeouts, retries.
 * - `topology.ts`: `fencing-topology` levels by target name, pattern or attribute.
 * - `agentFeatures` (from core/plugin/fence_features.ts): what an agent's meta-data says (list,
 *   status, reboot, on, unfencing).
 * - `delays.ts`: device delays and priority-fencing-delay.
 * - `history.ts`: the bounded, serializable fencing history.
 * - `config.ts`: all of the above from one CIB.
 * - `attempts.ts`: `stonith-max-attempts` and the controller's per-target failure counts.
 * - `_failures.ts`: devices banned from the local node by their failures (migration-threshold).
 * - `fencer.ts`: the {@link Fencer} that carries out requests.
 *
 * @example
 * ```ts
 * import { Fencer, readFencerConfig } from "./core/fencer/mod.ts";
 * const fencer = new Fencer({ agents: registry, localNode: "node1", onEvent: (e) => registry.notifyAll(e) });
 * fencer.configure(readFencerConfig(cib, { localNode: "node1" }));
 * await fencer.fence("node2", "reboot", { kind: "cluster", reason: "peer lost" });
 * ```
 * @module
 */
export * from "./targets.ts";
export { agentFeatures, type AgentFeatures, NO_FEATURES } from "../plugin/fence_features.ts";
export * from "./devices.ts";
export * from "./topology.ts";
export * from "./delays.ts";
export * from "./history.ts";
export * from "./config.ts";
export * from "./fencer.ts";
export * from "./attempts.ts";
export { failureAttributes, failureBan } from "./_failures.ts";
export { DEFAULT_TRIES, type FencerClock, realClock } from "./_run.ts";
