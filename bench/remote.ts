/**
 * bench:remote — atrium's RemoteClient against atrium-remoted and against the real
 * pacemaker-remoted 2.1.5, side by side: TCP+TLS-PSK+sign-on handshakes per second, and
 * monitor operations per second over ONE connection with a no-op OCF agent (a shell script
 * that exits 0). Also the daemon's CPU per operation (from /proc).
 *
 * Run: `npm run bench:remote -- [--duration 5] [--key-bytes 4096] [--window 32] [--resources 8] [--json]`
 * (needs root for the real daemon and to install the no-op agent under /usr/lib/ocf, removed after).
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { type ExecResult, RemoteClient, type RemoteExecutorBackend, RemoteServer } from "../core/remote/mod.ts";

const { values: opt } = parseArgs({
  options: {
    duration: { type: "string", default: "5" },
    "key-bytes": { type: "string", default: "4096" },
    window: { type: "string", default: "32" },
    resources: { type: "string", default: "8" },
    handshakes: { type: "string", default: "200" },
    json: { type: "boolean", default: false },
  },
});
const DURATION_MS = Number(opt.duration) * 1000;
const KEY_BYTES = Number(opt["key-bytes"]);
const WINDOW = Number(opt.window);
const RESOURCES = Number(opt.resources);
const HANDSHAKES = Number(opt.handshakes);
const REMOTED_BUNDLE = process.env["ATRIUM_REMOTED_BUNDLE"] ?? "";
const SCRIPT = process.env["ATRIUM_REAL_REMOTED_SCRIPT"] ?? "/work/shared/reference/run-real-remoted.sh";
const AGENT_DIR = "/usr/lib/ocf/resource.d/atrium-bench";
const AGENT = join(AGENT_DIR, "noop");

interface Target {
  name: string;
  port: number;
  key: Uint8Array;
  pid: number;
  stop(): Promise<void>;
}

interface Result {
  target: string;
  handshakesPerSec: number;
  signOnMedianMs: number;
  signOnP95Ms: number;
  monitorOpsPerSec: number;
  daemonCpuMsPerOp: number;
  tls: string;
  note?: string;
}

function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]); // utime stime cutime cstime
    return (ticks * 1000) / 100;
  } catch {
    return NaN;
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function startAtrium(port: number, key: Uint8Array, dir: string): Promise<Target> {
  const keyFile = join(dir, "authkey-atrium");
  writeFileSync(keyFile, key, { mode: 0o600 });
  const child = spawn(process.execPath, [REMOTED_BUNDLE, "--address", "127.0.0.1", "--port", String(port)], {
    env: { ...process.env, PCMK_authkey_location: keyFile },
    stdio: ["ignore", "ignore", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    let text = "";
    const t = setTimeout(() => reject(new Error(`atrium-remoted did not start: ${text}`)), 10_000);
    child.stderr!.on("data", (b: Buffer) => {
      text += b.toString();
      if (text.includes("Listening on")) (clearTimeout(t), resolve());
    });
  });
  return {
    name: "atrium-remoted",
    port,
    key,
    pid: child.pid!,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

function startReal(port: number, key: Uint8Array, dir: string): Target {
  const keyFile = join(dir, "authkey-real");
  writeFileSync(keyFile, key, { mode: 0o600 });
  const out = execFileSync("bash", [SCRIPT, "start", "127.0.0.1", String(port), keyFile], { encoding: "utf8", timeout: 30_000 });
  const pid = Number(/PID=(\d+)/.exec(out)![1]);
  return {
    name: "pacemaker-remoted 2.1.5",
    port,
    key,
    pid,
    stop() {
      execFileSync("bash", [SCRIPT, "stop", String(pid)], { stdio: "ignore", timeout: 20_000 });
      return Promise.resolve();
    },
  };
}

async function handshakes(t: Target): Promise<{ rate: number; median: number; p95: number; tls: string }> {
  const times: number[] = [];
  let tls = "";
  // Warm-up (JIT, DH parameters).
  for (let i = 0; i < 5; i++) {
    const c = new RemoteClient({ host: "127.0.0.1", port: t.port, key: t.key, clientName: "bench" });
    await c.connect();
    c.close();
  }
  const t0 = performance.now();
  for (let i = 0; i < HANDSHAKES && performance.now() - t0 < DURATION_MS; i++) {
    const c = new RemoteClient({ host: "127.0.0.1", port: t.port, key: t.key, clientName: "bench" });
    const s = await c.connect();
    times.push(s.signOnMs);
    tls = `${s.tls.version} ${s.tls.cipher}`;
    await new Promise<void>((r) => {
      c.once("close", () => r());
      c.close();
    });
  }
  const total = performance.now() - t0;
  return { rate: (times.length * 1000) / total, median: pct(times, 50), p95: pct(times, 95), tls };
}

async function monitors(t: Target): Promise<{ rate: number; cpuPerOp: number }> {
  const c = new RemoteClient({ host: "127.0.0.1", port: t.port, key: t.key, clientName: "bench", requestTimeoutMs: 30_000 });
  await c.connect();
  const ids = Array.from({ length: RESOURCES }, (_, i) => `bench-noop-${i}`);
  for (const id of ids) await c.registerResource({ id, standard: "ocf", provider: "atrium-bench", type: "noop" });
  let done = 0, started = 0, counting = false;
  let stop = false;
  const finished = new Promise<void>((resolve) => {
    let inflight = 0;
    const launch = () => {
      if (stop) {
        if (inflight === 0) resolve();
        return;
      }
      const id = ids[started++ % ids.length]!;
      inflight++;
      c.exec({ rscId: id, action: "monitor", intervalMs: 0, timeoutMs: 20_000, startDelayMs: 0, params: { CRM_meta_timeout: "20000" } })
        .catch(() => {
          inflight--;
          launch();
        });
    };
    c.on("result", (_r: ExecResult) => {
      inflight--;
      if (counting) done++;
      launch();
    });
    for (let i = 0; i < WINDOW; i++) launch();
  });
  await new Promise((r) => setTimeout(r, 1000)); // warm-up
  counting = true;
  const cpu0 = cpuMs(t.pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, DURATION_MS));
  const n = done;
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuMs(t.pid) - cpu0;
  stop = true;
  await Promise.race([finished, new Promise((r) => setTimeout(r, 30_000))]);
  for (const id of ids) await c.unregisterResource(id).catch(() => {});
  c.close();
  return { rate: n / secs, cpuPerOp: cpu / Math.max(1, n) };
}

async function measure(t: Target): Promise<Result> {
  const h = await handshakes(t);
  const m = await monitors(t);
  return {
    target: t.name,
    handshakesPerSec: h.rate,
    signOnMedianMs: h.median,
    signOnP95Ms: h.p95,
    monitorOpsPerSec: m.rate,
    daemonCpuMsPerOp: m.cpuPerOp,
    tls: h.tls,
  };
}

/** The protocol's own ceiling: an in-process atrium server whose backend answers at once. */
async function protocolCeiling(key: Uint8Array): Promise<number> {
  const backend: RemoteExecutorBackend = {
    exec(_op, on) {
      setImmediate(() => on({ rc: 0, status: 0, startedAt: Date.now(), execMs: 0, queueMs: 0, final: true }));
    },
    cancel: () => false,
    alert: () => {},
  };
  const srv = new RemoteServer({ backend, key: () => key });
  const { port } = await srv.listen({ host: "127.0.0.1", port: 0 });
  try {
    return (await monitors({ name: "in-process", port, key, pid: process.pid, stop: () => Promise.resolve() })).rate;
  } finally {
    await srv.close();
  }
}

