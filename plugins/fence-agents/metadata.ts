/**
 * Parse the meta-data a fence-agents program prints for `-o metadata` (its `<resource-agent>`
 * document) with the plugin API's shared meta-data reader, and derive what Pacemaker's fencer
 * reads from it: which actions the agent supports, whether `on` means automatic unfencing, and
 * how the target is passed.
 * @module
 */
import {
  type ActionMetadata,
  agentFeatures,
  type AgentFeatures,
  type AgentMetadata,
  isTrueValue,
  type ParameterMetadata,
  readAgentMetadata,
} from "../../core/plugin/mod.ts";

/** The fencer's view of an agent's meta-data (the plugin API's {@link AgentFeatures}) and how the target is passed. */
export interface FenceAgentFeatures extends AgentFeatures {
  /**
   * The parameter that carries the target: "port" when the agent declares `port`, else "plug"
   * when it declares `plug`, else undefined (Pacemaker then passes `port`).
   */
  readonly hostArgument?: "port" | "plug";
}

function seconds(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^\s*(\d+)\s*(ms|s)?\s*$/i.exec(v);
  if (m === null) return undefined;
  return m[2]?.toLowerCase() === "ms" ? Number(m[1]) : Number(m[1]) * 1000;
}

function fenceAction(attrs: Readonly<Record<string, string>>): ActionMetadata {
  const name = attrs["name"] ?? "";
  const timeoutMs = seconds(attrs["timeout"]);
  const intervalMs = seconds(attrs["interval"]);
  return {
    name,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    ...(name === "on" ? { automatic: isTrueValue(attrs["automatic"]) || isTrueValue(attrs["required"]) } : {}),
    ...(isTrueValue(attrs["on_target"]) ? { onTarget: true } : {}),
  };
}

/**
 * Parse fence agent meta-data. Throws `SyntaxError` when the text is not well-formed XML or has
 * no `<resource-agent>` root.
 *
 * @example
 * ```ts
 * const md = parseFenceMetadata(xml, "fence_dummy");
 * md.actions.find((a) => a.name === "on")?.automatic; // false
 * ```
 */
export function parseFenceMetadata(xml: string, agent: string): AgentMetadata {
  const raw = readAgentMetadata(xml, `fence agent "${agent}"`);
  // As Pacemaker: the fencer supplies action, plug and port, so they are never required in the
  // configuration.
  const parameters = raw.parameters.map((p): ParameterMetadata => ({
    name: p.name,
    required: ["action", "plug", "port"].includes(p.name) ? false : isTrueValue(p.attrs["required"]),
    unique: isTrueValue(p.attrs["unique"]),
    reloadable: false,
    ...(p.type !== undefined ? { type: p.type } : {}),
    ...(p.default !== undefined ? { default: p.default } : {}),
    ...(p.shortdesc !== undefined ? { shortdesc: p.shortdesc } : {}),
  }));
  const actions = raw.actions.map(fenceAction);
  // start and stop are the fencer's own (default timeout 20s).
  if (!actions.some((a) => a.name === "stop")) actions.push({ name: "stop", timeoutMs: 20_000 }, { name: "start", timeoutMs: 20_000 });
  // fence-agents put the short description in an attribute of the root element.
  const shortdesc = raw.root["shortdesc"] ?? raw.shortdesc;
  return {
    agent: { class: "stonith", type: agent },
    ...(raw.root["version"] !== undefined ? { version: raw.root["version"] } : {}),
    ...(shortdesc !== undefined && shortdesc !== "" ? { shortdesc } : {}),
    parameters,
    actions,
    xml,
  };
}

/** The fencer's view of parsed meta-data (see {@link FenceAgentFeatures}). */
export function fenceAgentFeatures(md: AgentMetadata): FenceAgentFeatures {
  const names = new Set(md.parameters.map((p) => p.name.toLowerCase()));
  const hostArgument = names.has("port") ? "port" : names.has("plug") ? "plug" : undefined;
  return { ...agentFeatures(md), ...(hostArgument !== undefined ? { hostArgument } : {}) };
}
