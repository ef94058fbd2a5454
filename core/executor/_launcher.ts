/**
 * Client of the agent launcher (see _launcher_script.ts): one long-lived Perl fork server per
 * daemon, started on first use, that forks agents in their own session and reports pid, exit
 * status and capped output. Falls back (returns false from {@link launch}) when Perl is absent or
 * the launcher keeps dying, so callers can use a plain spawn instead.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import process from "node:process";
import { groupAlive, killGroup } from "./_group.ts";
import { LAUNCHER_SCRIPT } from "./_launcher_script.ts";
import { ByteQueue } from "../_byte_queue.ts";

/** What a backend reports when an agent ends (or never started). */
export type LaunchDone =
  | {
    readonly kind: "exit";
    readonly exitCode: number | null;
    readonly signal: string | null;
    readonly stdout: string;
    readonly stderr: string;
    readonly truncated: boolean;
  }
  | { readonly kind: "error"; readonly code: string; readonly message: string }
  /** The launcher died before starting the agent: start it some other way. */
  | { readonly kind: "fallback" };

/** Callbacks of one launch. */
export interface LaunchCallbacks {
  onPid(pid: number): void;
  onDone(done: LaunchDone): void;
}

/** One launch request. */
export interface LaunchRequest {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly cap: number;
}

interface Job {
  readonly command: string;
  readonly cb: LaunchCallbacks;
  pid?: number;
  drain?: ReturnType<typeof setTimeout>;
}

/** Most jobs in flight through the launcher (it select()s on 2 fds per job). */
const MAX_IN_FLIGHT = 256;
/** After this many launcher exits in a row without a result between them, stop using it. */
const MAX_FAILURES = 3;
/** How long output pipes held by an exited agent's descendants are waited for. */
const DRAIN_MS = 100;
const PERL_PATHS = ["/usr/bin/perl", "/bin/perl", "/usr/local/bin/perl"];

const SIGNAL_NAMES = new Map<number, string>(
  Object.entries(constants.signals).map(([name, num]) => [num as number, name]),
);
const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: false });

class Launcher {
  #child: ChildProcess | undefined;
  #jobs = new Map<number, Job>();
  #nextId = 1;
  #failures = 0;
  #in = new ByteQueue();
  #need: { id: number; code: number | null; signal: string | null; truncated: boolean; out: number; err: number } | undefined;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  readonly #perl: string | undefined;

  constructor() {
    this.#perl = PERL_PATHS.find((p) => existsSync(p));
  }

