/**
 * Hook wrappers: what the registry hands out instead of a plugin's own objects. A throw from a
 * plugin's hook becomes an `AtriumError` with the plugin's name and the hook stamped on
 * (`PLUGIN_HOOK_FAILED`, or the plugin's own code if it threw an `AtriumError`). Operation
 * outcomes are results, never throws: a resource class's `exec` and a fence agent's `run` that
 * throw, or return something that is not a result, give an error result instead.
 */
import { AtriumError, quote } from "../errors.ts";
import type {
  AgentMetadata,
  AgentRef,
  ExecStatus,
  FenceAgent,
  FenceAgentProvider,
  FenceRequest,
  FenceResult,
  GuestHandle,
  GuestLauncher,
  GuestSpec,
  OperationRequest,
  OperationResult,
  PluginContext,
  ResourceClass,
} from "./types.ts";
import { OcfRc } from "./types.ts";

/** The contribution kinds, as messages name them. */
export type ContributionKind = "resource class" | "launcher" | "fence agent" | "fence agent provider" | "notifier";

const EXEC_STATUSES: ReadonlySet<string> = new Set<ExecStatus>([
  "done", "timeout", "cancelled", "not_installed", "error", "not_supported",
]);

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The error the registry surfaces when a plugin's hook throws: the plugin's own `AtriumError`
 * code is kept, anything else becomes `PLUGIN_HOOK_FAILED`; plugin and hook are always stamped.
 */
export function hookError(
  plugin: string,
  hook: string,
  where: { kind: ContributionKind; name: string } | undefined,
  cause: unknown,
): AtriumError {
  const code = cause instanceof AtriumError ? cause.code : "PLUGIN_HOOK_FAILED";
  const place = where ? ` in ${where.kind} ${quote(where.name)}` : "";
  const details: Record<string, unknown> = { ...(cause instanceof AtriumError ? cause.details : {}) };
  if (where) {
    details["kind"] = where.kind;
    details["name"] = where.name;
  }
  return new AtriumError(code, `Plugin ${quote(plugin)} failed${place} hook ${quote(hook)}: ${messageOf(cause)}`, {
    plugin,
    hook,
    cause,
    details,
  });
}

/** Run `f` (a plugin hook), turning a throw (sync or async) into a stamped error. */
export async function callHook<T>(
  plugin: string,
  hook: string,
  where: { kind: ContributionKind; name: string } | undefined,
  f: () => T | Promise<T>,
): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw hookError(plugin, hook, where, e);
  }
}

function isResultLike(r: unknown): r is { rc: number; status: string } {
  if (typeof r !== "object" || r === null) return false;
  const o = r as { rc?: unknown; status?: unknown };
  return typeof o.rc === "number" && Number.isInteger(o.rc) && typeof o.status === "string" &&
    EXEC_STATUSES.has(o.status);
}

/** Wrap a resource class: hooks stamped, `exec` never throws. */
export function wrapResourceClass(plugin: string, rc: ResourceClass): ResourceClass {
  const where = { kind: "resource class" as const, name: rc.name };
  const wrapped: ResourceClass = {
    name: rc.name,
    listAgents: (ctx: PluginContext, provider?: string) =>
      callHook(plugin, "listAgents", where, () => rc.listAgents(ctx, provider)),
    metadata: (agent: AgentRef, ctx: PluginContext) =>
      callHook<AgentMetadata>(plugin, "metadata", where, () => rc.metadata(agent, ctx)),
    exec: async (op: OperationRequest, ctx: PluginContext): Promise<OperationResult> => {
      const started = Date.now();
      try {
        const r = await rc.exec(op, ctx);
        if (isResultLike(r)) return r;
        return {
          rc: OcfRc.ERR_GENERIC,
          status: "error",
          reason: `Plugin ${quote(plugin)} resource class ${quote(rc.name)} exec returned ${quote(r)}, expected a result with an integer rc and a known status`,
          durationMs: Date.now() - started,
        };
      } catch (e) {
        return {
          rc: OcfRc.ERR_GENERIC,
          status: "error",
          reason: `Plugin ${quote(plugin)} resource class ${quote(rc.name)} exec of ${quote(op?.action)} threw: ${messageOf(e)}`,
          durationMs: Date.now() - started,
        };
      }
    },
  };
  const listProviders = rc.listProviders;
  if (listProviders) {
    (wrapped as { listProviders?: ResourceClass["listProviders"] }).listProviders = (ctx: PluginContext) =>
      callHook(plugin, "listProviders", where, () => listProviders.call(rc, ctx));
  }
  return Object.freeze(wrapped);
}

