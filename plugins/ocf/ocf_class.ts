/**
 * The `ocf` resource class: agents under OCF_ROOT/resource.d/PROVIDER/TYPE.
 * @module
 */
import { readdir, stat } from "node:fs/promises";
import process from "node:process";
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
import { exitReason, ocfEnvironment } from "./env.ts";
import { parseOcfMetadata } from "./metadata.ts";
import { ocfExitToRc } from "./severity.ts";

/** Options of {@link createOcfClass}. */
export interface OcfClassOptions {
  /** OCF_ROOT (default: $OCF_ROOT or /usr/lib/ocf). */
  readonly root?: string;
  /** Extra environment for every agent (e.g. OCF_TRACE_RA, HA_RSCTMP). */
  readonly env?: Readonly<Record<string, string>>;
  /** Timeout of meta-data runs from {@link ResourceClass.metadata} (default 30 s). */
  readonly metadataTimeoutMs?: number;
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;

function agentId(a: AgentRef): string {
  return `ocf:${a.provider ?? ""}:${a.type}`;
}

/** Where an OCF agent lives, or an error text when the name is unusable. */
export function ocfAgentPath(root: string, agent: AgentRef): string | { error: string } {
  if (agent.provider === undefined || !NAME.test(agent.provider)) {
    return { error: `OCF agent "${agentId(agent)}" needs a provider (a plain name)` };
  }
  if (!NAME.test(agent.type)) return { error: `OCF agent type "${agent.type}" is not a plain name` };
  return `${root.replace(/\/+$/, "")}/resource.d/${agent.provider}/${agent.type}`;
}

/**
 * Create the `ocf` resource class.
 *
 * @example
 * ```ts
 * const ocf = createOcfClass({ root: "/usr/lib/ocf" });
 * const r = await ocf.exec(op, ctx); // r.rc, r.status, r.reason
 * ```
 */
export function createOcfClass(options: OcfClassOptions = {}): ResourceClass {
  const root = options.root ?? process.env["OCF_ROOT"] ?? "/usr/lib/ocf";

  async function exec(op: OperationRequest, ctx: PluginContext): Promise<OperationResult> {
    const t0 = Date.now();
    const path = ocfAgentPath(root, op.agent);
    if (typeof path !== "string") return { rc: 5, status: "not_installed", reason: path.error, durationMs: 0 };
    const check = await agentFileAccess(path);
    if (check === "missing") {
      return {
        rc: 5,
        status: "not_installed",
        reason: `OCF agent "${agentId(op.agent)}" is not installed: ${path}: No such file or directory`,
        durationMs: Date.now() - t0,
      };
    }
    if (check === "denied") {
      return { rc: 4, status: "error", reason: `${path}: Permission denied`, durationMs: Date.now() - t0 };
    }
    const r = await runProcess(path, {
      args: [op.action],
      env: { ...(options.env ?? {}), ...ocfEnvironment(op, root) },
      timeoutMs: op.timeoutMs,
      ...contextRunOptions(ctx),
    });
    const base = { stdout: r.stdout, stderr: r.stderr, durationMs: r.durationMs };
    if (r.spawnError !== undefined) {
      const notInstalled = ["ENOENT", "ENOTDIR", "EISDIR", "ENOEXEC", "EINVAL"].includes(r.spawnError.code);
      const denied = ["EACCES", "EPERM"].includes(r.spawnError.code);
      return {
        ...base,
        rc: notInstalled ? 5 : denied ? 4 : 1,
        status: notInstalled ? "not_installed" : "error",
        reason: `${path}: ${r.spawnError.message}`,
      };
    }
    const exit = agentExit(r, op.action, op.timeoutMs);
    if (typeof exit !== "number") return exit;
    const reason = exitReason(r.stderr);
    return { ...base, rc: ocfExitToRc(exit), status: "done", ...(reason !== undefined ? { reason } : {}) };
  }

  async function listProviders(): Promise<string[]> {
    try {
      const entries = await readdir(`${root}/resource.d`, { withFileTypes: true });
      const out: string[] = [];
      for (const e of entries) {
        if (e.name.startsWith(".")) continue;
        if (e.isDirectory() || (e.isSymbolicLink() && (await stat(`${root}/resource.d/${e.name}`).catch(() => undefined))?.isDirectory())) {
          out.push(e.name);
        }
      }
      return out.sort();
    } catch {
      return [];
    }
  }

  return {
    name: "ocf",

    listProviders,

    async listAgents(ctx: PluginContext, provider?: string): Promise<AgentRef[]> {
      const providers = provider !== undefined ? [provider] : await listProviders();
      const out: AgentRef[] = [];
      for (const p of providers) {
        if (!NAME.test(p)) continue;
        let names: string[];
        try {
          names = await readdir(`${root}/resource.d/${p}`);
        } catch {
          continue;
        }
        for (const n of names.sort()) {
          if (n.startsWith(".") || !NAME.test(n)) continue;
          if ((await agentFileAccess(`${root}/resource.d/${p}/${n}`)) === "ok") {
            out.push({ class: "ocf", provider: p, type: n });
          }
        }
      }
      return out;
    },

    async metadata(agent: AgentRef, ctx: PluginContext): Promise<AgentMetadata> {
      const op: OperationRequest = {
        resource: agent.type,
        agent,
        action: "meta-data",
        intervalMs: 0,
        timeoutMs: options.metadataTimeoutMs ?? 30_000,
        params: {},
        meta: {},
      };
      const r = await exec(op, ctx);
      if (r.status === "not_installed") {
        throw new AtriumError("AGENT_NOT_INSTALLED", `Cannot get meta-data of "${agentId(agent)}": ${r.reason ?? "not installed"}`, {
          plugin: "ocf",
          hook: "metadata",
        });
      }
      if (r.status !== "done" || r.rc !== 0) {
        throw new AtriumError(
          "AGENT_METADATA_FAILED",
          `Cannot get meta-data of "${agentId(agent)}": the agent returned rc ${r.rc} (${r.status})${r.reason ? `: ${r.reason}` : ""}`,
          { plugin: "ocf", hook: "metadata" },
        );
      }
      return parseOcfMetadata(r.stdout ?? "", agent);
    },

    exec,
  };
}
