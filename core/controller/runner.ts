/**
 * The transition runner: carries out one {@link Transition}'s actions, in parallel wherever the
 * ordering inputs allow. Pseudo-actions complete at once; actions marked not runnable never run
 * (nor does anything that depends on them). Each action gets a guard timer of its timeout plus
 * a grace; an action that fails or returns an unexpected result aborts the run: actions in
 * flight finish, nothing new starts. The caller re-schedules after an aborted run.
 *
 * @example
 * ```ts
 * const run = runTransition(t, { execute: async (a) => (await dispatch(a)).expected });
 * const r = await run.done;
 * if (r.aborted) reschedule();
 * ```
 * @module
 */
import type { Transition, TransitionAction } from "../scheduler/mod.ts";
import type { ControllerClock } from "./types.ts";

/** Options of {@link runTransition}. */
export interface RunOptions {
  /**
   * Carry out one (non-pseudo) action. Resolve true when it completed with the expected
   * result, false when not (a failure, or an unexpected rc); a rejection counts as false.
   */
  execute(action: TransitionAction): Promise<boolean>;
  /** Extra time past the action's timeout before the runner gives up on it (default 20 000 ms). */
  readonly graceMs?: number;
  readonly clock?: ControllerClock;
  /** Treat an action as a pseudo-action (default: kind `pseudo`). */
  isPseudo?(action: TransitionAction): boolean;
  /** Called whenever an action starts or ends (for logs and tests). */
  onEvent?(event: RunEvent): void;
}

/** Progress of a run. */
export type RunEvent =
  | { readonly type: "start"; readonly action: TransitionAction }
  | { readonly type: "done"; readonly action: TransitionAction; readonly ok: boolean; readonly timedOut?: boolean }
  | { readonly type: "abort"; readonly reason: string };

/** How a run ended. */
export interface RunResult {
  /** Ids of the actions that completed as expected (pseudo-actions included). */
  readonly completed: readonly number[];
  /** Ids of the actions that failed, returned an unexpected result or timed out. */
  readonly failed: readonly number[];
  /** Ids of the actions that never ran (not runnable, blocked behind one, or cut off by an abort). */
  readonly notRun: readonly number[];
  readonly aborted: boolean;
  /** Why the run was aborted (the first reason). */
  readonly reason?: string;
}

/** A run in progress. */
export interface TransitionRun {
  /** Resolves when nothing is in flight and nothing more can start. */
  readonly done: Promise<RunResult>;
  /** Stop starting actions (in-flight ones finish). The first reason is kept. */
  abort(reason: string): void;
  /** True once aborted. */
  readonly aborted: boolean;
}

const realClock: ControllerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

type State = "waiting" | "running" | "ok" | "failed";

/** Start carrying out `transition` (see the module documentation). */
export function runTransition(transition: Transition, opts: RunOptions): TransitionRun {
  const clock = opts.clock ?? realClock;
  const grace = opts.graceMs ?? 20_000;
  const isPseudo = opts.isPseudo ?? ((a: TransitionAction) => a.kind === "pseudo");
  const actions = transition.actions;
  const ids = new Set(actions.map((a) => a.id));
  const state = new Map<number, State>(actions.map((a) => [a.id, "waiting"]));
  let running = 0;
  let aborted = false;
  let reason: string | undefined;
  let resolve!: (r: RunResult) => void;
  const done = new Promise<RunResult>((r) => (resolve = r));
  let finished = false;

  const emit = (e: RunEvent): void => {
    try {
      opts.onEvent?.(e);
    } catch {
      // a listener never affects the run
    }
  };

  const abort = (why: string): void => {
    if (aborted) return;
    aborted = true;
    reason = why;
    emit({ type: "abort", reason: why });
  };

  const ready = (a: TransitionAction): boolean =>
    a.runnable && state.get(a.id) === "waiting" && a.inputs.every((i) => !ids.has(i) || state.get(i) === "ok");

  const finish = (a: TransitionAction, ok: boolean, timedOut = false): void => {
    if (state.get(a.id) !== "running") return;
    state.set(a.id, ok ? "ok" : "failed");
    running--;
    emit({ type: "done", action: a, ok, ...(timedOut ? { timedOut } : {}) });
    if (!ok) abort(`${timedOut ? "Timed out" : "Failed"}: action ${a.id} ${a.key}${a.node ? ` on ${a.node}` : ""}`);
    pump();
  };

  const launch = (a: TransitionAction): void => {
    state.set(a.id, "running");
    running++;
    emit({ type: "start", action: a });
    const timer = clock.setTimeout(() => finish(a, false, true), Math.max(0, a.timeout) + grace);
    let p: Promise<boolean>;
    try {
      p = Promise.resolve(opts.execute(a));
    } catch {
      p = Promise.resolve(false);
    }
    p.then((ok) => ok === true, () => false).then((ok) => {
      clock.clearTimeout(timer);
      finish(a, ok);
    });
  };

  function pump(): void {
    if (finished) return;
    let progress = true;
    while (progress && !aborted) {
      progress = false;
      for (const a of actions) {
        if (aborted || !ready(a)) continue;
        if (isPseudo(a)) {
          state.set(a.id, "ok");
          emit({ type: "done", action: a, ok: true });
          progress = true;
          continue;
        }
        launch(a);
      }
    }
    if (running === 0) {
      finished = true;
      const pick = (s: State): number[] => actions.filter((a) => state.get(a.id) === s).map((a) => a.id);
      resolve({
        completed: pick("ok"),
        failed: pick("failed"),
        notRun: pick("waiting"),
        aborted,
        ...(reason !== undefined ? { reason } : {}),
      });
    }
  }

  queueMicrotask(pump);
  return {
    done,
    abort: (why: string) => {
      abort(why);
      if (running === 0) queueMicrotask(pump);
    },
    get aborted() {
      return aborted;
    },
  };
}
