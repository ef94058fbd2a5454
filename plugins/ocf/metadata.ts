/**
 * Parse OCF agent meta-data XML (resource-agent-api 1.0/1.1) with the plugin API's shared
 * meta-data reader.
 * @module
 */
import {
  type ActionMetadata,
  type AgentMetadata,
  type AgentRef,
  isTrueValue,
  type ParameterMetadata,
  readAgentMetadata,
} from "../../core/plugin/mod.ts";
import { parseDurationMs } from "./duration.ts";

function optNumber(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v.trim());
}

function ocfAction(attrs: Readonly<Record<string, string>>): ActionMetadata {
  const timeoutMs = parseDurationMs(attrs["timeout"]);
  const intervalMs = parseDurationMs(attrs["interval"]);
  const depth = optNumber(attrs["depth"]);
  return {
    name: attrs["name"] ?? "",
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    ...(depth !== undefined ? { depth } : {}),
    ...(attrs["role"] !== undefined ? { role: attrs["role"] } : {}),
  };
}

/**
 * Parse the meta-data an OCF agent prints. Throws `SyntaxError` when the text is not
 * well-formed XML or has no `<resource-agent>` root.
 *
 * @example
 * ```ts
 * const md = parseOcfMetadata(xml, { class: "ocf", provider: "pacemaker", type: "Dummy" });
 * md.parameters.find((p) => p.name === "state")?.unique; // true
 * ```
 */
export function parseOcfMetadata(xml: string, agent: AgentRef): AgentMetadata {
  const id = `${agent.class}:${agent.provider !== undefined ? agent.provider + ":" : ""}${agent.type}`;
  const raw = readAgentMetadata(xml, `agent "${id}"`);
  const parameters = raw.parameters.map((p): ParameterMetadata => {
    const group = p.attrs["unique-group"];
    return {
      name: p.name,
      required: isTrueValue(p.attrs["required"]),
      unique: isTrueValue(p.attrs["unique"]) || (group !== undefined && group !== ""),
      reloadable: isTrueValue(p.attrs["reloadable"]),
      ...(p.type !== undefined ? { type: p.type } : {}),
      ...(p.default !== undefined ? { default: p.default } : {}),
      ...(p.shortdesc !== undefined ? { shortdesc: p.shortdesc } : {}),
    };
  });
  const version = raw.root["version"] ?? raw.versionText;
  return {
    agent,
    ...(version !== undefined ? { version } : {}),
    ...(raw.shortdesc !== undefined && raw.shortdesc !== "" ? { shortdesc: raw.shortdesc } : {}),
    parameters,
    actions: raw.actions.map(ocfAction),
    xml,
  };
}
