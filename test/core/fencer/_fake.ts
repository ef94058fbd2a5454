/** Test helpers: a scriptable fake fence agent, a registry-like source, a fake clock. */
import type { ActionMetadata, FenceAgent, FenceRequest, FenceResult, PluginContext } from "../../../core/plugin/types.ts";
import type { FenceAgentSource, FencerClock } from "../../../core/fencer/mod.ts";

/** A call the fake agent saw. */
export interface Call {
  readonly agent: string;
  readonly action: string;
  readonly target?: string;
  readonly params: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/** How the fake agent answers: a result, "hang" (until aborted), or a function. */
export type Behaviour = FenceResult | "hang" | "throw" | ((req: FenceRequest, n: number) => FenceResult | "hang" | "throw");

export const OK: FenceResult = { rc: 0, status: "done" };
export const FAIL: FenceResult = { rc: 1, status: "done", reason: "power switch said no" };

/** A fake fence agent that records calls; `behave` maps "action" or "action:target" to behaviour. */
export function fakeAgent(
  name: string,
  calls: Call[],
  opts: { actions?: string[]; behave?: Record<string, Behaviour>; automatic?: boolean; listOutput?: string } = {},
): FenceAgent {
  const actions = opts.actions ?? ["on", "off", "reboot", "status", "list", "monitor", "metadata"];
  const counts = new Map<string, number>();
  return {
    name,
    async metadata() {
      const acts: ActionMetadata[] = actions.map((a) => ({ name: a, ...(a === "on" && opts.automatic ? { automatic: true } : {}) }));
      return { agent: { class: "stonith", type: name }, parameters: [], actions: acts };
    },
    run(req: FenceRequest, ctx: PluginContext): Promise<FenceResult> {
      calls.push({ agent: name, action: req.action, ...(req.target !== undefined ? { target: req.target } : {}), params: req.params, timeoutMs: req.timeoutMs });
      const key = `${req.action}:${req.target ?? ""}`;
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      let b: Behaviour | undefined = opts.behave?.[key] ?? opts.behave?.[req.action];
      if (b === undefined) b = req.action === "list" ? { rc: 0, status: "done", output: opts.listOutput ?? "" } : OK;
      const r = typeof b === "function" ? b(req, n) : b;
      if (r === "throw") return Promise.reject(new Error("agent exploded"));
      if (r === "hang") {
        return new Promise((resolve) => {
          ctx.signal.addEventListener("abort", () => resolve({ rc: 1, status: "cancelled" }), { once: true });
        });
      }
      return Promise.resolve(r);
    },
  };
}

const ctx = (signal?: AbortSignal): PluginContext => ({
  log: { debug() {}, info() {}, warn() {}, error() {} },
  signal: signal ?? new AbortController().signal,
  runtime: "node",
});

/** A source serving the given agents. */
export function source(...agents: FenceAgent[]): FenceAgentSource {
  const byName = new Map(agents.map((a) => [a.name, a]));
  return {
    fenceAgent: async (name) => byName.get(name),
    context: ctx,
  };
}

/** A clock whose sleeps are recorded and return at once (time advances by the sleep). */
export function fakeClock(): FencerClock & { sleeps: number[]; t: number } {
  const c = {
    t: 1_700_000_000_000,
    sleeps: [] as number[],
    now: () => c.t,
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      // Timeout timers (aborted when the run ends) must not fire: wait until aborted.
      if (signal !== undefined) {
        return new Promise((resolve) => {
          if (signal.aborted) return resolve();
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
      }
      c.sleeps.push(ms);
      c.t += ms;
      return Promise.resolve();
    },
  };
  return c;
}
