/**
 * Fencing delays as Pacemaker 2.1.5 computes them: a device's static and random delay
 * (`pcmk_delay_base`, `pcmk_delay_max`) before a fencing action, and the
 * `priority-fencing-delay` the scheduler asks for when a split cluster must fence the node that
 * runs the more important resources last.
 *
 * Unlike Pacemaker, which counts these delays in whole seconds, values are kept in
 * milliseconds ("500ms" waits half a second instead of not at all).
 *
 * @example
 * ```ts
 * deviceDelayMs(device, "reboot", "node1", Math.random); // e.g. 2000 + a random part
 * ```
 * @module
 */
import { parseIntervalMs } from "../cib/rules/mod.ts";
import type { FenceDevice } from "./devices.ts";
import { delayBaseFor } from "./targets.ts";

/** True for the actions delays apply to (Pacemaker's fencing actions: off and reboot). */
export function isFencingAction(action: string): boolean {
  return action === "off" || action === "reboot";
}

/** The parts of a device's delay for one action and target. */
export interface DelaySpec {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** `pcmk_delay_base` (for `target`) and `pcmk_delay_max` of a device, in ms (0 when unset or bad). */
export function delaySpec(device: FenceDevice, action: string, target: string | undefined): DelaySpec {
  if (!isFencingAction(action)) return { baseMs: 0, maxMs: 0 };
  const base = delayBaseFor(device.params["pcmk_delay_base"], target);
  const max = device.params["pcmk_delay_max"];
  return {
    baseMs: base === undefined ? 0 : parseIntervalMs(base) ?? 0,
    maxMs: max === undefined ? 0 : parseIntervalMs(max) ?? 0,
  };
}

/**
 * The delay before `action` on `target` through `device`: the base delay plus a random part up
 * to `pcmk_delay_max` (a max below the base is raised to it; no max means exactly the base).
 * `random` returns a number in [0, 1).
 *
 * @example
 * ```ts
 * deviceDelayMs(fenceDevice("f", "fence_x", { pcmk_delay_base: "1s", pcmk_delay_max: "3s" }), "off", "n1", () => 0.5); // 2000
 * ```
 */
export function deviceDelayMs(
  device: FenceDevice,
  action: string,
  target: string | undefined,
  random: () => number,
): number {
  const { baseMs } = delaySpec(device, action, target);
  let { maxMs } = delaySpec(device, action, target);
  let base = baseMs;
  if (maxMs === 0) maxMs = base;
  if (maxMs < base) base = maxMs;
  if (maxMs <= 0) return 0;
  const r = Math.min(Math.max(random(), 0), 0.999999);
  return base + (maxMs !== base ? Math.floor(r * (maxMs - base)) : 0);
}

/** A node as the priority-fencing-delay computation sees it. */
export interface PriorityNode {
  readonly name: string;
  /** `cluster` members count; remote and guest nodes never get a delay and do not count. */
  readonly kind: "cluster" | "remote" | "container" | "guest";
  /** In the fencing node's partition. */
  readonly online: boolean;
  /** The summed priority of the resources it runs (promoted instances count one more). */
  readonly priority: number;
}

/**
 * The `priority-fencing-delay` (ms) to request when fencing `target`, as Pacemaker 2.1.5's
 * scheduler computes it: the configured delay only when the target is an offline cluster
 * member, at most half of the members are online, priorities differ, and the target has the
 * top priority; otherwise 0.
 *
 * @example
 * ```ts
 * priorityFencingDelayMs(10_000, "node1", [
 *   { name: "node1", kind: "cluster", online: false, priority: 10 },
 *   { name: "node2", kind: "cluster", online: true, priority: 0 },
 * ]); // 10000
 * ```
 */
export function priorityFencingDelayMs(
  configuredMs: number,
  target: string,
  nodes: readonly PriorityNode[],
): number {
  if (!(configuredMs > 0)) return 0;
  const node = nodes.find((n) => n.name === target);
  if (node === undefined || node.kind !== "cluster" || node.online) return 0;
  const members = nodes.filter((n) => n.kind === "cluster");
  const online = members.filter((n) => n.online).length;
  if (online > Math.floor(members.length / 2)) return 0;
  const top = Math.max(...members.map((n) => n.priority));
  const low = Math.min(...members.map((n) => n.priority));
  if (top === low || node.priority < top) return 0;
  return configuredMs;
}
