/**
 * Run one agent process in its own process group, with a timeout that kills the WHOLE group
 * (SIGTERM, then SIGKILL after a grace), an abort signal, and capped output. Works on Node and
 * Deno (`node:child_process` with `detached: true`, `process.kill(-pgid)`).
 * @module
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";

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

class CappedBuffer {
  readonly #chunks: Uint8Array[] = [];
  #size = 0;
  truncated = false;
  constructor(readonly cap: number) {}
  push(chunk: Uint8Array): void {
    const room = this.cap - this.#size;
    if (room <= 0) {
      if (chunk.length > 0) this.truncated = true;
      return;
    }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (part.length < chunk.length) this.truncated = true;
    this.#chunks.push(Uint8Array.from(part));
    this.#size += part.length;
  }
  text(): string {
    const all = new Uint8Array(this.#size);
    let off = 0;
    for (const c of this.#chunks) {
      all.set(c, off);
      off += c.length;
    }
    return new TextDecoder("utf-8", { fatal: false }).decode(all);
  }
}

/** Send `sig` to process group `pgid`; false when the group no longer exists. */
export function killGroup(pgid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * True while process group `pgid` has a live member. Zombies do not count (a slow init may
 * leave killed orphans unreaped for a while); read from /proc where it exists.
 */
export function groupAlive(pgid: number): boolean {
  if (!killGroup(pgid, 0)) return false;
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return true; // no /proc: trust kill(0)
  }
  for (const e of entries) {
    if (e.charCodeAt(0) < 48 || e.charCodeAt(0) > 57) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "latin1");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (f[2] === String(pgid) && f[0] !== "Z" && f[0] !== "X") return true;
    } catch {
      // exited meanwhile
    }
  }
  return false;
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
  const out = new CappedBuffer(cap);
  const err = new CappedBuffer(cap);

  return new Promise<RunProcessResult>((resolve) => {
    let timedOut = false;
    let aborted = false;
    let settled = false;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let killing: Promise<void> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let pid: number | undefined;

    function finish(spawnError?: { code: string; message: string }): void {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      const result: RunProcessResult = {
        exitCode,
        signal: exitSignal,
        stdout: out.text(),
        stderr: err.text(),
        truncated: out.truncated || err.truncated,
        timedOut,
        aborted,
        durationMs: Math.round(performance.now() - started),
        ...(spawnError !== undefined ? { spawnError } : {}),
        ...(pid !== undefined ? { pid } : {}),
      };
      resolve(result);
    }

    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, [...(options.args ?? [])], {
        detached: true,
        env,
        stdio: [options.input !== undefined ? "pipe" : "ignore", "pipe", "pipe"],
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      });
    } catch (e) {
      const error = e as NodeJS.ErrnoException;
      finish({ code: error.code ?? "ERROR", message: error.message });
      return;
    }
    pid = child.pid;

    async function killTree(): Promise<void> {
      if (pid === undefined) return;
      killGroup(pid, "SIGTERM");
      const deadline = performance.now() + grace;
      while (performance.now() < deadline) {
        await sleep(Math.min(25, grace));
        if (!groupAlive(pid)) return;
      }
      killGroup(pid, "SIGKILL");
      // Give the kernel a moment to finish the kill so callers see the group gone.
      for (let i = 0; i < 40 && groupAlive(pid); i++) await sleep(5);
    }

    function startKill(): void {
      if (killing === undefined) killing = killTree();
    }

    function onAbort(): void {
      if (settled) return;
      aborted = true;
      startKill();
    }

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

    child.stdout?.on("data", (c: Uint8Array) => out.push(c));
    child.stderr?.on("data", (c: Uint8Array) => err.push(c));
    if (child.stdin) {
      child.stdin.on("error", () => {});
      child.stdin.end(options.input);
    }

    let exited = false;
    let drainTimer: ReturnType<typeof setTimeout> | undefined;
    let doneCalled = false;
    function done(): void {
      if (doneCalled) return;
      doneCalled = true;
      if (drainTimer !== undefined) clearTimeout(drainTimer);
      child.stdout?.destroy();
      child.stderr?.destroy();
      if (killing !== undefined) void killing.then(() => finish());
      else finish();
    }
    child.on("close", () => {
      if (exited) done();
    });
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (child.pid === undefined) finish({ code: e.code ?? "ERROR", message: e.message });
    });
    child.on("exit", (code, sig) => {
      exitCode = code;
      exitSignal = sig;
      exited = true;
      // Output a background child still holds must not keep us waiting: give the pipes a
      // short moment to drain, as Pacemaker reads what is there when the child exits.
      drainTimer = setTimeout(done, 100);
    });
  });
}
