/**
 * Which devices can fence a node, as Pacemaker 2.1.5's fencer decides it
 * (`can_fence_host_with_device`): an `on` needs an agent with `on`; actions the agent marks
 * `on_target` run only when the target is the local node, and the local node is never its own
 * target unless self-fencing is allowed; then `pcmk_host_check` decides: none (any node),
 * static-list (host list, host map), dynamic-list (the agent's `list` output, cached for a TTL;
 * when `list` has never worked and no host check is configured the device falls back to
 * status), status (the agent's `status` for the node's plug says 0 "on" or 2 "off").
 * @module
 */
import type { FenceAgent, PluginContext } from "../plugin/types.ts";
import { type FencerClock, runAgent } from "./_run.ts";
import { type FenceDevice, hostCheckOf, staticTargets } from "./devices.ts";
import type { AgentFeatures } from "../plugin/fence_features.ts";
import { deviceTimeoutMs, hostAlias, inTargetList, parseTargetList } from "./targets.ts";

/** What the eligibility check needs from the fencer. */
export interface EligibilityDeps {
  readonly localNode: string;
  readonly clock: FencerClock;
  readonly listTtlMs: number;
  readonly context: (signal: AbortSignal) => PluginContext;
  /** Timeout for list/status queries when the device sets none. */
  readonly queryTimeoutMs: () => number;
}

/** The answer, with the reason in words (for logs and the history). */
export interface Eligible {
  readonly can: boolean;
  readonly why: string;
}

function eligibleLocally(
  features: AgentFeatures,
  action: string,
  target: string,
  localNode: string,
  allowSelf: boolean,
): boolean {
  const self = target.toLowerCase() === localNode.toLowerCase();
  if (features.onTargetActions.includes(action)) return self;
  return !(self && !allowSelf);
}

/** Pacemaker's `localhost_is_eligible_with_remap`: a reboot may run as off then on. */
function eligibleWithRemap(
  features: AgentFeatures,
  action: string,
  target: string,
  localNode: string,
  allowSelf: boolean,
): boolean {
  if (eligibleLocally(features, action, target, localNode, allowSelf)) return true;
  return action === "reboot" &&
    (eligibleLocally(features, "off", target, localNode, allowSelf) ||
      eligibleLocally(features, "on", target, localNode, false));
}

/** Per-fencer state of the checks: cached `list` output and devices switched to status. */
export class Eligibility {
  readonly #lists = new Map<string, { key: string; targets: string[]; at: number }>();
  readonly #toStatus = new Set<string>();
  readonly #deps: EligibilityDeps;

  constructor(deps: EligibilityDeps) {
    this.#deps = deps;
  }

  /** Forget the cached list of a device (or of all). */
  forget(deviceId?: string): void {
    if (deviceId === undefined) {
      this.#lists.clear();
      this.#toStatus.clear();
    } else {
      this.#lists.delete(deviceId);
      this.#toStatus.delete(deviceId);
    }
  }

  /** The cached `list` targets of a device, if any. */
  cachedList(deviceId: string): readonly string[] | undefined {
    return this.#lists.get(deviceId)?.targets;
  }

  /** Can `device` (through `agent`) carry out `action` on `target`? */
  async check(
    device: FenceDevice,
    agent: FenceAgent,
    features: AgentFeatures,
    target: string,
    action: string,
    allowSelf: boolean,
  ): Promise<Eligible> {
    if (action === "on" && !features.supportsOn) return { can: false, why: "agent does not support 'on'" };
    if (!eligibleWithRemap(features, action, target, this.#deps.localNode, allowSelf)) {
      return { can: false, why: "this node is not allowed to execute the action" };
    }
    const key = JSON.stringify(device.params);
    const cached = this.#lists.get(device.id);
    if (cached !== undefined && cached.key !== key) this.forget(device.id);
    let check = hostCheckOf(device, features);
    if (check === "dynamic-list" && this.#toStatus.has(device.id)) check = "status";
    const alias = hostAlias(device.hostMap, target);
    switch (check) {
      case "none":
        return { can: true, why: "pcmk_host_check=none" };
      case "static-list": {
        const can = inTargetList(staticTargets(device), target) || alias !== undefined;
        return { can, why: can ? "in the static list" : "not in pcmk_host_list or pcmk_host_map" };
      }
      case "dynamic-list":
        return this.#dynamic(device, agent, target, alias, key);
      case "status":
        return this.#status(device, agent, alias ?? target);
      default:
        return { can: false, why: `invalid pcmk_host_check "${check}"` };
    }
  }

  async #dynamic(device: FenceDevice, agent: FenceAgent, target: string, alias: string | undefined, key: string): Promise<Eligible> {
    const { clock, listTtlMs } = this.#deps;
    let entry = this.#lists.get(device.id);
    if (entry === undefined || clock.now() - entry.at >= listTtlMs) {
      const timeoutMs = deviceTimeoutMs(device.params["pcmk_list_timeout"]) ?? this.#deps.queryTimeoutMs();
      const { result } = await runAgent(agent, { action: "list", params: device.params, timeoutMs }, this.#deps.context, clock);
      if (result.status === "done" && result.rc === 0) {
        entry = { key, targets: parseTargetList(result.output ?? ""), at: clock.now() };
        this.#lists.set(device.id, entry);
      } else if (entry === undefined) {
        if (device.params["pcmk_host_check"] === undefined) this.#toStatus.add(device.id);
        return { can: false, why: `list failed (${result.reason ?? `rc ${result.rc}`})` };
      }
    }
    const can = inTargetList(entry.targets, alias ?? target);
    return { can, why: can ? "in the agent's list" : "not in the agent's list" };
  }

  async #status(device: FenceDevice, agent: FenceAgent, plug: string): Promise<Eligible> {
    const timeoutMs = deviceTimeoutMs(device.params["pcmk_status_timeout"]) ?? this.#deps.queryTimeoutMs();
    const { result } = await runAgent(
      agent,
      { action: "status", target: plug, params: device.params, timeoutMs },
      this.#deps.context,
      this.#deps.clock,
    );
    if (result.status !== "done") return { can: false, why: `status could not run (${result.status})` };
    if (result.rc === 0 || result.rc === 2) return { can: true, why: "status knows the node" };
    return { can: false, why: `status returned ${result.rc}` };
  }
}
