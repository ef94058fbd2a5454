/**
 * The fence-agents bridge: a {@link FenceAgentProvider} serving every `fence_*` program of a
 * directory (default /usr/sbin), run with the fence-agents stdin protocol as Pacemaker 2.1.5's
 * fencer runs them (arguments, retries, timeouts that kill the whole process group).
 * @module
 */
import { constants } from "node:fs";
import { access, readdir, stat } from "node:fs/promises";
import {
  abortableSleep,
  type AgentMetadata,
  type FenceAgent,
  type FenceAgentProvider,
  type FenceRequest,
  type FenceResult,
  type PluginContext,
  runProcess,
  type RunProcessResult,
} from "../../core/plugin/mod.ts";
import { fenceArguments, maskParams, maskSecrets, renderStdin } from "./args.ts";
import { fenceAgentFeatures, parseFenceMetadata } from "./metadata.ts";

/** Options of {@link createFenceAgentsProvider}. */
export interface FenceAgentsOptions {
  /** Where the `fence_*` programs live (default /usr/sbin, Pacemaker's fence bin dir). */
  readonly directory?: string;
  /** Extra environment for every agent run. */
  readonly env?: Readonly<Record<string, string>>;
  /** Timeout of meta-data runs (default 30 s). */
  readonly metadataTimeoutMs?: number;
  /** Pause before a retry of a failed action (default 1000 ms, as Pacemaker). */
  readonly retryDelayMs?: number;
  /** Bytes kept per output stream when the context sets no cap (default: the spawn helper's). */
  readonly outputCapBytes?: number;
}

/** The default fence agent directory. */
export const DEFAULT_FENCE_DIRECTORY = "/usr/sbin";
/** Tries of a failing action unless `pcmk_<action>_retries` says otherwise (Pacemaker: 2). */
export const DEFAULT_FENCE_RETRIES = 2;

const AGENT_NAME = /^fence_[A-Za-z0-9_.+-]+$/;
const ACTION_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * The line of agent stderr that best says why it failed: the last line saying "failed", else the
 * last error line, else the last line.
 */
export function fenceFailureReason(stderr: string): string | undefined {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "").reverse();
  const pick = lines.find((l) => /fail/i.test(l)) ?? lines.find((l) => /error/i.test(l)) ?? lines[0];
  if (pick === undefined) return undefined;
  return pick.length > 256 ? `${pick.slice(0, 253)}...` : pick;
}

/**
 * Create the fence-agents provider.
 *
 * @example
 * ```ts
 * const p = createFenceAgentsProvider({ directory: "/usr/sbin" });
 * const agent = await p.get("fence_dummy", ctx);
 * await agent?.run({ action: "off", target: "node1", params: { status_file: "/tmp/s" }, timeoutMs: 20000 }, ctx);
 * ```
 */
