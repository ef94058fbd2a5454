/**
 * Executor benchmark (`npm run bench:executor -- [options]`), two parts:
 *
 * 1. throughput: one-shot monitors of ocf:pacemaker:Dummy, operations per second.
 * 2. steady load: N resources with recurring monitors every I ms held for D s, reporting the
 *    executor's own CPU (process.cpuUsage), the agents' CPU (reaped children, /proc/self/stat)
 *    and drift from schedule (expected vs actual run count, lateness of each run).
 *
 * Options: --ops 200 --concurrency 8 --resources 100 --interval 1000 --duration 60
 *          --agent ocf:pacemaker:Dummy --stagger yes|no --part all|throughput|steady
 *          --remote [PORT] also run the steady load on the real pacemaker-remoted (executor_remote.ts)
 *          --netns (runner option) run everything in a network namespace of its own
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { Executor, type OperationRecord } from "../core/executor/mod.ts";
import { createOcfClass } from "../plugins/ocf/mod.ts";
import { arrivalDrift, steadyRemote } from "./executor_remote.ts";

interface Options {
  ops: number;
  concurrency: number;
  resources: number;
  interval: number;
  duration: number;
  agent: { class: string; provider: string; type: string };
  stagger: boolean;
  part: string;
  remote?: string;
}

function parseOptions(argv: string[]): Options {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) throw new TypeError(`Cannot parse bench argument "${a}": expected --name value`);
    const eq = a.indexOf("=");
    if (eq > 0) raw[a.slice(2, eq)] = a.slice(eq + 1);
    else if (argv[i + 1] === undefined || argv[i + 1]!.startsWith("--")) raw[a.slice(2)] = "";
    else raw[a.slice(2)] = argv[++i]!;
  }
  const num = (k: string, d: number): number => {
    if (raw[k] === undefined) return d;
    const v = Number(raw[k]);
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`Cannot use --${k} "${raw[k]}": expected a positive number`);
    return v;
  };
  const [cls, provider, type] = (raw["agent"] ?? "ocf:pacemaker:Dummy").split(":");
  if (cls !== "ocf" || !provider || !type) throw new TypeError(`Cannot use --agent "${raw["agent"]}": expected ocf:PROVIDER:TYPE`);
  return {
    ops: num("ops", 200),
    concurrency: num("concurrency", 8),
    resources: num("resources", 100),
    interval: num("interval", 1000),
    duration: num("duration", 60),
    agent: { class: cls, provider, type },
    stagger: (raw["stagger"] ?? "yes") !== "no",
    part: raw["part"] ?? "all",
    ...(raw["remote"] !== undefined ? { remote: /^\d+$/.test(raw["remote"]) ? raw["remote"] : "" } : {}),
  };
}

/** CPU time of reaped children (cutime + cstime) in ms, from /proc/self/stat; NaN elsewhere. */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[13]) + Number(f[14])) * 10; // fields 16, 17; CLK_TCK is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function throughput(o: Options, state: string): Promise<void> {
  const ocf = createOcfClass();
  const ex = new Executor({ resolveClass: () => ocf, maxConcurrent: o.concurrency });
  const n = Math.max(o.concurrency, 1);
  for (let i = 0; i < n; i++) ex.register({ id: `tp-${i}`, agent: o.agent, params: { state: `${state}/tp-${i}.state` } });
  await Promise.all(Array.from({ length: n }, (_, i) => ex.run({ resource: `tp-${i}`, action: "start", timeoutMs: 20_000 })));
  const cpu0 = process.cpuUsage();
  const kids0 = childrenCpuMs();
  const t0 = performance.now();
  const runs: Promise<OperationRecord>[] = [];
  for (let i = 0; i < o.ops; i++) runs.push(ex.run({ resource: `tp-${i % n}`, action: "monitor", timeoutMs: 20_000 }));
  const done = await Promise.all(runs);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const failed = done.filter((r) => r.rc !== 0 || r.status !== "done").length;
  const exec = done.map((r) => r.execTimeMs).sort((a, b) => a - b);
  console.log(`throughput: ${o.ops} monitors of ${o.agent.class}:${o.agent.provider}:${o.agent.type}, concurrency ${o.concurrency}`);
  console.log(`  ${(o.ops / (wall / 1000)).toFixed(1)} ops/s, wall ${wall.toFixed(0)} ms, failed ${failed}`);
  console.log(`  agent run time p50 ${pct(exec, 50)} ms, p99 ${pct(exec, 99)} ms`);
  console.log(`  executor CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms (${((cpu.user + cpu.system) / 1000 / o.ops).toFixed(2)} ms/op), agents CPU ${(childrenCpuMs() - kids0).toFixed(0)} ms`);
  await Promise.all(Array.from({ length: n }, (_, i) => ex.run({ resource: `tp-${i}`, action: "stop", timeoutMs: 20_000 })));
  await ex.close();
}

