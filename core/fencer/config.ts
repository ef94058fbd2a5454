/**
 * The fencer's configuration from a CIB: devices, topology, the permanent attributes of the
 * nodes (for `target-attribute` levels), `stonith-timeout` and `priority-fencing-delay`, plus
 * the resources that ask for unfencing (`requires=unfencing`).
 *
 * @example
 * ```ts
 * fencer.configure(readFencerConfig(cib, { localNode: "node1" }));
 * ```
 * @module
 */
import type { Cib } from "../cib/model.ts";
import { clusterProperties, nodes, primitives, rscDefaults } from "../cib/query.ts";
import { parseIntervalMs, unpackNvSets } from "../cib/rules/mod.ts";
import { type FenceDevice, readFenceDevices, type ReadDevicesOptions, type SkippedDevice } from "./devices.ts";
import { nodeAttributes, readTopology, type Topology } from "./topology.ts";

/** Everything the fencer needs to know from the configuration. */
export interface FencerConfig {
  readonly devices: readonly FenceDevice[];
  readonly topology: Topology;
  /** Permanent node attributes by node name. */
  readonly nodeAttributes: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** `stonith-timeout` in ms (default 60 s): a device action's timeout unless it sets its own. */
  readonly stonithTimeoutMs: number;
  /** `priority-fencing-delay` in ms (default 0: disabled). */
  readonly priorityFencingDelayMs: number;
  /** `stonith-enabled` (default true): whether the cluster may fence at all (the controller's call). */
  readonly stonithEnabled: boolean;
  /** `stonith-action` (default reboot; `poweroff` means off). */
  readonly stonithAction: "reboot" | "off";
  /** Resources whose `requires` meta attribute is `unfencing`. */
  readonly requireUnfencing: readonly string[];
  readonly skipped: readonly SkippedDevice[];
}

/** The default `stonith-timeout`. */
export const DEFAULT_STONITH_TIMEOUT_MS = 60_000;

/** An empty configuration (no devices). */
export function emptyFencerConfig(): FencerConfig {
  return {
    devices: [],
    topology: { entries: [], issues: [] },
    nodeAttributes: new Map(),
    stonithTimeoutMs: DEFAULT_STONITH_TIMEOUT_MS,
    priorityFencingDelayMs: 0,
    stonithEnabled: true,
    stonithAction: "reboot",
    requireUnfencing: [],
    skipped: [],
  };
}

/**
 * Read the fencer configuration of `cib` for the fencer on `options.localNode`.
 *
 * @example
 * ```ts
 * const cfg = readFencerConfig(cib, { localNode: "node1" });
 * cfg.devices.length; cfg.topology.entries.length;
 * ```
 */
export function readFencerConfig(cib: Cib, options: ReadDevicesOptions = {}): FencerConfig {
  const { devices, skipped } = readFenceDevices(cib, options);
  const props = clusterProperties(cib);
  const timeout = parseIntervalMs(props.get("stonith-timeout") ?? "");
  const pfd = parseIntervalMs(props.get("priority-fencing-delay") ?? "");
  const attrs = new Map<string, ReadonlyMap<string, string>>();
  for (const n of nodes(cib)) {
    const name = n.attrs.uname ?? n.attrs.id;
    if (name !== undefined) attrs.set(name, nodeAttributes(cib, name));
  }
  const defaults = rscDefaults(cib);
  const now = options.now ?? new Date();
  const requireUnfencing = primitives(cib).flatMap((p) => {
    const v = unpackNvSets(p, "meta_attributes", { now }).values.get("requires") ?? defaults.get("requires");
    return v?.toLowerCase() === "unfencing" && p.attrs.id !== undefined ? [p.attrs.id] : [];
  });
  return {
    devices,
    topology: readTopology(cib),
    nodeAttributes: attrs,
    stonithTimeoutMs: timeout !== undefined && timeout > 0 ? timeout : DEFAULT_STONITH_TIMEOUT_MS,
    priorityFencingDelayMs: pfd ?? 0,
    stonithEnabled: !/^(false|no|off|n|0)$/i.test(props.get("stonith-enabled") ?? "true"),
    stonithAction: /^(off|poweroff)$/i.test(props.get("stonith-action") ?? "") ? "off" : "reboot",
    requireUnfencing,
    skipped,
  };
}
