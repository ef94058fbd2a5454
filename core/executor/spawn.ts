/**
 * Run one agent process in its own process group, with a timeout that kills the WHOLE group
 * (SIGTERM, then SIGKILL after a grace), an abort signal, and capped output. Works on Node and
 * Deno.
 *
 * Agents are started by a long-lived launcher (a small Perl fork server, _launcher.ts) when Perl
 * is there: forking from it costs a fraction of `child_process.spawn` from the daemon (which
 * copies the daemon's page tables, synchronously in the event loop). The launcher puts each
 * agent in a new session (pgid = pid), so killing the group from here works the same. Agents
 * given stdin `input`, `ATRIUM_SPAWN=plain` in the environment, or a missing or failing
 * launcher use a plain `node:child_process` spawn with `detached: true` (_spawn_plain.ts).
 * Agents' CPU is then reaped by the launcher, not the daemon: see {@link launcherPid}.
 * @module
 */
import process from "node:process";
import { groupAlive, killGroup } from "./_group.ts";
import { launch, type LaunchCallbacks, type LaunchDone, launcherPid } from "./_launcher.ts";
import { spawnPlain } from "./_spawn_plain.ts";

export { groupAlive, killGroup, launcherPid };

/** Default cap per output stream: 10 MiB. */
export const DEFAULT_OUTPUT_CAP_BYTES = 10 * 1024 * 1024;
/** Default grace between SIGTERM and SIGKILL. */
export const DEFAULT_KILL_GRACE_MS = 1000;

/** Options of {@link runProcess}. */
export interface RunProcessOptions {
  readonly args?: readonly string[];
  /** Environment of the child. Merged over the parent's unless `inheritEnv` is false. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Start from the parent's environment (default true). */
  readonly inheritEnv?: boolean;
  readonly cwd?: string;
  /** Kill the process group after this many ms (default: no timeout). */
  readonly timeoutMs?: number;
  /** Kill the process group when aborted. */
  readonly signal?: AbortSignal;
  /** Bytes kept per stream; the rest is read and dropped (default 10 MiB). */
  readonly outputCapBytes?: number;
  /** SIGTERM -> SIGKILL grace in ms (default 1000). */
  readonly killGraceMs?: number;
  /** Text written to the child's stdin (stdin is closed after it; default: /dev/null). */
  readonly input?: string;
}

/** What {@link runProcess} reports. It never rejects. */
export interface RunProcessResult {
  /** Exit code, or null when killed by a signal or never started. */
  readonly exitCode: number | null;
  /** The signal that ended the process, e.g. "SIGKILL". */
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when any stream was longer than the cap. */
  readonly truncated: boolean;
  /** True when the timeout fired and the group was killed. */
  readonly timedOut: boolean;
  /** True when the abort signal fired and the group was killed. */
  readonly aborted: boolean;
  /** Set when the program could not be started (code like "ENOENT", "EACCES"). */
  readonly spawnError?: { readonly code: string; readonly message: string };
  readonly durationMs: number;
  readonly pid?: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Run `command` (a path or a name looked up on PATH) in its own process group.
 *
 * On timeout or abort the whole group gets SIGTERM, then SIGKILL after `killGraceMs` if any
 * member is left; the result is reported once the group is gone (or SIGKILL was sent).
 * After a normal exit the group is left alone (agents legitimately leave daemons behind).
 *
 * @example
 * ```ts
 * const r = await runProcess("/bin/sh", { args: ["-c", "echo hi"], timeoutMs: 5000 });
 * // r.exitCode === 0, r.stdout === "hi\n"
 * ```
 */
export function runProcess(command: string, options: RunProcessOptions = {}): Promise<RunProcessResult> {
  const started = performance.now();
  const cap = options.outputCapBytes ?? DEFAULT_OUTPUT_CAP_BYTES;
  const grace = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const env: Record<string, string> = {};
  if (options.inheritEnv !== false) {
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  }
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const args = options.args ?? [];

  return new Promise<RunProcessResult>((resolve) => {
    let timedOut = false;
    let aborted = false;
    let settled = false;
    let killing: Promise<void> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let pid: number | undefined;
    let pidKnown!: (pid: number | undefined) => void;
    const pidReady = new Promise<number | undefined>((r) => (pidKnown = r));

    function finish(d: LaunchDone): void {
      if (settled) return;
      settled = true;
      pidKnown(undefined);
      if (timer !== undefined) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      const exit = d.kind === "exit" ? d : undefined;
      const result: RunProcessResult = {
        exitCode: exit?.exitCode ?? null,
        signal: exit?.signal ?? null,
        stdout: exit?.stdout ?? "",
        stderr: exit?.stderr ?? "",
        truncated: exit?.truncated ?? false,
        timedOut,
        aborted,
        durationMs: Math.round(performance.now() - started),
        ...(d.kind === "error" ? { spawnError: { code: d.code, message: d.message } } : {}),
        ...(pid !== undefined ? { pid } : {}),
      };
      resolve(result);
    }

    async function killTree(): Promise<void> {
      const p = await pidReady;
      if (p === undefined || settled) return;
      killGroup(p, "SIGTERM");
      const deadline = performance.now() + grace;
      while (performance.now() < deadline) {
        await sleep(Math.min(25, grace));
        if (!groupAlive(p)) return;
      }
      killGroup(p, "SIGKILL");
      // Give the kernel a moment to finish the kill so callers see the group gone.
      for (let i = 0; i < 40 && groupAlive(p); i++) await sleep(5);
    }

    function startKill(): void {
      if (killing === undefined) killing = killTree();
    }

    function onAbort(): void {
      if (settled) return;
      aborted = true;
      startKill();
    }

    const cb: LaunchCallbacks = {
      onPid(p: number): void {
        pid = p;
        pidKnown(p);
      },
      onDone(d: LaunchDone): void {
        if (d.kind === "fallback") {
          spawnPlain({ command, args, env, cap, ...(options.cwd !== undefined ? { cwd: options.cwd } : {}) }, cb);
          return;
        }
        if (d.kind !== "exit") pidKnown(undefined);
        if (killing !== undefined) void killing.then(() => finish(d));
        else finish(d);
      },
    };

    if (options.timeoutMs !== undefined && Number.isFinite(options.timeoutMs)) {
      timer = setTimeout(() => {
        if (settled) return;
        timedOut = true;
        startKill();
      }, Math.max(0, options.timeoutMs));
    }
    if (options.signal !== undefined) {
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener("abort", onAbort, { once: true });
    }

    const req = { command, args, env, cap, ...(options.cwd !== undefined ? { cwd: options.cwd } : {}) };
    if (options.input !== undefined || !launch(req, cb)) {
      spawnPlain({ ...req, ...(options.input !== undefined ? { input: options.input } : {}) }, cb);
    }
  });
}
