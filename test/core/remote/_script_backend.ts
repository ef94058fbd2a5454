/**
 * A tiny RemoteExecutorBackend for tests of the server alone: runs a real shell-script agent
 * (`sh AGENT ACTION`, OCF_RESKEY_* env), one op at a time per resource, recurring ops with
 * setTimeout, a kill on timeout, and synchronous cancel.
 */
import { spawn } from "node:child_process";
import process from "node:process";
import type { AlertSpec, BackendOp, BackendResult, RemoteExecutorBackend } from "../../../core/remote/mod.ts";

interface Rec {
  op: BackendOp;
  onResult: (r: BackendResult) => void;
  timer?: ReturnType<typeof setTimeout>;
  cancelled: boolean;
}

/** `agentPath(type)` gives the script for a resource type. */
export function scriptBackend(agentPath: (type: string) => string): RemoteExecutorBackend & { alerts: AlertSpec[] } {
  const chains = new Map<string, Promise<void>>();
  const recurring = new Map<string, Rec>();
  const alerts: AlertSpec[] = [];
  const key = (id: string, a: string, i: number) => `${id}\0${a}\0${i}`;

  function runOnce(op: BackendOp): Promise<BackendResult> {
    const startedAt = Date.now();
    return new Promise((resolve) => {
      const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
      for (const [k, v] of Object.entries(op.params)) env[`OCF_RESKEY_${k}`] = v;
      const child = spawn("/bin/sh", [agentPath(op.rsc.type), op.action], { env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d: Uint8Array) => (out += new TextDecoder().decode(d)));
      child.stderr.on("data", (d: Uint8Array) => (out += new TextDecoder().decode(d)));
      let timedOut = false;
      const t = op.timeoutMs > 0 ? setTimeout(() => ((timedOut = true), child.kill("SIGKILL")), op.timeoutMs) : undefined;
      child.on("close", (code) => {
        if (t) clearTimeout(t);
        const execMs = Date.now() - startedAt;
        if (timedOut) resolve({ rc: 1, status: 2, exitReason: `Agent did not complete within ${op.timeoutMs}ms`, startedAt, execMs, queueMs: 0, final: true });
        else resolve({ rc: code ?? 1, status: 0, output: out, startedAt, execMs, queueMs: 0, final: true });
      });
      child.on("error", () => resolve({ rc: 5, status: 7, exitReason: "not installed", startedAt, execMs: 0, queueMs: 0, final: true }));
    });
  }

  function enqueue(rscId: string, fn: () => Promise<void>): void {
    const p = (chains.get(rscId) ?? Promise.resolve()).then(fn, fn);
    chains.set(rscId, p);
  }

  return {
    alerts,
    exec(op, onResult) {
      if (op.intervalMs === 0) {
        enqueue(op.rsc.id, async () => onResult(await runOnce(op)));
        return;
      }
      const rec: Rec = { op, onResult, cancelled: false };
      recurring.set(key(op.rsc.id, op.action, op.intervalMs), rec);
      const tick = () =>
        enqueue(op.rsc.id, async () => {
          if (rec.cancelled) return;
          const r = await runOnce(op);
          if (rec.cancelled) return;
          onResult({ ...r, final: false });
          rec.timer = setTimeout(tick, op.intervalMs);
        });
      if (op.startDelayMs > 0) rec.timer = setTimeout(tick, op.startDelayMs);
      else tick();
    },
    cancel(rscId, action, intervalMs) {
      const k = key(rscId, action, intervalMs);
      const rec = recurring.get(k);
      if (rec === undefined) return false;
      recurring.delete(k);
      rec.cancelled = true;
      if (rec.timer) clearTimeout(rec.timer);
      rec.onResult({ rc: 0, status: 1, startedAt: Date.now(), execMs: 0, queueMs: 0, final: true });
      return true;
    },
    alert(spec) {
      alerts.push(spec);
    },
    close() {
      for (const r of recurring.values()) {
        r.cancelled = true;
        if (r.timer) clearTimeout(r.timer);
      }
      recurring.clear();
      return Promise.resolve();
    },
  };
}