export function createFenceAgentsProvider(options: FenceAgentsOptions = {}): FenceAgentProvider {
  const dir = (options.directory ?? DEFAULT_FENCE_DIRECTORY).replace(/\/+$/, "") || "/";
  const agents = new Map<string, FenceAgent>();

  async function isAgentFile(name: string): Promise<boolean> {
    if (!AGENT_NAME.test(name)) return false;
    try {
      return (await stat(`${dir}/${name}`)).isFile();
    } catch {
      return false;
    }
  }

  function makeAgent(name: string): FenceAgent {
    const path = `${dir}/${name}`;
    let cachedMetadata: Promise<AgentMetadata> | undefined;

    function spawnOptions(ctx: PluginContext, timeoutMs: number, input: string, args?: string[]) {
      const cap = ctx.outputCapBytes ?? options.outputCapBytes;
      return {
        input,
        timeoutMs,
        signal: ctx.signal,
        ...(args !== undefined ? { args } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
        ...(cap !== undefined ? { outputCapBytes: cap } : {}),
        ...(ctx.killGraceMs !== undefined ? { killGraceMs: ctx.killGraceMs } : {}),
      };
    }

    async function loadMetadata(ctx: PluginContext): Promise<AgentMetadata> {
      const timeoutMs = options.metadataTimeoutMs ?? 30_000;
      // Both ways of asking: `-o metadata` for fence-agents, stdin for agents that read only that.
      const r = await runProcess(path, spawnOptions(ctx, timeoutMs, "action=metadata\n", ["-o", "metadata"]));
      if (r.spawnError !== undefined) throw new Error(`Cannot run fence agent "${name}" (${path}): ${r.spawnError.message}`);
      if (r.timedOut) throw new Error(`Meta-data of fence agent "${name}" timed out after ${timeoutMs}ms`);
      if (r.exitCode !== 0) {
        throw new Error(`Meta-data of fence agent "${name}" failed with exit code ${r.exitCode ?? r.signal ?? "?"}`);
      }
      return parseFenceMetadata(r.stdout, name);
    }

    function metadata(ctx: PluginContext): Promise<AgentMetadata> {
      if (cachedMetadata === undefined) {
        const p = loadMetadata(ctx);
        cachedMetadata = p;
        p.catch(() => {
          if (cachedMetadata === p) cachedMetadata = undefined;
        });
      }
      return cachedMetadata;
    }

    async function hostArgument(req: FenceRequest, ctx: PluginContext): Promise<string | undefined> {
      if (req.target === undefined || req.params["pcmk_host_argument"] !== undefined) return undefined;
      try {
        return fenceAgentFeatures(await metadata(ctx)).hostArgument;
      } catch (e) {
        ctx.log.warn(`Cannot read meta-data of fence agent "${name}": passing the target as "port"`, {
          error: (e as Error).message,
        });
        return undefined;
      }
    }

    function toResult(r: RunProcessResult, req: FenceRequest, timeoutMs: number): FenceResult {
      const output = maskSecrets(r.stdout, req.params);
      if (r.spawnError !== undefined) {
        const missing = ["ENOENT", "ENOTDIR", "EISDIR", "ENOEXEC"].includes(r.spawnError.code);
        return {
          rc: 1,
          status: missing ? "not_installed" : "error",
          reason: maskSecrets(`Cannot run fence agent "${name}" (${path}): ${r.spawnError.message}`, req.params),
        };
      }
      if (r.timedOut) return { rc: 1, status: "timeout", reason: `${req.action} timed out after ${timeoutMs}ms`, output };
      if (r.aborted) return { rc: 1, status: "cancelled", reason: `${req.action} cancelled`, output };
      if (r.exitCode === null) {
        return { rc: 1, status: "error", reason: `${req.action} interrupted by ${r.signal ?? "a"} signal`, output };
      }
      const reason = r.exitCode === 0 ? undefined : fenceFailureReason(r.stderr);
      return {
        rc: r.exitCode,
        status: "done",
        ...(reason !== undefined ? { reason: maskSecrets(reason, req.params) } : {}),
        output,
      };
    }

    async function run(req: FenceRequest, ctx: PluginContext): Promise<FenceResult> {
      const action = String(req.action);
      if (!ACTION_NAME.test(action)) {
        return { rc: 1, status: "error", reason: `Cannot run fence action ${JSON.stringify(action)}: not an action name` };
      }
      const timeoutMs = Number.isFinite(req.timeoutMs) && req.timeoutMs > 0 ? req.timeoutMs : 20_000;
      try {
        await access(path, constants.X_OK);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        return {
          rc: 1,
          status: code === "EACCES" ? "error" : "not_installed",
          reason: `Cannot run fence agent "${name}": ${path} is ${code === "EACCES" ? "not executable" : "missing"}`,
        };
      }
      let input: string;
      try {
        const args = fenceArguments({
          agent: name,
          action,
          params: req.params,
          ...(req.target !== undefined ? { target: req.target } : {}),
          ...(req.targetNodeId !== undefined ? { targetNodeId: req.targetNodeId } : {}),
          ...(await hostArgument(req, ctx).then((h) => (h !== undefined ? { hostArgument: h } : {}))),
        });
        input = renderStdin(args);
      } catch (e) {
        return { rc: 1, status: "error", reason: maskSecrets((e as Error).message, req.params) };
      }
      const retriesRaw = req.params[`pcmk_${action}_retries`];
      const maxTries = retriesRaw !== undefined && /^\d+$/.test(retriesRaw.trim())
        ? Number(retriesRaw.trim())
        : DEFAULT_FENCE_RETRIES;
      ctx.log.debug(`Running fence agent "${name}" action ${action}`, {
        target: req.target,
        params: maskParams(req.params),
      });
      const started = performance.now();
      let tries = 0;
      let remaining = timeoutMs;
      for (;;) {
        tries++;
        const r = await runProcess(path, spawnOptions(ctx, remaining, input));
        const result = toResult(r, req, timeoutMs);
        const elapsed = performance.now() - started;
        const ok = result.status === "done" && (result.rc === 0 || (action === "status" && result.rc === 2));
        // As Pacemaker: retry a failure (not a timeout) while 30% of the timeout is left.
        const retry = !ok && result.status === "done" && tries < maxTries && elapsed < timeoutMs * 0.7 &&
          !ctx.signal.aborted;
        if (!retry) {
          if (!ok) {
            ctx.log.warn(`Fence agent "${name}" action ${action} failed`, {
              target: req.target,
              rc: result.rc,
              status: result.status,
              reason: result.reason,
              tries,
            });
          }
          return result;
        }
        ctx.log.info(`Fence agent "${name}" action ${action} failed (try ${tries} of ${maxTries}): retrying`, {
          reason: result.reason,
        });
        await abortableSleep(options.retryDelayMs ?? 1000, ctx.signal);
        remaining = Math.max(1, timeoutMs - (performance.now() - started));
      }
    }

    return { name, metadata, run };
  }

  return {
    name: "fence-agents",

    async list(): Promise<string[]> {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return [];
      }
      const out: string[] = [];
      for (const n of names.sort()) if (await isAgentFile(n)) out.push(n);
      return out;
    },

    async get(agent: string): Promise<FenceAgent | undefined> {
      if (!(await isAgentFile(agent))) return undefined;
      let a = agents.get(agent);
      if (a === undefined) {
        a = makeAgent(agent);
        agents.set(agent, a);
      }
      return a;
    },
  };
}
