/**
 * Side-by-side part of the executor bench: the same steady recurring-monitor load run by the
 * real pacemaker-remoted 2.1.5 (started with ../shared/reference/run-real-remoted.sh and driven
 * through core/remote's RemoteClient). The wire carries no scheduled time (`lrmd_run_time` is
 * 0 for repeats), so drift is measured on arrival times, for both executors alike.
 *
 * Only one pacemaker-remoted may run per network namespace: `npm run bench:executor -- --remote
 * --netns` runs the whole bench in a namespace of its own (see executor_run.mjs).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import process from "node:process";
import { type ExecResult, RemoteClient } from "../core/remote/mod.ts";

/** Arrival-time drift of recurring results (offset of run k: arrival_k - k * interval). */
export interface ArrivalDrift {
  /** Mean over resources of the least-squares slope of the offsets: drift per run, ms. */
  readonly perRunMs: number;
  /** Mean over resources of (last offset - first offset): cumulative drift, ms. */
  readonly finalOffsetMs: number;
  readonly runs: number;
}

/** Compute {@link ArrivalDrift} from arrival times (epoch ms) per resource. */
export function arrivalDrift(arrivals: ReadonlyMap<string, readonly number[]>, intervalMs: number): ArrivalDrift {
  let slopes = 0;
  let finals = 0;
  let n = 0;
  let runs = 0;
  for (const times of arrivals.values()) {
    runs += times.length;
    if (times.length < 3) continue;
    const off = times.map((t, k) => t - times[0]! - k * intervalMs);
    const mk = (off.length - 1) / 2;
    const mo = off.reduce((a, b) => a + b, 0) / off.length;
    let num = 0;
    let den = 0;
    off.forEach((y, k) => {
      num += (k - mk) * (y - mo);
      den += (k - mk) ** 2;
    });
    slopes += num / den;
    finals += off[off.length - 1]!;
    n++;
  }
  return { perRunMs: n ? slopes / n : Number.NaN, finalOffsetMs: n ? finals / n : Number.NaN, runs };
}

/** Options of {@link steadyRemote}. */
export interface RemoteSteadyOptions {
  readonly resources: number;
  readonly interval: number;
  readonly duration: number;
  readonly stagger: boolean;
  readonly agent: { readonly provider: string; readonly type: string };
  readonly stateDir: string;
  readonly port?: number;
}

function procCpuMs(pid: number): { self: number; children: number } {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const r = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return { self: (Number(r[11]) + Number(r[12])) * 10, children: (Number(r[13]) + Number(r[14])) * 10 };
}

/** Run the steady load on a real pacemaker-remoted and print the same figures as the local part. */
export async function steadyRemote(o: RemoteSteadyOptions): Promise<void> {
  const script = process.env["ATRIUM_REAL_REMOTED_SCRIPT"] ?? "/work/shared/reference/run-real-remoted.sh";
  if (!existsSync(script)) {
    console.log(`remote: skipped, ${script} is absent`);
    return;
  }
  const port = o.port ?? 3121;
  const key = randomBytes(256);
  const keyFile = `${o.stateDir}/authkey`;
  writeFileSync(keyFile, key, { mode: 0o600 });
  const out = execFileSync("bash", [script, "start", "127.0.0.1", String(port), keyFile], { encoding: "utf8", timeout: 60_000 });
  const pid = Number(/PID=(\d+)/.exec(out)?.[1]);
  if (!Number.isInteger(pid)) throw new Error(`Cannot start pacemaker-remoted: no PID in ${JSON.stringify(out.slice(0, 200))}`);
  const client = new RemoteClient({ host: "127.0.0.1", port, key, clientName: "atrium-bench" });
  client.setMaxListeners(0); // one waiter per parallel start/stop
  try {
    await client.connect();
    const ids = Array.from({ length: o.resources }, (_, i) => `rst-${i}`);
    const params = (id: string) => ({ state: `${o.stateDir}/${id}.state` });
    for (const id of ids) await client.registerResource({ id, standard: "ocf", provider: o.agent.provider, type: o.agent.type });
    await Promise.all(ids.map((id) => client.run({ rscId: id, action: "start", intervalMs: 0, timeoutMs: 20_000, startDelayMs: 0, params: params(id) }, { resultTimeoutMs: 60_000 })));
    const arrivals = new Map<string, number[]>();
    let failed = 0;
    const durationMs = o.duration * 1000;
    let t0 = 0;
    const onResult = (r: ExecResult): void => {
      if (r.intervalMs === 0 || r.opStatus === 1 || Date.now() >= t0 + durationMs) return;
      if (r.rc !== 0 || r.opStatus !== 0) failed++;
      const list = arrivals.get(r.rscId) ?? [];
      list.push(Date.now());
      arrivals.set(r.rscId, list);
    };
    client.on("result", onResult);
    const cpu0 = procCpuMs(pid);
    t0 = Date.now();
    for (const [i, id] of ids.entries()) {
      const startDelayMs = o.stagger ? Math.floor((i * o.interval) / ids.length) : 0;
      await client.exec({ rscId: id, action: "monitor", intervalMs: o.interval, timeoutMs: 20_000, startDelayMs, params: params(id) });
    }
    await new Promise((r) => setTimeout(r, durationMs));
    const cpu1 = procCpuMs(pid);
    client.off("result", onResult);
    for (const id of ids) await client.cancel(id, "monitor", o.interval);
    await Promise.all(ids.map((id) => client.run({ rscId: id, action: "stop", intervalMs: 0, timeoutMs: 20_000, startDelayMs: 0, params: params(id) }, { resultTimeoutMs: 60_000 })));
    for (const id of ids) await client.unregisterResource(id);
    const d = arrivalDrift(arrivals, o.interval);
    const self = cpu1.self - cpu0.self;
    console.log(`remote: pacemaker-remoted 2.1.5 (pid ${pid}), same load`);
    console.log(`  runs: actual ${d.runs}, failed ${failed}`);
    console.log(`  arrival drift: ${d.perRunMs.toFixed(2)} ms per run, ${d.finalOffsetMs.toFixed(1)} ms after ${o.duration} s`);
    console.log(`  daemon CPU ${self.toFixed(0)} ms = ${((self / durationMs) * 100).toFixed(2)}% of one core; agents CPU ${(cpu1.children - cpu0.children).toFixed(0)} ms`);
  } finally {
    client.close();
    execFileSync("bash", [script, "stop", String(pid)], { stdio: "ignore", timeout: 30_000 });
  }
}
