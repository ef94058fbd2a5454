/**
 * Parse the meta-data a fence-agents program prints for `-o metadata` (its `<resource-agent>`
 * document) with saxes, and derive what Pacemaker's fencer reads from it: which actions the
 * agent supports, whether `on` means automatic unfencing, and how the target is passed.
 * @module
 */
import { SaxesParser } from "saxes";
import type { ActionMetadata, AgentMetadata, ParameterMetadata } from "../../core/plugin/mod.ts";

/** What the fencer needs to know about an agent, as Pacemaker 2.1.5 derives it from meta-data. */
export interface FenceAgentFeatures {
  readonly supportsList: boolean;
  readonly supportsStatus: boolean;
  readonly supportsReboot: boolean;
  readonly supportsOn: boolean;
  /** `on` is marked `automatic="1"` (or the deprecated `required="1"`): unfence on join. */
  readonly automaticUnfencing: boolean;
  /** Actions marked `on_target="1"` (run on the target itself). */
  readonly onTargetActions: readonly string[];
  /**
   * The parameter that carries the target: "port" when the agent declares `port`, else "plug"
   * when it declares `plug`, else undefined (Pacemaker then passes `port`).
   */
  readonly hostArgument?: "port" | "plug";
}

function isTrue(v: string | undefined): boolean {
  if (v === undefined) return false;
  return ["1", "true", "yes", "on", "y"].includes(v.trim().toLowerCase());
}

function seconds(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^\s*(\d+)\s*(ms|s)?\s*$/i.exec(v);
  if (m === null) return undefined;
  return m[2]?.toLowerCase() === "ms" ? Number(m[1]) : Number(m[1]) * 1000;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

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
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: string[] = [];
  const parameters: ParameterMetadata[] = [];
  const actions: ActionMetadata[] = [];
  let root: Record<string, string> | undefined;
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
      const a: Mutable<ActionMetadata> = { name: attrs["name"] ?? "" };
      const timeout = seconds(attrs["timeout"]);
      const interval = seconds(attrs["interval"]);
      if (timeout !== undefined) a.timeoutMs = timeout;
      if (interval !== undefined) a.intervalMs = interval;
      if (a.name === "on" && (isTrue(attrs["automatic"]) || isTrue(attrs["required"]))) a.automatic = true;
      else if (a.name === "on") a.automatic = false;
      if (isTrue(attrs["on_target"])) a.onTarget = true;
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
    if (tag.name === "shortdesc" && parent === "resource-agent") shortdesc ??= text.trim();
    else if (tag.name === "shortdesc" && parent === "parameter" && param !== undefined) param.shortdesc ??= text.trim();
    else if (tag.name === "parameter" && param !== undefined) {
      const a = param.attrs;
      const p: Mutable<ParameterMetadata> = {
        name: a["name"] ?? "",
        required: isTrue(a["required"]),
        unique: isTrue(a["unique"]),
        reloadable: false,
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
    throw new SyntaxError(`Cannot parse meta-data of fence agent "${agent}": ${error.message}`);
  }
  // fence-agents put the short description in an attribute of the root element.
  shortdesc = root?.["shortdesc"] ?? shortdesc;
  // As Pacemaker: the fencer supplies action, plug and port, so they are never required in the
  // configuration; start and stop are the fencer's own (default timeout 20s).
  const params = parameters.map((p) => ["action", "plug", "port"].includes(p.name) ? { ...p, required: false } : p);
  if (!actions.some((a) => a.name === "stop")) actions.push({ name: "stop", timeoutMs: 20_000 }, { name: "start", timeoutMs: 20_000 });
  return {
    agent: { class: "stonith", type: agent },
    ...(root?.["version"] !== undefined ? { version: root["version"] } : {}),
    ...(shortdesc !== undefined && shortdesc !== "" ? { shortdesc } : {}),
    parameters: params,
    actions,
    xml,
  };
}

/** The fencer's view of parsed meta-data (see {@link FenceAgentFeatures}). */
export function fenceAgentFeatures(md: AgentMetadata): FenceAgentFeatures {
  const has = (n: string) => md.actions.some((a) => a.name === n);
  const on = md.actions.find((a) => a.name === "on");
  const names = new Set(md.parameters.map((p) => p.name.toLowerCase()));
  const hostArgument = names.has("port") ? "port" : names.has("plug") ? "plug" : undefined;
  return {
    supportsList: has("list"),
    supportsStatus: has("status"),
    supportsReboot: has("reboot"),
    supportsOn: on !== undefined,
    automaticUnfencing: on?.automatic === true,
    onTargetActions: md.actions.filter((a) => a.onTarget === true).map((a) => a.name),
    ...(hostArgument !== undefined ? { hostArgument } : {}),
  };
}
