/**
 * The adapter from the real executor (core/executor + the ocf class plugin) to the small
 * interface the remote server needs ({@link RemoteExecutorBackend}).
 */
import { execFile } from "node:child_process";
import process from "node:process";
import { Executor, type OperationRecord } from "../../core/executor/mod.ts";
import type { AlertSpec, BackendOp, BackendResult, RemoteExecutorBackend, RemoteLog } from "../../core/remote/mod.ts";
import type { ResourceClass } from "../../core/plugin/mod.ts";
import { createLsbClass } from "../../plugins/lsb/mod.ts";
import { createOcfClass } from "../../plugins/ocf/mod.ts";
import { createSystemdClass } from "../../plugins/systemd/mod.ts";

const STATUS: Record<string, number> = { done: 0, cancelled: 1, timeout: 2, not_supported: 3, error: 4, not_installed: 7 };

/** Split the wire parameter table into instance attributes and meta attributes (CRM_meta_*). */
export function splitParams(all: Readonly<Record<string, string>>): { params: Record<string, string>; meta: Record<string, string> } {
  const params: Record<string, string> = {};
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) {
    if (k.startsWith("CRM_meta_")) meta[k.slice(9)] = v;
    else params[k] = v;
  }
  return { params, meta };
}

/** Map an executor record to what the server reports. */
export function toBackendResult(r: OperationRecord): BackendResult {
  const output = r.stderr !== "" ? r.stderr : r.stdout;
  return {
    rc: r.rc,
    status: STATUS[r.status] ?? 4,
    ...(r.reason !== undefined && r.reason !== "" ? { exitReason: r.reason } : {}),
    ...(output !== "" ? { output: output.length > 65536 ? output.slice(0, 65536) : output } : {}),
    startedAt: r.runAt > 0 ? r.runAt : r.queuedAt,
    execMs: r.execTimeMs,
    queueMs: r.queueTimeMs,
    final: r.intervalMs === 0 || r.status === "cancelled",
  };
}

/** Build the backend over a new Executor with the given resource classes (default: ocf, lsb, systemd). */
export function executorBackend(o: { classes?: ResourceClass[]; log?: RemoteLog } = {}): RemoteExecutorBackend & { executor: Executor } {
  const classes = new Map((o.classes ?? [createOcfClass(), createLsbClass(), createSystemdClass()]).map((c) => [c.name, c]));
  const executor = new Executor({ resolveClass: (name) => classes.get(name) });
  const sinks = new Map<number, (r: BackendResult) => void>();
  const log = o.log ?? (() => {});
  executor.on("result", (r) => {
    const sink = sinks.get(r.callId);
    if (sink === undefined) return;
    const b = toBackendResult(r);
    if (b.final) sinks.delete(r.callId);
    sink(b);
  });
  return {
    executor,
    register(rsc) {
      executor.register({ id: rsc.id, agent: { class: rsc.standard, type: rsc.type, ...(rsc.provider ? { provider: rsc.provider } : {}) } });
    },
    unregister(rscId) {
      executor.unregister(rscId);
    },
    exec(op: BackendOp, onResult) {
      if (executor.resource(op.rsc.id) === undefined) this.register!(op.rsc);
      const { params, meta } = splitParams(op.params);
      sinks.set(op.callId, onResult);
      try {
        executor.exec({
          resource: op.rsc.id,
          action: op.action,
          intervalMs: op.intervalMs,
          timeoutMs: op.timeoutMs > 0 ? op.timeoutMs : 20_000,
          startDelayMs: op.startDelayMs,
          params,
          meta,
          callId: op.callId,
          ...(op.userdata !== undefined ? { userdata: op.userdata } : {}),
        });
      } catch (e) {
        sinks.delete(op.callId);
        throw e;
      }
    },
    cancel(rscId, action, intervalMs) {
      return executor.cancel(rscId, action, intervalMs);
    },
    alert(spec: AlertSpec) {
      const env: Record<string, string> = { ...(process.env as Record<string, string>), ...spec.params };
      const t0 = Date.now();
      execFile(spec.path, [], { env, timeout: spec.timeoutMs > 0 ? spec.timeoutMs : 30_000 }, (err) => {
        const took = Date.now() - t0;
        if (err) log("warn", `Alert "${spec.id}" (${spec.path}) failed after ${took} ms: ${err.message.split("\n")[0]}`);
        else log("debug", `Alert "${spec.id}" (${spec.path}) done in ${took} ms`);
      });
    },
    close() {
      return executor.close();
    },
  };
}
