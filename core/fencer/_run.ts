/**
 * Running one action through a fence agent: the timeout (enforced here whatever the agent does),
 * retries as Pacemaker 2.1.5's fencing library retries (a failure that is not a timeout is
 * tried again, up to `pcmk_<action>_retries` tries in all, default 2, while at least 30% of
 * the timeout is left, after a one-second pause), and errors thrown by a plugin turned into results.
 * @module
 */
import type { FenceAction, FenceAgent, FenceResult, PluginContext } from "../plugin/types.ts";
import { deviceTries } from "./targets.ts";

/** Time source and sleeper (tests pass a fake one). */
export interface FencerClock {
  /** Milliseconds, monotonic enough for measuring. */
  now(): number;
  /** Resolves after `ms` (at once when `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. */
export const realClock: FencerClock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    });
  },
};

/** Default tries of an action (Pacemaker's FAILURE_MAX_RETRIES). */
export const DEFAULT_TRIES = 2;
/** Pause before a retry (Pacemaker sleeps a second). */
export const RETRY_DELAY_MS = 1000;

/** One agent run request as the fencer makes it. */
export interface AgentRun {
  readonly action: FenceAction;
  readonly target?: string;
  readonly params: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/** What came of it. */
export interface AgentRunResult {
  readonly result: FenceResult;
  readonly tries: number;
}

/** True when a result means the action worked (`status` also accepts 2, "off"). */
export function resultOk(action: string, r: FenceResult): boolean {
  return r.status === "done" && (r.rc === 0 || (action === "status" && r.rc === 2));
}

async function once(
  agent: FenceAgent,
  req: AgentRun,
  timeoutMs: number,
  context: (signal: AbortSignal) => PluginContext,
  clock: FencerClock,
): Promise<FenceResult> {
  const ac = new AbortController();
  const stopTimer = new AbortController();
  const timer = clock.sleep(timeoutMs, stopTimer.signal).then((): FenceResult | undefined =>
    stopTimer.signal.aborted ? undefined : { rc: 1, status: "timeout", reason: `${req.action} timed out after ${timeoutMs}ms` }
  );
  const run = (async (): Promise<FenceResult> => {
    try {
      const r = await agent.run({ ...req, timeoutMs }, context(ac.signal));
      if (typeof r !== "object" || r === null || typeof r.rc !== "number" || typeof r.status !== "string") {
        return { rc: 1, status: "error", reason: `Fence agent "${agent.name}" returned no valid result` };
      }
      return r;
    } catch (e) {
      return { rc: 1, status: "error", reason: e instanceof Error ? e.message : String(e) };
    }
  })();
  const first = await Promise.race([run, timer.then((t) => t ?? run)]);
  stopTimer.abort();
  if (first.status === "timeout") ac.abort();
  return first;
}

/**
 * Run `req` through `agent`, retrying failures as Pacemaker does. The agent is told to make a
 * single try (`pcmk_<action>_retries=1` in its parameters) so that bridges which retry on their
 * own do not multiply the tries.
 */
export async function runAgent(
  agent: FenceAgent,
  req: AgentRun,
  context: (signal: AbortSignal) => PluginContext,
  clock: FencerClock,
): Promise<AgentRunResult> {
  const maxTries = deviceTries(req.params[`pcmk_${req.action}_retries`]) ?? DEFAULT_TRIES;
  const params = { ...req.params, [`pcmk_${req.action}_retries`]: "1" };
  const started = clock.now();
  let tries = 0;
  for (;;) {
    tries++;
    const elapsed = clock.now() - started;
    const remaining = Math.max(1, req.timeoutMs - elapsed);
    const result = await once(agent, { ...req, params }, remaining, context, clock);
    if (resultOk(req.action, result)) return { result, tries };
    const spent = clock.now() - started;
    if (result.status === "timeout" || tries >= maxTries || spent >= req.timeoutMs * 0.7) return { result, tries };
    await clock.sleep(RETRY_DELAY_MS);
  }
}

/** One action per device at a time (Pacemaker's default `pcmk_action_limit` of 1). */
export class DeviceLocks {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Run `fn` once every earlier run for `id` has finished. */
  async run<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(id) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    this.#tails.set(id, tail);
    try {
      return await run;
    } finally {
      if (this.#tails.get(id) === tail) this.#tails.delete(id);
    }
  }
}
