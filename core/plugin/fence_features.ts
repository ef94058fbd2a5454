/**
 * What the fencer reads from a fence agent's meta-data, as Pacemaker 2.1.5's fencer does
 * (part of the plugin API, so fence-agent plugins derive the same view)
 * (`read_action_metadata`): which of `list`, `status`, `reboot` and `on` the agent declares,
 * whether `on` is automatic (unfencing), and which actions must run on the target itself.
 *
 * @example
 * ```ts
 * const f = agentFeatures(await agent.metadata(ctx));
 * if (!f.supportsReboot) console.log("reboot becomes off");
 * ```
 * @module
 */
import type { AgentMetadata } from "./types.ts";

/** The fencer's view of an agent's capabilities. */
export interface AgentFeatures {
  readonly supportsList: boolean;
  readonly supportsStatus: boolean;
  readonly supportsReboot: boolean;
  readonly supportsOn: boolean;
  /** `on` is `automatic="1"` (or the deprecated `required="1"`): the node is unfenced on join. */
  readonly automaticUnfencing: boolean;
  /** Actions marked `on_target="1"`: only the target node itself may run them. */
  readonly onTargetActions: readonly string[];
}

/** The features of an agent whose meta-data could not be read (Pacemaker: no flags set). */
export const NO_FEATURES: AgentFeatures = Object.freeze({
  supportsList: false,
  supportsStatus: false,
  supportsReboot: false,
  supportsOn: false,
  automaticUnfencing: false,
  onTargetActions: Object.freeze([]) as readonly string[],
});

/**
 * The features declared by an agent's meta-data.
 *
 * @example
 * ```ts
 * agentFeatures({ agent, parameters: [], actions: [{ name: "on", automatic: true }] }).automaticUnfencing; // true
 * ```
 */
export function agentFeatures(md: AgentMetadata): AgentFeatures {
  const names = new Set(md.actions.map((a) => a.name));
  return {
    supportsList: names.has("list"),
    supportsStatus: names.has("status"),
    supportsReboot: names.has("reboot"),
    supportsOn: names.has("on"),
    automaticUnfencing: md.actions.some((a) => a.name === "on" && a.automatic === true),
    onTargetActions: md.actions.filter((a) => a.onTarget === true).map((a) => a.name),
  };
}
