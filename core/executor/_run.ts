/**
 * Run one operation through its resource class, enforcing the timeout and cancellation.
 * @module
 */
import type { ExecStatus, Logger, OperationRequest, ResourceClass } from "../plugin/types.ts";
import type { Clock } from "./types.ts";

/** The outcome of one run, before it becomes an OperationRecord. */
export interface RunOutcome {
  readonly rc: number;
  readonly status: ExecStatus;
  readonly reason?: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly execTimeMs: number;
}

/** A run in flight. */
export interface RunHandle {
  readonly done: Promise<RunOutcome>;
  /** Kill the agent and report the run as cancelled (rc 0, as Pacemaker does). */
  cancel(reason?: string): void;
}

/** Settings shared by every run. */
export interface RunSettings {
  readonly clock: Clock;
  readonly log: Logger;
  readonly runtime: "node" | "deno";
  readonly outputCapBytes: number;
  readonly killGraceMs: number;
}

/** Extra wait past timeout + kill grace before a plugin that ignores its signal is given up on. */
const BACKSTOP_MS = 2000;

function cap(text: string | undefined, bytes: number): string {
  if (text === undefined) return "";
  if (text.length <= bytes / 4) return text;
  const enc = new TextEncoder().encode(text);
  if (enc.length <= bytes) return text;
  return new TextDecoder().decode(enc.subarray(0, bytes));
}

/**
 * Start `op` on `cls`. The class gets a context whose signal aborts at the timeout or on
 * cancel; the result is `timeout` (rc 1, "timed out after Nms") when the timeout fired, even if
 * the plugin answered something else after being killed.
 */
export function startRun(cls: ResourceClass | undefined, op: OperationRequest, s: RunSettings): RunHandle {
  const controller = new AbortController();
  let why: "timeout" | "cancel" | undefined;
  let cancelReason: string | undefined;
  const t0 = s.clock.now();
  let resolveDone!: (o: RunOutcome) => void;
  const done = new Promise<RunOutcome>((r) => (resolveDone = r));
  let settled = false;
  const timers: unknown[] = [];

  function settle(o: Omit<RunOutcome, "execTimeMs">): void {
    if (settled) return;
    settled = true;
    for (const t of timers) s.clock.clearTimeout(t);
    resolveDone({ ...o, execTimeMs: Math.max(0, s.clock.now() - t0) });
  }

  function timedOut(stdout = "", stderr = ""): Omit<RunOutcome, "execTimeMs"> {
    return {
      rc: 1,
      status: "timeout",
      reason: `timed out after ${op.timeoutMs}ms`,
      stdout: cap(stdout, s.outputCapBytes),
      stderr: cap(stderr, s.outputCapBytes),
    };
  }

  function cancelled(stdout = "", stderr = ""): Omit<RunOutcome, "execTimeMs"> {
    return {
      rc: 0,
      status: "cancelled",
      ...(cancelReason !== undefined ? { reason: cancelReason } : {}),
      stdout: cap(stdout, s.outputCapBytes),
      stderr: cap(stderr, s.outputCapBytes),
    };
  }

  if (cls === undefined) {
    settle({
      rc: 5,
      status: "not_installed",
      reason: `Resource class "${op.agent.class}" is not available`,
      stdout: "",
      stderr: "",
    });
    return { done, cancel: () => {} };
  }

  timers.push(
    s.clock.setTimeout(() => {
      if (settled || why !== undefined) return;
      why = "timeout";
      controller.abort(new DOMException(`timed out after ${op.timeoutMs}ms`, "TimeoutError"));
      timers.push(s.clock.setTimeout(() => settle(timedOut()), s.killGraceMs + BACKSTOP_MS));
    }, op.timeoutMs),
  );

  const ctx = {
    log: s.log,
    signal: controller.signal,
    runtime: s.runtime,
    outputCapBytes: s.outputCapBytes,
    killGraceMs: s.killGraceMs,
  };
  let call: Promise<import("../plugin/types.ts").OperationResult>;
  try {
    call = Promise.resolve(cls.exec(op, ctx));
  } catch (e) {
    call = Promise.reject(e);
  }
  call.then(
    (r) => {
      if (why === "timeout" || r.status === "timeout") return settle(timedOut(r.stdout, r.stderr));
      if (why === "cancel") return settle(cancelled(r.stdout, r.stderr));
      const rc = Number.isInteger(r.rc) ? r.rc : 1;
      settle({
        rc,
        status: r.status,
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
        stdout: cap(r.stdout, s.outputCapBytes),
        stderr: cap(r.stderr, s.outputCapBytes),
      });
    },
    (e: unknown) => {
      if (why === "timeout") return settle(timedOut());
      if (why === "cancel") return settle(cancelled());
      const message = e instanceof Error ? e.message : String(e);
      s.log.error("Resource class threw instead of returning a result", { class: cls.name, error: message });
      settle({
        rc: 1,
        status: "error",
        reason: `Resource class "${cls.name}" failed: ${message}`,
        stdout: "",
        stderr: "",
      });
    },
  );

  return {
    done,
    cancel(reason?: string): void {
      if (settled || why !== undefined) return;
      why = "cancel";
      cancelReason = reason;
      controller.abort(new DOMException(reason ?? "cancelled", "AbortError"));
      timers.push(s.clock.setTimeout(() => settle(cancelled()), s.killGraceMs + BACKSTOP_MS));
    },
  };
}