  /** Pid of the running launcher, if any. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Start `req` through the launcher; false when the launcher cannot be used (caller falls back). */
  launch(req: LaunchRequest, cb: LaunchCallbacks): boolean {
    if (this.#perl === undefined || this.#failures >= MAX_FAILURES || this.#jobs.size >= MAX_IN_FLIGHT) return false;
    const fields = [req.cwd ?? "", req.command, ...req.args];
    for (const f of fields) if (f.includes("\0")) return false;
    const env: string[] = [];
    for (const k in req.env) {
      const kv = `${k}=${req.env[k]}`;
      if (kv.includes("\0")) return false;
      env.push(kv);
    }
    // Leave the odd cases to the plain spawn, which reports them as Node does.
    if (req.cwd === "" || req.command === "") return false;
    const child = this.#ensure();
    if (child === undefined || child.stdin === null) return false;
    const id = this.#nextId++;
    // The launcher's own cwd is the daemon's at the time it started: pass the current one.
    let cwd: string;
    try {
      cwd = req.cwd ?? process.cwd();
    } catch {
      return false; // the daemon's cwd is gone: let the plain spawn report it
    }
    const payload = enc.encode([String(id), String(Math.max(0, Math.floor(req.cap))), cwd, req.command, String(req.args.length), ...req.args, ...env].join("\0"));
    const head = enc.encode(`L${payload.length}\n`);
    const msg = new Uint8Array(head.length + payload.length);
    msg.set(head);
    msg.set(payload, head.length);
    this.#jobs.set(id, { command: req.command, cb });
    if (this.#keepAlive === undefined) this.#keepAlive = setInterval(() => {}, 1 << 30);
    child.stdin.write(msg);
    return true;
  }

  #ensure(): ChildProcess | undefined {
    if (this.#child !== undefined) return this.#child;
    let child: ChildProcess;
    try {
      child = spawn(this.#perl!, ["-e", LAUNCHER_SCRIPT], { stdio: ["pipe", "pipe", "ignore"], env: {} });
    } catch {
      this.#failures = MAX_FAILURES;
      return undefined;
    }
    if (child.pid === undefined) {
      this.#failures++;
      child.on("error", () => {});
      return undefined;
    }
    this.#child = child;
    this.#in = new ByteQueue();
    this.#need = undefined;
    child.on("error", () => this.#lost(child));
    child.on("close", () => this.#lost(child));
    child.stdin!.on("error", () => {}); // a dead launcher is handled on "close", after its last replies
    child.stdout!.on("data", (c: Uint8Array) => this.#data(child, c));
    child.unref();
    unref(child.stdin);
    unref(child.stdout);
    return child;
  }

  #lost(child: ChildProcess): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    this.#failures++;
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    const jobs = [...this.#jobs.values()];
    this.#jobs.clear();
    this.#idle();
    for (const job of jobs) {
      if (job.drain !== undefined) clearTimeout(job.drain);
      if (job.pid === undefined) job.cb.onDone({ kind: "fallback" });
      else void killLost(job.pid, job.cb);
    }
  }

  #idle(): void {
    if (this.#jobs.size === 0 && this.#keepAlive !== undefined) {
      clearInterval(this.#keepAlive);
      this.#keepAlive = undefined;
    }
  }

  #data(child: ChildProcess, chunk: Uint8Array): void {
    if (this.#child !== child) return;
    this.#in.push(chunk);
    while (this.#child === child) {
      const need = this.#need;
      if (need !== undefined) {
        if (this.#in.length < need.out + need.err) return;
        this.#need = undefined;
        const stdout = dec.decode(this.#in.take(need.out));
        const stderr = dec.decode(this.#in.take(need.err));
        this.#end(need.id, { kind: "exit", exitCode: need.code, signal: need.signal, stdout, stderr, truncated: need.truncated });
        continue;
      }
      const nl = this.#in.indexOf();
      if (nl < 0) return;
      const line = dec.decode(this.#in.take(nl + 1)).slice(0, -1);
      this.#reply(line.split(" "));
    }
  }

  #reply(f: string[]): void {
    const id = Number(f[1]);
    const job = this.#jobs.get(id);
    switch (f[0]) {
      case "S":
        if (job === undefined) return;
        job.pid = Number(f[2]);
        job.cb.onPid(job.pid);
        return;
      case "E":
        this.#end(id, { kind: "error", code: f[2] ?? "ERROR", message: `spawn ${job?.command ?? ""} ${f[2] ?? "ERROR"}` });
        return;
      case "W":
        if (job === undefined) return;
        job.drain = setTimeout(() => this.#child?.stdin?.write(`C${id}\n`), DRAIN_MS);
        return;
      case "X": {
        const sig = Number(f[3]);
        const sizes = [f[5], f[6]].map(Number);
        if (!sizes.every((n) => Number.isSafeInteger(n) && n >= 0)) {
          if (this.#child !== undefined) this.#lost(this.#child);
          return;
        }
        this.#failures = 0; // it works: only launchers that keep dying without results are given up on
        this.#need = {
          id,
          code: f[2] === "-" ? null : Number(f[2]),
          signal: sig > 0 ? (SIGNAL_NAMES.get(sig) ?? `SIG${sig}`) : null,
          truncated: f[4] === "1",
          out: Number(f[5]),
          err: Number(f[6]),
        };
        return;
      }
      default:
        // A launcher that speaks nonsense cannot be trusted with more agents.
        if (this.#child !== undefined) this.#lost(this.#child);
    }
  }

  #end(id: number, done: LaunchDone): void {
    const job = this.#jobs.get(id);
    if (job === undefined) return;
    this.#jobs.delete(id);
    if (job.drain !== undefined) clearTimeout(job.drain);
    this.#idle();
    job.cb.onDone(done);
  }
}

/** The result is lost with the launcher: leave no agent behind and report it killed. */
async function killLost(pid: number, cb: LaunchCallbacks): Promise<void> {
  killGroup(pid, "SIGKILL");
  for (let i = 0; i < 40 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 5));
  cb.onDone({ kind: "exit", exitCode: null, signal: "SIGKILL", stdout: "", stderr: "", truncated: false });
}

function unref(stream: unknown): void {
  const s = stream as { unref?: () => void } | null;
  if (s !== null && typeof s.unref === "function") s.unref();
}

let shared: Launcher | undefined;

/**
 * Start an agent through the shared launcher. Returns false (and does nothing) when the launcher
 * is unavailable or disabled with ATRIUM_SPAWN=plain; the caller then spawns directly.
 */
export function launch(req: LaunchRequest, cb: LaunchCallbacks): boolean {
  if (process.env["ATRIUM_SPAWN"] === "plain") return false;
  shared ??= new Launcher();
  return shared.launch(req, cb);
}

/** Pid of the shared launcher while it runs (for tests and diagnostics). */
export function launcherPid(): number | undefined {
  return shared?.pid;
}
