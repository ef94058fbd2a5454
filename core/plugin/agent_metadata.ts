/**
 * Read the `<resource-agent>` meta-data document agents print (OCF resource-agent-api 1.0/1.1,
 * fence-agents) with saxes. This is the shared reading step: it returns what the document says,
 * as written; each agent class turns that into {@link AgentMetadata} by its own rules.
 * @module
 */
import { SaxesParser } from "saxes";

/** One named `<parameter>` of a meta-data document. */
export interface RawAgentParameter {
  readonly name: string;
  /** The attributes of `<parameter>` (`required`, `unique`, `unique-group`, `reloadable`, ...). */
  readonly attrs: Readonly<Record<string, string>>;
  /** `type` of its `<content>` (the last one that sets it). */
  readonly type?: string;
  /** `default` of its `<content>` (the last one that sets it). */
  readonly default?: string;
  /** Its first `<shortdesc>`, trimmed; absent when missing or empty. */
  readonly shortdesc?: string;
}

/** What a `<resource-agent>` document says, as written. */
export interface RawAgentMetadata {
  /** The attributes of the root `<resource-agent>` element. */
  readonly root: Readonly<Record<string, string>>;
  /** The trimmed text of the last `<version>` child of the root, if any. */
  readonly versionText?: string;
  /** The trimmed text of the root's first `<shortdesc>` child (may be empty), if any. */
  readonly shortdesc?: string;
  /** The named `<parameters>/<parameter>` elements, in document order. */
  readonly parameters: readonly RawAgentParameter[];
  /** The attributes of each named `<actions>/<action>` element, in document order. */
  readonly actions: readonly Readonly<Record<string, string>>[];
}

/**
 * Pacemaker's reading of a boolean attribute (`crm_is_true`): 1, true, yes, on, y (any case,
 * surrounding white space ignored) are true; anything else, or absent, is false.
 */
export function isTrueValue(v: string | undefined): boolean {
  if (v === undefined) return false;
  return ["1", "true", "yes", "on", "y"].includes(v.trim().toLowerCase());
}

interface ParamDraft {
  attrs: Record<string, string>;
  type?: string;
  default?: string;
  shortdesc?: string;
}

function finishParameter(d: ParamDraft): RawAgentParameter | undefined {
  const name = d.attrs["name"] ?? "";
  if (name === "") return undefined;
  return {
    name,
    attrs: d.attrs,
    ...(d.type !== undefined ? { type: d.type } : {}),
    ...(d.default !== undefined ? { default: d.default } : {}),
    ...(d.shortdesc !== undefined && d.shortdesc !== "" ? { shortdesc: d.shortdesc } : {}),
  };
}

/**
 * Read an agent's meta-data document. `what` names the agent for the error message, e.g.
 * `agent "ocf:pacemaker:Dummy"` or `fence agent "fence_dummy"`. Throws `SyntaxError` when the
 * text is not well-formed XML or its root is not `<resource-agent>`.
 *
 * @example
 * ```ts
 * const raw = readAgentMetadata(xml, 'agent "ocf:pacemaker:Dummy"');
 * raw.parameters.map((p) => p.name); // ["state", "passwd", ...]
 * ```
 */
export function readAgentMetadata(xml: string, what: string): RawAgentMetadata {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: string[] = [];
  const parameters: RawAgentParameter[] = [];
  const actions: Record<string, string>[] = [];
  let root: Record<string, string> | undefined;
  let versionText: string | undefined;
  let shortdesc: string | undefined;
  let param: ParamDraft | undefined;
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
      if ((attrs["name"] ?? "") !== "") actions.push(attrs);
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
    if (tag.name === "version" && parent === "resource-agent") versionText = text.trim();
    else if (tag.name === "shortdesc" && parent === "resource-agent") shortdesc ??= text.trim();
    else if (tag.name === "shortdesc" && parent === "parameter" && param !== undefined) param.shortdesc ??= text.trim();
    else if (tag.name === "parameter" && param !== undefined) {
      const p = finishParameter(param);
      if (p !== undefined) parameters.push(p);
      param = undefined;
    }
    text = "";
  });

  try {
    parser.write(xml).close();
  } catch (e) {
    error ??= e as Error;
  }
  if (error !== undefined || root === undefined) {
    throw new SyntaxError(`Cannot parse meta-data of ${what}: ${error?.message ?? "no root element"}`);
  }
  return {
    root,
    ...(versionText !== undefined ? { versionText } : {}),
    ...(shortdesc !== undefined ? { shortdesc } : {}),
    parameters,
    actions,
  };
}
