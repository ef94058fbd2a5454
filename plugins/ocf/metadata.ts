/**
 * Parse OCF agent meta-data XML (resource-agent-api 1.0/1.1) with saxes.
 * @module
 */
import { SaxesParser } from "saxes";
import type { ActionMetadata, AgentMetadata, AgentRef, ParameterMetadata } from "../../core/plugin/mod.ts";
import { parseDurationMs } from "./duration.ts";

function isTrue(v: string | undefined): boolean {
  if (v === undefined) return false;
  return ["1", "true", "yes", "on", "y"].includes(v.trim().toLowerCase());
}

function optNumber(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v.trim());
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
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: string[] = [];
  const parameters: ParameterMetadata[] = [];
  const actions: ActionMetadata[] = [];
  let root: Record<string, string> | undefined;
  let ocfVersion: string | undefined;
  let shortdesc: string | undefined;
  let param: { attrs: Record<string, string>; type?: string; default?: string; shortdesc?: string } | undefined;
  let text = "";
  let error: Error | undefined;

  parser.on("error", (e) => {
    error ??= e;
  });
  parser.on("opentag", (tag) => {
    const attrs = tag.attributes as Record<string, string>;
    const parent = stack[stack.length - 1];
    stack.push(tag.name);
    text = "";
    if (stack.length === 1) {
      if (tag.name !== "resource-agent") error ??= new Error(`root element is <${tag.name}>`);
      root = attrs;
    } else if (tag.name === "parameter" && parent === "parameters") {
      param = { attrs };
    } else if (tag.name === "content" && parent === "parameter" && param !== undefined) {
      if (attrs["type"] !== undefined) param.type = attrs["type"];
      if (attrs["default"] !== undefined) param.default = attrs["default"];
    } else if (tag.name === "action" && parent === "actions") {
      const a: { -readonly [K in keyof ActionMetadata]: ActionMetadata[K] } = { name: attrs["name"] ?? "" };
      const timeout = parseDurationMs(attrs["timeout"]);
      const interval = parseDurationMs(attrs["interval"]);
      const depth = optNumber(attrs["depth"]);
      if (timeout !== undefined) a.timeoutMs = timeout;
      if (interval !== undefined) a.intervalMs = interval;
      if (depth !== undefined) a.depth = depth;
      if (attrs["role"] !== undefined) a.role = attrs["role"];
      if (a.name !== "") actions.push(a);
    }
  });
  parser.on("text", (t) => {
    text += t;
  });
  parser.on("cdata", (t) => {
    text += t;
  });
  parser.on("closetag", (tag) => {
    stack.pop();
    const parent = stack[stack.length - 1];
    if (tag.name === "version" && parent === "resource-agent") ocfVersion = text.trim();
    else if (tag.name === "shortdesc" && parent === "resource-agent") shortdesc ??= text.trim();
    else if (tag.name === "shortdesc" && parent === "parameter" && param !== undefined) param.shortdesc ??= text.trim();
    else if (tag.name === "parameter" && param !== undefined) {
      const a = param.attrs;
      const p: { -readonly [K in keyof ParameterMetadata]: ParameterMetadata[K] } = {
        name: a["name"] ?? "",
        required: isTrue(a["required"]),
        unique: isTrue(a["unique"]) || (a["unique-group"] !== undefined && a["unique-group"] !== ""),
        reloadable: isTrue(a["reloadable"]),
      };
      if (param.type !== undefined) p.type = param.type;
      if (param.default !== undefined) p.default = param.default;
      if (param.shortdesc !== undefined && param.shortdesc !== "") p.shortdesc = param.shortdesc;
      if (p.name !== "") parameters.push(p);
      param = undefined;
    }
    text = "";
  });

  try {
    parser.write(xml).close();
  } catch (e) {
    error ??= e as Error;
  }
  if (error === undefined && root === undefined) error = new Error("no root element");
  if (error !== undefined) {
    const id = `${agent.class}:${agent.provider !== undefined ? agent.provider + ":" : ""}${agent.type}`;
    throw new SyntaxError(`Cannot parse meta-data of agent "${id}": ${error.message}`);
  }
  const version = root?.["version"] ?? ocfVersion;
  return {
    agent,
    ...(version !== undefined ? { version } : {}),
    ...(shortdesc !== undefined && shortdesc !== "" ? { shortdesc } : {}),
    parameters,
    actions,
    xml,
  };
}