async function steady(o: Options, state: string): Promise<void> {
  const ocf = createOcfClass();
  const ex = new Executor({ resolveClass: () => ocf, maxConcurrent: Math.max(64, o.concurrency) });
  const ids = Array.from({ length: o.resources }, (_, i) => `st-${i}`);
  for (const id of ids) ex.register({ id, agent: o.agent, params: { state: `${state}/${id}.state` } });
  await Promise.all(ids.map((id) => ex.run({ resource: id, action: "start", timeoutMs: 20_000 })));
  const records: OperationRecord[] = [];
  const arrivals = new Map<string, number[]>();
  let stopAt = Number.POSITIVE_INFINITY;
  ex.on("result", (r) => {
    if (r.intervalMs === 0 || r.status === "cancelled") return;
    records.push(r);
    if (Date.now() >= stopAt) return;
    const list = arrivals.get(r.resource) ?? [];
    list.push(Date.now());
    arrivals.set(r.resource, list);
  });
  const durationMs = o.duration * 1000;
  const cpu0 = process.cpuUsage();
  const kids0 = childrenCpuMs();
  const t0 = Date.now();
  stopAt = t0 + durationMs;
  const delays = ids.map((_, i) => (o.stagger ? Math.floor((i * o.interval) / ids.length) : 0));
  ids.forEach((id, i) => ex.exec({ resource: id, action: "monitor", intervalMs: o.interval, timeoutMs: 20_000, startDelayMs: delays[i]! }));
  await new Promise((r) => setTimeout(r, durationMs));
  const cpu = process.cpuUsage(cpu0);
  const kids = childrenCpuMs() - kids0;
  // Let runs scheduled inside the window finish before cancelling (cancel kills in-flight runs).
  await new Promise((r) => setTimeout(r, 500));
  for (const id of ids) ex.cancel(id, "monitor", o.interval);
  const window = records.filter((r) => r.scheduledAt < t0 + durationMs);
  const expected = ids.reduce((n, _, i) => n + Math.max(0, Math.floor((durationMs - 1 - delays[i]!) / o.interval) + 1), 0);
  const late = window.map((r) => r.runAt - r.scheduledAt).sort((a, b) => a - b);
  const mean = late.reduce((a, b) => a + b, 0) / Math.max(1, late.length);
  const failed = window.filter((r) => r.rc !== 0 || r.status !== "done").length;
  // Fixed rate: run k of a resource is scheduled exactly k intervals after its run 0.
  const firstAt = new Map<string, number>();
  for (const r of window) if (r.run === 0) firstAt.set(r.resource, r.scheduledAt);
  let offGrid = 0;
  for (const r of window) if (r.scheduledAt - (firstAt.get(r.resource) ?? Number.NaN) !== r.run * o.interval) offGrid++;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(`steady: ${o.resources} resources, monitor every ${o.interval} ms, ${o.duration} s${o.stagger ? ", staggered" : ""}`);
  console.log(`  runs: expected ${expected}, actual ${window.length}, failed ${failed}, off the fixed-rate grid ${offGrid}`);
  console.log(`  lateness (runAt - scheduledAt): mean ${mean.toFixed(2)} ms, p50 ${pct(late, 50)} ms, p99 ${pct(late, 99)} ms, max ${late[late.length - 1] ?? NaN} ms`);
  const d = arrivalDrift(arrivals, o.interval);
  console.log(`  arrival drift: ${d.perRunMs.toFixed(2)} ms per run, ${d.finalOffsetMs.toFixed(1)} ms after ${o.duration} s`);
  console.log(`  executor CPU ${cpuMs.toFixed(0)} ms = ${((cpuMs / durationMs) * 100).toFixed(2)}% of one core; agents CPU ${kids.toFixed(0)} ms`);
  await Promise.all(ids.map((id) => ex.run({ resource: id, action: "stop", timeoutMs: 20_000 })));
  await ex.close();
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const state = mkdtempSync(`${tmpdir()}/atrium-bench-`);
  try {
    if (o.part === "all" || o.part === "throughput") await throughput(o, state);
    if (o.part === "all" || o.part === "steady") await steady(o, state);
    // Side by side with the real pacemaker-remoted (through core/remote's client).
    if (o.remote !== undefined) {
      await steadyRemote({ ...o, stateDir: state, ...(o.remote !== "" ? { port: Number(o.remote) } : {}) });
    }
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

await main();
