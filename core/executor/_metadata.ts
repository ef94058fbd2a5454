/**
 * Agent meta-data cache: one run per agent, shared by concurrent callers; failures not kept.
 * @module
 */
import { AtriumError, quote } from "../errors.ts";
import type { AgentMetadata, AgentRef, ResourceClass } from "../plugin/types.ts";
import type { RunSettings } from "./_run.ts";

/** Timeout of one meta-data request. */
const METADATA_TIMEOUT_MS = 30_000;

function agentKey(a: AgentRef): string {
  return `${a.class}:${a.provider ?? ""}:${a.type}`;
}

/** Cache of {@link AgentMetadata} by class, provider and type. */
export class MetadataCache {
  readonly #cache = new Map<string, Promise<AgentMetadata>>();

  constructor(
    readonly resolveClass: (name: string) => ResourceClass | undefined,
    readonly settings: RunSettings,
  ) {}

  get(agent: AgentRef): Promise<AgentMetadata> {
    const key = agentKey(agent);
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    const cls = this.resolveClass(agent.class);
    if (cls === undefined) {
      return Promise.reject(
        new AtriumError("EXECUTOR_UNKNOWN_CLASS", `Cannot get meta-data of ${quote(key)}: resource class ${quote(agent.class)} is not available`),
      );
    }
    const controller = new AbortController();
    const s = this.settings;
    const timer = s.clock.setTimeout(() => controller.abort(), METADATA_TIMEOUT_MS);
    const p = (async () => {
      try {
        return await cls.metadata(agent, {
          log: s.log,
          signal: controller.signal,
          runtime: s.runtime,
          outputCapBytes: s.outputCapBytes,
          killGraceMs: s.killGraceMs,
        });
      } finally {
        s.clock.clearTimeout(timer);
      }
    })();
    this.#cache.set(key, p);
    p.catch(() => {
      if (this.#cache.get(key) === p) this.#cache.delete(key);
    });
    return p;
  }

  invalidate(agent?: AgentRef): void {
    if (agent === undefined) this.#cache.clear();
    else this.#cache.delete(agentKey(agent));
  }
}
