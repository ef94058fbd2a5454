/**
 * The `fence-agents` plugin: serves every `fence_*` program of a directory (default /usr/sbin)
 * as a fence agent, run with the fence-agents stdin protocol as Pacemaker 2.1.5 runs them.
 *
 * Configuration (optional): `{ directory?: string, metadataTimeoutMs?: number, retryDelayMs?: number }`.
 * @module
 */
import { definePlugin, type FenceAgentProvider } from "../../core/plugin/mod.ts";
import { createFenceAgentsProvider, type FenceAgentsOptions } from "./provider.ts";

export {
  createFenceAgentsProvider,
  DEFAULT_FENCE_DIRECTORY,
  DEFAULT_FENCE_RETRIES,
  type FenceAgentsOptions,
  fenceFailureReason,
} from "./provider.ts";
export {
  fenceArguments,
  type FenceArgumentsInput,
  isPacemakerFenceParam,
  isSecretParam,
  maskParams,
  maskSecrets,
  parseHostMap,
  renderStdin,
} from "./args.ts";
export { fenceAgentFeatures, type FenceAgentFeatures, parseFenceMetadata } from "./metadata.ts";

/** Check the plugin configuration; throws `TypeError` naming the bad field. */
export function parseFenceAgentsConfig(config: unknown): FenceAgentsOptions {
  if (config === undefined || config === null) return {};
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new TypeError(`Cannot configure plugin "fence-agents": expected an object, got ${JSON.stringify(config)}`);
  }
  const c = config as Record<string, unknown>;
  const out: { -readonly [K in keyof FenceAgentsOptions]: FenceAgentsOptions[K] } = {};
  if (c["directory"] !== undefined) {
    if (typeof c["directory"] !== "string" || c["directory"] === "") {
      throw new TypeError(`Cannot configure plugin "fence-agents": directory ${JSON.stringify(c["directory"])} is not a path`);
    }
    out.directory = c["directory"];
  }
  for (const k of ["metadataTimeoutMs", "retryDelayMs"] as const) {
    const v = c[k];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new TypeError(`Cannot configure plugin "fence-agents": ${k} ${JSON.stringify(v)} is not a non-negative number`);
    }
    out[k] = v;
  }
  return out;
}

let current: FenceAgentProvider = createFenceAgentsProvider();

/** The provider the plugin registers; `setup` swaps what it serves. */
const provider: FenceAgentProvider = {
  name: "fence-agents",
  list: (ctx) => current.list(ctx),
  get: (agent, ctx) => current.get(agent, ctx),
};

/** The built-in `fence-agents` plugin. */
export default definePlugin({
  name: "fence-agents",
  version: "0.1.0",
  apiVersions: [1],
  async setup(config: unknown): Promise<void> {
    current = createFenceAgentsProvider(parseFenceAgentsConfig(config));
  },
  fenceAgents: [provider],
});