async function main(): Promise<void> {
  if (!REMOTED_BUNDLE) throw new Error("Run through bench/remote_run.mjs (npm run bench:remote)");
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) throw new Error("bench:remote needs root (installs a no-op agent under /usr/lib/ocf; runs the real daemon)");
  const dir = mkdtempSync(join(tmpdir(), "atrium-bench-remote-"));
  const createdAgent = !existsSync(AGENT);
  mkdirSync(AGENT_DIR, { recursive: true });
  writeFileSync(AGENT, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  const key = new Uint8Array(KEY_BYTES);
  for (let i = 0; i < key.length; i += 65536) crypto.getRandomValues(key.subarray(i, Math.min(key.length, i + 65536)));
  const results: Result[] = [];
  const base = 5100 + (process.pid % 400);
  try {
    const a = await startAtrium(base, key, dir);
    try {
      results.push(await measure(a));
    } finally {
      await a.stop();
    }
    if (existsSync(SCRIPT)) {
      const r = startReal(base + 1, key, dir);
      try {
        results.push(await measure(r));
      } finally {
        await r.stop();
      }
    } else {
      results.push({ target: "pacemaker-remoted 2.1.5", handshakesPerSec: NaN, signOnMedianMs: NaN, signOnP95Ms: NaN, monitorOpsPerSec: NaN, daemonCpuMsPerOp: NaN, tls: "", note: `${SCRIPT} is absent` });
    }
  } finally {
    if (createdAgent) rmSync(AGENT_DIR, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
  const ceiling = await protocolCeiling(key);
  const [ours, real] = results as [Result, Result];
  const ratio = {
    handshakes: ours.handshakesPerSec / real.handshakesPerSec,
    monitorOps: ours.monitorOpsPerSec / real.monitorOpsPerSec,
  };
  if (opt.json) {
    console.log(JSON.stringify({ keyBytes: KEY_BYTES, durationS: DURATION_MS / 1000, window: WINDOW, resources: RESOURCES, results, ratio, protocolCeilingOpsPerSec: ceiling }, null, 2));
    return;
  }
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
  console.log(`bench:remote — ${KEY_BYTES}-byte key, ${DURATION_MS / 1000} s per measure, window ${WINDOW}, ${RESOURCES} resources, no-op OCF agent`);
  console.log(`${"".padEnd(34)}${"atrium-remoted".padStart(18)}${"pacemaker-remoted".padStart(20)}${"ratio".padStart(9)}`);
  const row = (label: string, a: number, b: number, d = 1) =>
    console.log(`${label.padEnd(34)}${f(a, d).padStart(18)}${f(b, d).padStart(20)}${f(a / b, 2).padStart(9)}`);
  row("handshakes + sign-on per second", ours.handshakesPerSec, real.handshakesPerSec);
  row("sign-on median (ms)", ours.signOnMedianMs, real.signOnMedianMs, 2);
  row("sign-on p95 (ms)", ours.signOnP95Ms, real.signOnP95Ms, 2);
  row("monitor ops per second (1 conn)", ours.monitorOpsPerSec, real.monitorOpsPerSec);
  row("daemon CPU per op (ms)", ours.daemonCpuMsPerOp, real.daemonCpuMsPerOp, 2);
  console.log(`protocol ceiling (client + server in one process, backend answering at once, TLS on): ${f(ceiling)} ops/s`);
  console.log(`TLS: atrium-remoted ${ours.tls}; pacemaker-remoted ${real.tls || real.note || ""}`);
}

await main();
