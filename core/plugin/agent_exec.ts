/**
 * Small helpers the agent-running plugins (resource classes, fence and alert agents) share:
 * whether an agent file can run, the process options a {@link PluginContext} implies, the
 * results of runs that did not end by themselves, and an abortable pause.
 * @module
 */
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import type { RunProcessResult } from "./spawn.ts";
import type { OperationResult, PluginContext } from "./types.ts";

/** Whether a path is a regular file this process may execute. */
export type AgentFileAccess = "ok" | "missing" | "denied";

/** `missing` when `path` is not a regular file, `denied` when it is not executable, else `ok`. */
export async function agentFileAccess(path: string): Promise<AgentFileAccess> {
  try {
    if (!(await stat(path)).isFile()) return "missing";
  } catch {
    return "missing";
  }
  try {
    await access(path, constants.X_OK);
    return "ok";
  } catch {
    return "denied";
  }
}

/** The process options a plugin context implies: its abort signal, output cap and kill grace. */
export function contextRunOptions(
  ctx: PluginContext,
): { signal: AbortSignal; outputCapBytes?: number; killGraceMs?: number } {
  return {
    signal: ctx.signal,
    ...(ctx.outputCapBytes !== undefined ? { outputCapBytes: ctx.outputCapBytes } : {}),
    ...(ctx.killGraceMs !== undefined ? { killGraceMs: ctx.killGraceMs } : {}),
  };
}

/**
 * The exit code of an agent run that started (handle `spawnError` first), or the result of one
 * that did not exit by itself: timed out (rc 1, `timeout`), cancelled (rc 0, `cancelled`) or
 * killed by a signal (rc 1, `error`). The caller maps an exit code by its class's rules.
 */
export function agentExit(r: RunProcessResult, action: string, timeoutMs: number): number | OperationResult {
  const base = { stdout: r.stdout, stderr: r.stderr, durationMs: r.durationMs };
  if (r.timedOut) return { ...base, rc: 1, status: "timeout", reason: `timed out after ${timeoutMs}ms` };
  if (r.aborted) return { ...base, rc: 0, status: "cancelled", reason: "cancelled" };
  if (r.exitCode === null) {
    return { ...base, rc: 1, status: "error", reason: `${action} interrupted by ${r.signal ?? "a"} signal` };
  }
  return r.exitCode;
}

/** Wait `ms`, or less when `signal` aborts (at once when it already has); never rejects. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
