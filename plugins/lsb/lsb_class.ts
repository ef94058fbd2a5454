/**
 * The `lsb` resource class: init scripts in /etc/init.d, run as `SCRIPT ACTION`
 * (monitor runs `status`), exit codes mapped as Pacemaker 2.1.5 maps them.
 * @module
 */
import { readdir, readFile } from "node:fs/promises";
import {
  agentExit,
  agentFileAccess,
  type AgentMetadata,
  type AgentRef,
  AtriumError,
  contextRunOptions,
  type OperationRequest,
  type OperationResult,
  type PluginContext,
  type ResourceClass,
  runProcess,
} from "../../core/plugin/mod.ts";
import { lsbMetadataXml, parseLsbHeader } from "./header.ts";
import { lsbToOcf } from "./status.ts";

/** Options of {@link createLsbClass}. */
export interface LsbClassOptions {
  /** Directory of init scripts (default /etc/init.d). */
  readonly initDir?: string;
  /** Extra environment for every script. */
  readonly env?: Readonly<Record<string, string>>;
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+@-]*$/;

/** The script path of an LSB agent (a name in the init directory, or an absolute path). */
export function lsbScriptPath(initDir: string, type: string): string | undefined {
  if (type.startsWith("/")) return type.includes("/../") || type.endsWith("/..") ? undefined : type;
  return NAME.test(type) ? `${initDir.replace(/\/+$/, "")}/${type}` : undefined;
}

/**
 * Create the `lsb` resource class.
 *
 * @example
 * ```ts
 * const lsb = createLsbClass();
 * const r = await lsb.exec({ ...op, agent: { class: "lsb", type: "logd" }, action: "monitor" }, ctx);
 * ```
 */
export function createLsbClass(options: LsbClassOptions = {}): ResourceClass {
  const initDir = options.initDir ?? "/etc/init.d";

  async function exec(op: OperationRequest, ctx: PluginContext): Promise<OperationResult> {
    const action = op.action === "monitor" ? "status" : op.action;
    const path = lsbScriptPath(initDir, op.agent.type);
    const check = path === undefined ? "missing" : await agentFileAccess(path);
    if (check === "missing") {
      return {
        rc: 5,
        status: "not_installed",
        reason: `LSB agent "${op.agent.type}" is not installed: ${path ?? op.agent.type}: No such file or directory`,
      };
    }
    if (check === "denied") return { rc: 4, status: "error", reason: `${path}: Permission denied` };
    if (op.action === "meta-data") {
      const md = await metadataOf({ class: "lsb", type: op.agent.type });
      return { rc: 0, status: "done", stdout: md.xml ?? "" };
    }
    const r = await runProcess(path!, {
      args: [action],
      env: { ...(options.env ?? {}), ...(op.env ?? {}) },
      timeoutMs: op.timeoutMs,
      ...contextRunOptions(ctx),
    });
    const base = { stdout: r.stdout, stderr: r.stderr, durationMs: r.durationMs };
    if (r.spawnError !== undefined) {
      const denied = ["EACCES", "EPERM"].includes(r.spawnError.code);
      return {
        ...base,
        rc: denied ? 4 : 5,
        status: denied ? "error" : "not_installed",
        reason: `${path}: ${r.spawnError.message}`,
      };
    }
    const exit = agentExit(r, action, op.timeoutMs);
    return typeof exit === "number" ? { ...base, rc: lsbToOcf(action, exit), status: "done" } : exit;
  }

  async function metadataOf(agent: AgentRef): Promise<AgentMetadata> {
    const path = lsbScriptPath(initDir, agent.type);
    let text: string;
    try {
      if (path === undefined) throw new Error("bad name");
      text = await readFile(path, "utf8");
    } catch {
      throw new AtriumError("AGENT_NOT_INSTALLED", `Cannot get meta-data of "lsb:${agent.type}": no such init script`, {
        plugin: "lsb",
        hook: "metadata",
      });
    }
    const h = parseLsbHeader(text);
    const name = agent.type.split("/").pop() ?? agent.type;
    const t = (n: string, timeoutMs: number, intervalMs?: number) => ({ name: n, timeoutMs, ...(intervalMs ? { intervalMs } : {}) });
    return {
      agent,
      version: "0.1",
      ...(h.shortDescription ? { shortdesc: h.shortDescription } : {}),
      parameters: [],
      actions: [
        t("meta-data", 5000),
        t("start", 15000),
        t("stop", 15000),
        t("status", 15000),
        t("restart", 15000),
        t("force-reload", 15000),
        t("monitor", 15000, 15000),
      ],
      xml: lsbMetadataXml(name, h),
    };
  }

  return {
    name: "lsb",
    async listAgents(): Promise<AgentRef[]> {
      let names: string[];
      try {
        names = await readdir(initDir);
      } catch {
        return [];
      }
      const out: AgentRef[] = [];
      for (const n of names.sort()) {
        if (n.startsWith(".") || !NAME.test(n)) continue;
        if ((await agentFileAccess(`${initDir}/${n}`)) === "ok") out.push({ class: "lsb", type: n });
      }
      return out;
    },
    metadata: (agent) => metadataOf(agent),
    exec,
  };
}