/** Wrap a guest launcher: every hook stamped. */
export function wrapLauncher(plugin: string, l: GuestLauncher): GuestLauncher {
  const where = { kind: "launcher" as const, name: l.name };
  return Object.freeze({
    name: l.name,
    capabilities: Object.freeze({ migrate: l.capabilities.migrate, console: l.capabilities.console }),
    start: (spec: GuestSpec, ctx: PluginContext) => callHook(plugin, "start", where, () => l.start(spec, ctx)),
    stop: (h: GuestHandle, opts: { timeoutMs: number; force: boolean }, ctx: PluginContext) =>
      callHook(plugin, "stop", where, () => l.stop(h, opts, ctx)),
    status: (h: GuestHandle, ctx: PluginContext) => callHook(plugin, "status", where, () => l.status(h, ctx)),
    address: (h: GuestHandle, ctx: PluginContext) => callHook(plugin, "address", where, () => l.address(h, ctx)),
    recover: (h: GuestHandle, ctx: PluginContext) => callHook(plugin, "recover", where, () => l.recover(h, ctx)),
  });
}

/** Wrap a fence agent: `metadata` stamped, `run` never throws. */
export function wrapFenceAgent(plugin: string, a: FenceAgent): FenceAgent {
  const where = { kind: "fence agent" as const, name: a.name };
  return Object.freeze({
    name: a.name,
    metadata: (ctx: PluginContext) => callHook(plugin, "metadata", where, () => a.metadata(ctx)),
    run: async (req: FenceRequest, ctx: PluginContext): Promise<FenceResult> => {
      try {
        const r = await a.run(req, ctx);
        if (isResultLike(r)) return r;
        return {
          rc: 1,
          status: "error",
          reason: `Plugin ${quote(plugin)} fence agent ${quote(a.name)} run returned ${quote(r)}, expected a result with an integer rc and a known status`,
        };
      } catch (e) {
        return {
          rc: 1,
          status: "error",
          reason: `Plugin ${quote(plugin)} fence agent ${quote(a.name)} run of ${quote(req?.action)} threw: ${messageOf(e)}`,
        };
      }
    },
  });
}

/** Wrap a fence agent provider: `list`/`get` stamped, the agents it returns wrapped too. */
export function wrapFenceAgentProvider(plugin: string, p: FenceAgentProvider): FenceAgentProvider {
  const where = { kind: "fence agent provider" as const, name: p.name };
  return Object.freeze({
    name: p.name,
    list: async (ctx: PluginContext) => {
      const names = await callHook(plugin, "list", where, () => p.list(ctx));
      if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) {
        throw hookError(plugin, "list", where, new TypeError(`Cannot list fence agents: got ${quote(names)}, expected an array of strings`));
      }
      return names;
    },
    get: async (agent: string, ctx: PluginContext) => {
      const a = await callHook(plugin, "get", where, () => p.get(agent, ctx));
      if (a === undefined) return undefined;
      if (typeof a !== "object" || a === null || typeof a.run !== "function" || typeof a.metadata !== "function") {
        throw hookError(plugin, "get", where, new TypeError(`Cannot get fence agent ${quote(agent)}: got ${quote(a)}, expected a fence agent object`));
      }
      return wrapFenceAgent(plugin, a);
    },
  });
}

/** True when a fence entry of a plugin is a provider (serves many agent names). */
export function isFenceAgentProvider(x: FenceAgent | FenceAgentProvider): x is FenceAgentProvider {
  return !("run" in x) && typeof (x as FenceAgentProvider).list === "function";
}
