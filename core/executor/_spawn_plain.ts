/**
 * The plain backend of runProcess: `node:child_process` spawn with `detached: true` (own
 * session and process group), output read through pipes and capped. Used when the launcher is
 * unavailable, for agents that take stdin input, and as the fallback.
 * @module
 */
import { spawn } from "node:child_process";
import type { LaunchCallbacks } from "./_launcher.ts";

/** Keeps the first `cap` bytes of a stream; notes whether more came. */
export class CappedBuffer {
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

/** What the plain backend needs. */
export interface PlainRequest {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd?: string;
  readonly cap: number;
  readonly input?: string;
}

/** Spawn `req` directly; reports through `cb` exactly like the launcher does. */
export function spawnPlain(req: PlainRequest, cb: LaunchCallbacks): void {
  const out = new CappedBuffer(req.cap);
  const err = new CappedBuffer(req.cap);
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(req.command, [...req.args], {
      detached: true,
      env: req.env,
      stdio: [req.input !== undefined ? "pipe" : "ignore", "pipe", "pipe"],
      ...(req.cwd !== undefined ? { cwd: req.cwd } : {}),
    });
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    cb.onDone({ kind: "error", code: error.code ?? "ERROR", message: error.message });
    return;
  }
  if (child.pid !== undefined) cb.onPid(child.pid);

  child.stdout?.on("data", (c: Uint8Array) => out.push(c));
  child.stderr?.on("data", (c: Uint8Array) => err.push(c));
  if (child.stdin) {
    child.stdin.on("error", () => {});
    child.stdin.end(req.input);
  }

  let exited = false;
  let exitCode: number | null = null;
  let exitSignal: string | null = null;
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  let reported = false;
  function done(): void {
    if (reported) return;
    reported = true;
    if (drainTimer !== undefined) clearTimeout(drainTimer);
    child.stdout?.destroy();
    child.stderr?.destroy();
    cb.onDone({
      kind: "exit",
      exitCode,
      signal: exitSignal,
      stdout: out.text(),
      stderr: err.text(),
      truncated: out.truncated || err.truncated,
    });
  }
  child.on("close", () => {
    if (exited) done();
  });
  child.on("error", (e: NodeJS.ErrnoException) => {
    if (child.pid === undefined && !reported) {
      reported = true;
      cb.onDone({ kind: "error", code: e.code ?? "ERROR", message: e.message });
    }
  });
  child.on("exit", (code, sig) => {
    exitCode = code;
    exitSignal = sig;
    exited = true;
    // Output a background child still holds must not keep us waiting: give the pipes a
    // short moment to drain, as Pacemaker reads what is there when the child exits.
    drainTimer = setTimeout(done, 100);
  });
}
