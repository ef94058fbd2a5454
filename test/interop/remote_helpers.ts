/**
 * Helpers of the remote interop suites: start/stop the REAL pacemaker-remoted through
 * ../shared/reference/run-real-remoted.sh, build and start atrium-remoted, and the
 * controller's operation sequence both suites run.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { build } from "esbuild";
import { expect } from "vitest";
import type { ExecResult, RemoteClient } from "../../core/remote/mod.ts";

export const SCRIPT = join(import.meta.dirname ?? ".", "../../../shared/reference/run-real-remoted.sh");
const BIN = "/opt/pcmk-remote/usr/sbin/pacemaker-remoted";

/** Why the real daemon cannot be used here, or undefined when it can. */
export function realRemotedUnavailable(): string | undefined {
  if (!existsSync(SCRIPT)) return `${SCRIPT} is absent`;
  if (process.getuid?.() !== 0) return "not running as root";
  if (!existsSync(BIN)) {
    try {
      execFileSync("bash", [SCRIPT, "setup"], { stdio: "ignore", timeout: 120_000 });
    } catch {
      return `${BIN} is absent and "run-real-remoted.sh setup" failed`;
    }
  }
  return undefined;
}

export interface RealRemoted {
  pid: number;
  port: number;
  key: Uint8Array;
  keyFile: string;
  log: string;
  stop(): void;
}

/** Start the real daemon on 127.0.0.1:port. */
export function startRealRemoted(port: number, env: Record<string, string> = {}): RealRemoted {
  const out = execFileSync("bash", [SCRIPT, "start", "127.0.0.1", String(port)], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 30_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const kv = Object.fromEntries(out.trim().split("\n").map((l) => l.split("=", 2) as [string, string]));
  const pid = Number(kv.PID);
  return {
    pid,
    port,
    key: new Uint8Array(readFileSync(kv.KEYFILE!)),
    keyFile: kv.KEYFILE!,
    log: kv.LOG!,
    stop() {
      try {
        execFileSync("bash", [SCRIPT, "stop", String(pid)], { stdio: "ignore", timeout: 20_000 });
      } catch { /* already gone */ }
    },
  };
}

/** The controller's sequence; as pacemaker-controld drives it on ocf:pacemaker:Dummy. */
export async function controllerSequence(c: RemoteClient, rscId: string, stateDir: string): Promise<void> {
  const params = { state: join(stateDir, `${rscId}.state`), CRM_meta_timeout: "20000" };
  const base = { rscId, intervalMs: 0, timeoutMs: 20000, startDelayMs: 0, params };
  await c.registerResource({ id: rscId, standard: "ocf", provider: "pacemaker", type: "Dummy" });
  expect(await c.resourceInfo(rscId)).toEqual({ id: rscId, standard: "ocf", provider: "pacemaker", type: "Dummy" });
  expect((await c.run({ ...base, action: "monitor" })).rc).toBe(7); // probe: not running
  expect(await c.run({ ...base, action: "start", userdata: "u-start" })).toMatchObject({ rc: 0, opStatus: 0, userdata: "u-start" });
  const results: ExecResult[] = [];
  const two = new Promise<void>((resolve) => {
    c.on("result", (r: ExecResult) => {
      if (r.action === "monitor" && r.intervalMs === 300 && r.opStatus === 0 && results.push(r) === 2) resolve();
    });
  });
  const mon = await c.exec({ ...base, action: "monitor", intervalMs: 300, params: { ...params, CRM_meta_interval: "300" } });
  await two;
  expect(results.every((r) => r.callId === mon && r.rc === 0)).toBe(true);
  expect(await c.getRecurring(rscId)).toEqual([{ rscId, action: "monitor", intervalMs: 300, timeoutMs: 20000 }]);
  const cancelled = new Promise<ExecResult>((resolve) => c.on("result", (r: ExecResult) => r.callId === mon && r.opStatus === 1 && resolve(r)));
  expect(await c.cancel(rscId, "monitor", 300)).toBe(true);
  expect((await cancelled).opStatus).toBe(1);
  expect(await c.cancel(rscId, "monitor", 300)).toBe(false);
  expect((await c.run({ ...base, action: "stop" })).rc).toBe(0);
  expect(await c.poke()).toBeGreaterThan(0);
  expect(await c.unregisterResource(rscId)).toBe("done");
  expect(await c.resourceInfo(rscId)).toBeUndefined();
}


const ROOT = join(import.meta.dirname ?? ".", "../..");

const tempDirs: string[] = [];
process.on("exit", () => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

/** Bundle agents/NAME/main.ts into a temporary .mjs (no shared dist/ race); returns its path. */
export async function buildAgent(name: "atrium-remoted" | "atrium"): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `atrium-build-${name}-`));
  tempDirs.push(dir);
  const outfile = join(dir, `${name}.mjs`);
  await build({
    entryPoints: [join(ROOT, "agents", name, "main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    logLevel: "silent",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return outfile;
}

/** A running atrium-remoted child process. */
export interface AtriumRemoted {
  child: ChildProcess;
  port: number;
  key: Uint8Array;
  keyFile: string;
  /** Everything it logged so far. */
  log(): string;
  /** Resolves when the log matches `re` (rejects after `ms`). */
  waitLog(re: RegExp, ms?: number): Promise<void>;
  /** Resolves the exit code. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Start atrium-remoted (from `bundle`) on 127.0.0.1:port with a fresh key of `keyBytes`. */
export async function startAtriumRemoted(bundle: string, port: number, o: { keyBytes?: number; args?: string[]; env?: Record<string, string> } = {}): Promise<AtriumRemoted> {
  const dir = mkdtempSync(join(tmpdir(), "atrium-remoted-"));
  tempDirs.push(dir);
  const keyFile = join(dir, "authkey");
  const key = new Uint8Array(o.keyBytes ?? 4096);
  crypto.getRandomValues(key.subarray(0, Math.min(key.length, 65536)));
  writeFileSync(keyFile, key, { mode: 0o600 });
  const child = spawn(process.execPath, [bundle, "--address", "127.0.0.1", "--port", String(port), ...(o.args ?? [])], {
    env: { ...process.env, PCMK_authkey_location: keyFile, ...(o.env ?? {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const waiters: { re: RegExp; ok: () => void }[] = [];
  const onData = (b: Buffer) => {
    text += b.toString();
    for (const w of [...waiters]) if (w.re.test(text)) (waiters.splice(waiters.indexOf(w), 1), w.ok());
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const waitLog = (re: RegExp, ms = 10_000) =>
    new Promise<void>((resolve, reject) => {
      if (re.test(text)) return resolve();
      const t = setTimeout(() => reject(new Error(`atrium-remoted did not log ${re} within ${ms} ms; log:\n${text}`)), ms);
      waiters.push({ re, ok: () => (clearTimeout(t), resolve()) });
    });
  await waitLog(/Listening on/);
  return {
    child, port, key, keyFile, exited, waitLog,
    log: () => text,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}
