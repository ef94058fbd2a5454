/**
 * The server's protocol state and request handlers: resource table, call ids, active
 * operations, and who gets which notify (Pacemaker's `process_lrmd_message()` and
 * `send_cmd_complete_notify()` behaviour).
 */
import type { BackendResult, RemoteExecutorBackend } from "./backend.ts";
import { buildExecResult, buildGenericNotify, buildReply, ExecStatus } from "./events.ts";
import { CallOpt, type ExecSpec, type RemoteRequest, type RemoteResource } from "./requests.ts";
import { Errno } from "./_fields.ts";
import { el, type XmlElement } from "./xml.ts";
import type { ClientState, RemoteLog } from "./server.ts";

type Send = (c: ClientState, e: XmlElement, msgId: number, type: "reply" | "notify") => void;
/** Answer the request being handled: rc, extra fields, the handler name Pacemaker reports, children. */
type Reply = (rc: number, extra?: Record<string, string | number | undefined>, origin?: string, children?: XmlElement[]) => void;
/** The request with operation `O`. */
type RequestOf<O extends RemoteRequest["op"]> = Extract<RemoteRequest, { op: O }>;

/** An operation the backend is running or repeating. */
export interface ActiveOp {
  readonly callId: number;
  readonly spec: ExecSpec;
  readonly rsc: RemoteResource;
  readonly clientId: string;
  readonly callOptions: number;
  runs: number;
  lastRc: number | undefined;
  lastStatus: number | undefined;
  deleted: boolean;
}

/** Protocol state and request handling of a {@link RemoteServer}. */
export class Dispatcher {
  readonly resources = new Map<string, RemoteResource & { callOptions: number }>();
  readonly active = new Map<number, ActiveOp>();
  #callId = 0;

  constructor(
    private readonly backend: RemoteExecutorBackend,
    private readonly clients: Map<string, ClientState>,
    private readonly log: RemoteLog,
    private readonly send: Send,
  ) {}

  /** The next daemon-wide call id (every request consumes one, as in Pacemaker). */
  nextCallId(): number {
    if (this.#callId >= 0x7fffffff) this.#callId = 0;
    return ++this.#callId;
  }

  #named(): ClientState[] {
    return [...this.clients.values()].filter((c) => c.signedOn && c.name);
  }

  #notifyAll(e: () => XmlElement): void {
    for (const c of this.#named()) this.send(c, e(), 0, "notify");
  }

  /** Handle one signed-on request (everything but sign-on and IPC proxy). */
  handle(c: ClientState, req: RemoteRequest): void {
    const send = this.send;
    const callId = this.nextCallId();
    const reply: Reply = (rc, extra = {}, origin, children) =>
      send(c, buildReply(rc, callId, { extra, ...(origin ? { origin } : {}), ...(children ? { children } : {}) }), req.msgId, "reply");
    switch (req.op) {
      case "lrmd_rsc_register":
        return this.#register(req, callId, reply);
      case "lrmd_rsc_unregister":
        return this.#unregister(req, callId, reply);
      case "lrmd_rsc_info": {
        const r = this.resources.get(req.rscId);
        if (r === undefined) reply(-Errno.ENODEV, {}, "process_lrmd_get_rsc_info");
        else reply(0, { lrmd_rsc_id: r.id, lrmd_class: r.standard, lrmd_provider: r.provider, lrmd_type: r.type }, "process_lrmd_get_rsc_info");
        return;
      }
      case "lrmd_rsc_exec":
        return this.#exec(c, req, callId, reply);
      case "lrmd_rsc_cancel": {
        if (!this.resources.has(req.rscId)) {
          reply(-Errno.ENODEV);
          return;
        }
        const found = [...this.active.values()].some((o) => o.rsc.id === req.rscId && o.spec.action === req.action && o.spec.intervalMs === req.intervalMs);
        const ok = found && this.backend.cancel(req.rscId, req.action, req.intervalMs);
        reply(ok ? 0 : -Errno.EOPNOTSUPP);
        return;
      }
      case "lrmd_get_recurring":
        return this.#recurring(req, reply);
      case "lrmd_rsc_poke":
        reply(0);
        this.#notifyAll(() => buildGenericNotify("lrmd_rsc_poke", 0, callId));
        return;
      case "lrmd_check":
        return; // never answered, as Pacemaker
      case "lrmd_alert_exec":
        try {
          this.backend.alert(req.alert);
          reply(0);
        } catch (e) {
          this.log("warn", `Cannot run alert "${req.alert.id}": ${(e as Error).message}`);
          reply(-Errno.E2BIG);
        }
        return;
      case "register":
        reply(-Errno.EPROTO, { atrium_error: "already signed on" });
        return;
      case "unknown":
        this.log("info", `Unknown request "${req.name}" from ${c.peer}`);
        reply(-Errno.EOPNOTSUPP);
        return;
      default:
        reply(-Errno.EOPNOTSUPP);
    }
  }

