/**
 * The fence-agents stdin protocol: the `name=value` lines a `fence_*` program reads, built as
 * Pacemaker 2.1.5's fencing library builds them, and secret masking for anything logged.
 * @module
 */

/** Pacemaker's own fence device parameters: handled by the fencer, never passed to agents. */
const PCMK_FIXED = new Set([
  "provides",
  "stonith-timeout",
  "pcmk_action_limit",
  "pcmk_delay_base",
  "pcmk_delay_max",
  "pcmk_host_argument",
  "pcmk_host_check",
  "pcmk_host_list",
  "pcmk_host_map",
]);

/**
 * True when `name` is a parameter Pacemaker interprets itself (`pcmk_host_map`,
 * `pcmk_reboot_action`, `pcmk_off_timeout`, `provides`, ...), which is not handed to the agent.
 */
export function isPacemakerFenceParam(name: string): boolean {
  if (PCMK_FIXED.has(name)) return true;
  if (!name.startsWith("pcmk_")) return false;
  const rest = name.indexOf("_", 5);
  if (rest < 0) return false;
  return ["_action", "_timeout", "_retries"].includes(name.slice(rest));
}

/** Whether a device parameter travels to the agent (Pacemaker's filter, plus `action`). */
function passesToAgent(name: string): boolean {
  return name.toLowerCase() !== "action" && !isPacemakerFenceParam(name) && !name.includes("CRM_meta") &&
    name.toLowerCase() !== "crm_feature_set";
}

/**
 * Parse `pcmk_host_map` as Pacemaker's fencer does: `node:plug` or `node=plug` pairs separated
 * by `;`, space or tab; a backslash escapes the next character (and is dropped from plugs).
 * Node names match case-insensitively (keys are lower-cased).
 */
export function parseHostMap(hostmap: string): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | undefined;
  let last = 0;
  for (let i = 0; i <= hostmap.length; i++) {
    const c = i < hostmap.length ? hostmap[i] : "\0";
    if (c === "\\") {
      i++;
    } else if (c === "=" || c === ":") {
      if (i > last) name = hostmap.slice(last, i);
      last = i + 1;
    } else if (c === "\0" || c === ";" || c === " " || c === "\t") {
      if (name !== undefined) {
        out.set(name.toLowerCase(), hostmap.slice(last, i).replace(/\\/g, ""));
        name = undefined;
      }
      last = i + 1;
    }
  }
  return out;
}

/** Input of {@link fenceArguments}. */
export interface FenceArgumentsInput {
  readonly agent: string;
  /** The fencer's action (off, on, reboot, status, list, monitor, metadata). */
  readonly action: string;
  readonly target?: string;
  /** The target's node id, passed as `nodeid` when known. */
  readonly targetNodeId?: string;
  /** The device parameters (instance attributes), including Pacemaker's own. */
  readonly params: Readonly<Record<string, string>>;
  /** The agent's host argument from its meta-data ("port" or "plug"), if any. */
  readonly hostArgument?: string;
}

/**
 * The arguments for one agent run, in the order they are written: `action` (after any
 * `pcmk_<action>_action` alias), then for a target `nodename`, `nodeid` and the host argument
 * (`pcmk_host_argument`, else the agent's `port`/`plug`, else `port`; none when it is "none" or
 * the device sets that parameter to a fixed value) carrying the target's `pcmk_host_map` alias,
 * then the device parameters minus Pacemaker's.
 */
export function fenceArguments(input: FenceArgumentsInput): Map<string, string> {
  const { params } = input;
  const out = new Map<string, string>();
  out.set("action", params[`pcmk_${input.action}_action`] ?? input.action);
  let hostParam: string | undefined;
  if (input.target !== undefined) {
    out.set("nodename", input.target);
    if (input.targetNodeId !== undefined && input.targetNodeId !== "" && input.targetNodeId !== "0") {
      out.set("nodeid", input.targetNodeId);
    }
    const configured = params["pcmk_host_argument"];
    if (input.agent !== "fence_legacy" && configured?.toLowerCase() !== "none") {
      const param = configured ?? input.hostArgument ?? "port";
      const value = params[param];
      if (value === undefined || value.toLowerCase() === "dynamic") {
        const alias = params["pcmk_host_map"] !== undefined
          ? parseHostMap(params["pcmk_host_map"]).get(input.target.toLowerCase())
          : undefined;
        out.set(param, alias ?? input.target);
        hostParam = param;
      }
    }
  }
  for (const [k, v] of Object.entries(params)) {
    if (!passesToAgent(k)) continue;
    if (k === hostParam) continue; // "dynamic": the target already took its place
    out.set(k, v);
  }
  return out;
}

/**
 * Render arguments as stdin text. Throws `RangeError` when a name or value would break the
 * line protocol (a newline anywhere, `=` or an empty name).
 */
export function renderStdin(args: ReadonlyMap<string, string>): string {
  let text = "";
  for (const [k, v] of args) {
    if (k === "" || /[=\r\n\0]/.test(k)) throw new RangeError(`Cannot pass fence parameter ${JSON.stringify(k)}: invalid name`);
    if (/[\r\n\0]/.test(v)) {
      throw new RangeError(`Cannot pass fence parameter "${k}": its value contains a line break`);
    }
    text += `${k}=${v}\n`;
  }
  return text;
}

const SECRET_NAME = /passw(or)?d|secret|token/i;

/** True for parameter names whose values are secrets (passwd, password, *secret*, *token*). */
export function isSecretParam(name: string): boolean {
  return SECRET_NAME.test(name) && !/_script$/i.test(name);
}

/** A masked copy of `params` for logging: secret values become "****". */
export function maskParams(params: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) out[k] = isSecretParam(k) ? "****" : v;
  return out;
}

/** `text` with every (non-empty) secret value of `params` replaced by "****". */
export function maskSecrets(text: string, params: Readonly<Record<string, string>>): string {
  let out = text;
  const secrets = Object.entries(params)
    .filter(([k, v]) => isSecretParam(k) && v.length > 0)
    .map(([, v]) => v)
    .sort((a, b) => b.length - a.length);
  for (const s of secrets) out = out.split(s).join("****");
  return out;
}