  #register(req: RequestOf<"lrmd_rsc_register">, callId: number, reply: Reply): void {
    const old = this.resources.get(req.rsc.id);
    const same = old && old.standard === req.rsc.standard && old.provider === req.rsc.provider && old.type === req.rsc.type;
    if (!same) {
      try {
        this.backend.register?.(req.rsc);
      } catch (e) {
        this.log("warn", `Cannot register resource "${req.rsc.id}": ${(e as Error).message}`);
        reply(-Errno.EINVAL, { atrium_error: (e as Error).message });
        return;
      }
      this.resources.set(req.rsc.id, { ...req.rsc, callOptions: req.callOptions });
    }
    reply(0);
    this.#notifyAll(() => buildGenericNotify("lrmd_rsc_register", 0, callId, req.rsc.id));
  }

  #unregister(req: RequestOf<"lrmd_rsc_unregister">, callId: number, reply: Reply): void {
    let rc = 0;
    if (this.resources.has(req.rscId)) {
      for (const op of [...this.active.values()]) {
        if (op.rsc.id !== req.rscId) continue;
        if (op.spec.intervalMs > 0) this.backend.cancel(op.rsc.id, op.spec.action, op.spec.intervalMs);
        else {
          op.deleted = true;
          rc = -Errno.EINPROGRESS;
        }
      }
      this.resources.delete(req.rscId);
      this.backend.unregister?.(req.rscId);
    }
    reply(rc);
    this.#notifyAll(() => buildGenericNotify("lrmd_rsc_unregister", rc, callId, req.rscId));
  }

  #exec(c: ClientState, req: RequestOf<"lrmd_rsc_exec">, callId: number, reply: Reply): void {
    const rsc = this.resources.get(req.exec.rscId);
    if (rsc === undefined) {
      reply(-Errno.ENODEV);
      return;
    }
    const op: ActiveOp = {
      callId, spec: req.exec, rsc, clientId: c.id, callOptions: req.callOptions,
      runs: 0, lastRc: undefined, lastStatus: undefined, deleted: false,
    };
    this.active.set(callId, op);
    reply(callId); // the reply (call id) goes out before any result
    try {
      this.backend.exec({ ...req.exec, callId, rsc }, (r) => this.#result(op, r));
    } catch (e) {
      this.log("error", `Executor failed to start ${req.exec.action} of "${rsc.id}": ${(e as Error).message}`);
      this.#result(op, { rc: 1, status: ExecStatus.ERROR, exitReason: `Executor error: ${(e as Error).message}`, startedAt: Date.now(), execMs: 0, queueMs: 0, final: true });
    }
  }

  #recurring(req: RequestOf<"lrmd_get_recurring">, reply: Reply): void {
    if (req.rscId !== undefined && !this.resources.has(req.rscId)) {
      reply(-Errno.ENODEV, {}, "process_lrmd_get_recurring");
      return;
    }
    const byRsc = new Map<string, XmlElement>();
    for (const o of this.active.values()) {
      if (o.spec.intervalMs === 0 || (req.rscId !== undefined && o.rsc.id !== req.rscId)) continue;
      let r = byRsc.get(o.rsc.id);
      if (r === undefined) byRsc.set(o.rsc.id, r = el("lrmd_rsc", { lrmd_rsc_id: o.rsc.id }));
      r.children.push(el("lrmd_rsc_op", { lrmd_rsc_action: o.spec.action, lrmd_rsc_interval: o.spec.intervalMs, lrmd_timeout: o.spec.timeoutMs }));
    }
    reply(0, {}, "process_lrmd_get_recurring", [...byRsc.values()]);
  }

  #result(op: ActiveOp, r: BackendResult): void {
    if (r.final) this.active.delete(op.callId);
    const changed = op.lastRc !== r.rc || op.lastStatus !== r.status;
    const first = op.runs === 0;
    op.runs++;
    const prevRc = op.lastRc;
    op.lastRc = r.rc;
    op.lastStatus = r.status;
    if (!first && !changed && (op.callOptions & CallOpt.NOTIFY_CHANGES_ONLY) !== 0 && r.status !== ExecStatus.CANCELLED) return;
    const x = buildExecResult({
      callId: op.callId,
      rscId: op.rsc.id,
      action: op.spec.action,
      intervalMs: op.spec.intervalMs,
      timeoutMs: op.spec.timeoutMs,
      startDelayMs: op.spec.startDelayMs,
      rc: r.rc,
      opStatus: r.status,
      deleted: op.deleted,
      runTime: Math.floor(r.startedAt / 1000),
      rcChangeTime: prevRc !== r.rc ? Math.floor(Date.now() / 1000) : 0,
      execTimeMs: Math.max(0, Math.round(r.execMs)),
      queueTimeMs: Math.max(0, Math.round(r.queueMs)),
      params: op.spec.params,
      ...(op.spec.userdata !== undefined ? { userdata: op.spec.userdata } : {}),
      ...(r.exitReason !== undefined ? { exitReason: r.exitReason } : {}),
      ...(r.output !== undefined && r.output !== "" ? { output: r.output } : {}),
    });
    if ((op.callOptions & CallOpt.NOTIFY_ORIG_ONLY) !== 0) {
      const orig = this.clients.get(op.clientId);
      if (orig !== undefined) this.send(orig, x, 0, "notify");
      return;
    }
    for (const c of this.#named()) this.send(c, x, 0, "notify");
  }

  /**
   * A client went away: when it was the last one, cancel the recurring ops of resources
   * registered with `lrmd_callopt` 0x3 (as Pacemaker's `client_disconnect_cleanup()`).
   */
  clientGone(_c: ClientState): void {
    if ([...this.clients.values()].some((x) => x.signedOn)) return;
    for (const op of [...this.active.values()]) {
      const rsc = this.resources.get(op.rsc.id);
      if (op.spec.intervalMs > 0 && rsc !== undefined && (rsc.callOptions & CallOpt.DROP_RECURRING) === CallOpt.DROP_RECURRING) {
        this.backend.cancel(op.rsc.id, op.spec.action, op.spec.intervalMs);
      }
    }
  }
}
