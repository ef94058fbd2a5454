/**
 * The cluster-side client of the remote executor (what Pacemaker's `liblrmd` is to
 * `pacemaker-controld`): connect, sign on, register resources, execute and cancel operations,
 * receive results asynchronously, poke the peer to notice a dead or hung daemon, reconnect.
 *
 * @example
 * ```ts
 * const c = new RemoteClient({ host: "10.0.0.5", key, clientName: "atrium-node1" });
 * c.on("result", (r) => console.log(r.rscId, r.action, r.rc));
 * c.on("close", (reason) => console.log(`lost: ${reason}`));
 * await c.connect();
 * await c.registerResource({ id: "db", standard: "ocf", provider: "pacemaker", type: "Dummy" });
 * const callId = await c.exec({ rscId: "db", action: "start", intervalMs: 0, timeoutMs: 20_000, startDelayMs: 0, params: {} });
 * ```
 */
import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { AtriumError } from "../errors.ts";
import { MessageConnection } from "./connection.ts";
import { type ExecResult, parseServerMessage, type RemoteReply, type ServerMessage } from "./events.ts";
import {
  type AlertSpec, buildRequest, type ExecSpec, type IpcForward, PROTOCOL_VERSION, type RemoteRequestBody, type RemoteResource,
} from "./requests.ts";
import { dialTcp, type SecureInfo, type SecureLayer, tlsPskSecure } from "./transport.ts";
import { Errno } from "./_fields.ts";
import { errnoName, isAtriumErrorCode, tlsError, waitForResult } from "./_client_util.ts";

export { waitForResult };

/** Options of {@link RemoteClient}. */
export interface RemoteClientOptions {
  host?: string;
  /** Default 3121. */
  port?: number;
  /** The raw PSK (whole authkey file). */
  key: Uint8Array;
  /** PSK identity; default "lrmd". */
  identity?: string;
  /** `lrmd_clientname`; default "atrium". */
  clientName?: string;
  /** Sign on as IPC proxy provider (the controller does). */
  ipcProvider?: boolean;
  /** TCP + TLS + sign-on deadline, ms (default 10 000). */
  connectTimeoutMs?: number;
  /** How long to wait for a reply, ms (default 10 000, as `MAX_TLS_RECV_WAIT`). */
  requestTimeoutMs?: number;
  /** Poke every this many ms while connected (0 = never, the default). */
  pokeIntervalMs?: number;
  /** Declare the peer dead when a poke gets no reply within this many ms (default 1 000). */
  pokeTimeoutMs?: number;
  /** TLS versions to offer (default both 1.3 and 1.2). */
  tlsVersions?: readonly ("TLSv1.3" | "TLSv1.2")[];
  /** The secure layer (default TLS-PSK); tests pass `plainSecure`. */
  secure?: SecureLayer;
  /** Open the byte stream yourself (tests: an in-memory pair); default TCP to host:port. */
  dial?: () => Promise<Duplex>;
}

/** What the sign-on established. */
export interface SessionInfo {
  readonly tls: SecureInfo;
  readonly protocolVersion: string;
  readonly clientId: string;
  readonly signOnMs: number;
}

/** A recurring operation as listed by `lrmd_get_recurring`. */
export interface RecurringOp {
  readonly rscId: string;
  readonly action: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

interface Pending {
  resolve(r: RemoteReply): void;
  reject(e: unknown): void;
  timer: ReturnType<typeof setTimeout>;
  op: string;
}

/** A keepalive deadline timer that fires later than this was delayed by our own event loop. */
const POKE_LAG_GRACE_MS = 100;

/**
 * Events: `result` (ExecResult), `notify` ({op, rc, callId, rscId?}), `new_client`, `ipc`
 * (an IPC-proxy message, including `shutdown_req`), `close` (reason: string).
 */

export class RemoteClient extends EventEmitter {
  readonly #o: RemoteClientOptions;
  #conn: MessageConnection | undefined;
  #pending = new Map<number, Pending>();
  #nextId = 0;
  #token = "";
  #session: SessionInfo | undefined;
  #pokeTimer: ReturnType<typeof setInterval> | undefined;
  #pokeOutstanding = 0;
  #signOn: ((m: ServerMessage) => void) | undefined;

  constructor(opts: RemoteClientOptions) {
    super();
    if (!(opts.key instanceof Uint8Array) || opts.key.length === 0) throw new TypeError("Cannot create remote client: key is empty");
    this.#o = opts;
  }

  /** The session of the current connection, if connected. */
  get session(): SessionInfo | undefined {
    return this.#session;
  }

  /** True while connected and signed on. */
  get connected(): boolean {
    return this.#conn !== undefined && !this.#conn.closed && this.#session !== undefined;
  }

  get #where(): string {
    const h = this.#o.host ?? "127.0.0.1";
    return `${h.includes(":") ? `[${h}]` : h}:${this.#o.port ?? 3121}`;
  }

  /**
   * Connect and sign on (again, after a close: this is the reconnect). Rejects with
   * `AtriumError` REMOTE_REFUSED / REMOTE_TIMEOUT / REMOTE_UNREACHABLE (TCP), TLS_* (TLS, e.g.
   * TLS_BAD_KEY for a wrong key), REMOTE_PROTOCOL_MISMATCH or REMOTE_SIGNON_FAILED.
   */
  async connect(): Promise<SessionInfo> {
    if (this.connected) return this.#session!;
    const timeout = this.#o.connectTimeoutMs ?? 10_000;
    const t0 = performance.now();
    const deadline = t0 + timeout;
    const tcp = this.#o.dial ? await this.#o.dial() : await dialTcp(this.#o.host ?? "127.0.0.1", this.#o.port ?? 3121, timeout);
    const left = () => Math.max(1, Math.round(deadline - performance.now()));
    const ch = await (this.#o.secure ?? tlsPskSecure).client(tcp, {
      identity: this.#o.identity ?? "lrmd",
      key: this.#o.key,
      handshakeTimeoutMs: left(),
      ...(this.#o.tlsVersions ? { versions: this.#o.tlsVersions } : {}),
    }).catch((e: unknown) => {
      tcp.destroy();
      throw tlsError(e, this.#where);
    });
    this.#pending = new Map();
    this.#token = "";
    const conn = new MessageConnection(ch.stream, {
      recordPerWrite: ch.recordPerWrite,
      onMessage: (e) => this.#onMessage(e),
      onClose: (reason) => this.#onClose(conn, reason),
    });
    this.#conn = conn;
    const reply = await new Promise<ServerMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#signOn = undefined;
        conn.destroy("sign-on timed out");
        reject(new AtriumError("REMOTE_TIMEOUT", `Cannot sign on to ${this.#where}: no reply within ${timeout} ms`));
      }, left());
      this.#signOn = (m) => {
        clearTimeout(timer);
        this.#signOn = undefined;
        resolve(m);
      };
      this.#closeWaiter = (reason) => {
        clearTimeout(timer);
        reject(new AtriumError("REMOTE_SIGNON_FAILED", `Cannot sign on to ${this.#where}: ${reason}`));
      };
      const body: RemoteRequestBody = {
        op: "register",
        clientName: this.#o.clientName ?? "atrium",
        protocolVersion: PROTOCOL_VERSION,
        ipcProvider: this.#o.ipcProvider ?? false,
      };
      conn.send(buildRequest(body), ++this.#nextId, "request").catch((e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    this.#closeWaiter = undefined;
    if (reply.kind !== "reply") {
      conn.destroy("unexpected sign-on answer");
      throw new AtriumError("REMOTE_PROTOCOL_MISMATCH", `Cannot sign on to ${this.#where}: expected a reply, got a ${reply.kind} message`);
    }
    const version = reply.el.attrs.get("lrmd_protocol_version") ?? "1.0";
    if (reply.rc === -Errno.EPROTO) {
      conn.destroy("protocol version mismatch");
      throw new AtriumError("REMOTE_PROTOCOL_MISMATCH", `Cannot sign on to ${this.#where}: the server refused protocol version "${PROTOCOL_VERSION}" (it speaks "${version}")`);
    }
    if (reply.rc !== 0 || reply.el.attrs.get("lrmd_op") !== "register" || !reply.el.attrs.get("lrmd_clientid")) {
      conn.destroy("sign-on refused");
      throw new AtriumError("REMOTE_SIGNON_FAILED", `Cannot sign on to ${this.#where}: reply rc ${reply.rc}, op "${reply.el.attrs.get("lrmd_op") ?? ""}", expected rc 0, op "register" and a client id`);
    }
    this.#token = reply.el.attrs.get("lrmd_clientid")!;
    this.#session = { tls: ch.info, protocolVersion: version, clientId: this.#token, signOnMs: performance.now() - t0 };
    this.#startPokes();
    return this.#session;
  }

  #closeWaiter: ((reason: string) => void) | undefined;

  #onClose(conn: MessageConnection, reason: string): void {
    if (this.#conn !== conn) return;
    this.#session = undefined;
    if (this.#pokeTimer !== undefined) clearInterval(this.#pokeTimer);
    this.#pokeTimer = undefined;
    this.#pokeOutstanding = 0;
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new AtriumError("REMOTE_CONNECTION_CLOSED", `Cannot complete "${p.op}" on ${this.#where}: connection closed (${reason})`));
    }
    this.#pending.clear();
    this.#closeWaiter?.(reason);
    this.#closeWaiter = undefined;
    this.emit("close", reason);
  }

  #onMessage(e: import("./xml.ts").XmlElement): void {
    const m = parseServerMessage(e); // throws -> connection closed with the reason
    if (this.#signOn !== undefined && m.kind === "reply") {
      this.#signOn(m);
      return;
    }
    switch (m.kind) {
      case "reply": {
        const p = this.#pending.get(m.msgId);
        if (p === undefined) return; // late reply (e.g. to a check): dropped, as liblrmd
        this.#pending.delete(m.msgId);
        clearTimeout(p.timer);
        p.resolve(m);
        return;
      }
      case "exec_result":
        this.emit("result", m.result);
        return;
      case "generic":
        this.emit("notify", { op: m.op, rc: m.rc, callId: m.callId, rscId: m.rscId });
        return;
      case "new_client":
        this.emit("new_client");
        return;
      case "ipc":
        this.emit("ipc", m);
        return;
      default:
        return;
    }
  }

  #startPokes(): void {
    const every = this.#o.pokeIntervalMs ?? 0;
    if (every <= 0) return;
    const limit = this.#o.pokeTimeoutMs ?? 1000;
    this.#pokeTimer = setInterval(() => {
      if (this.#pokeOutstanding > 0) return;
      this.#pokeOutstanding++;
      let answered = false;
      const conn = this.#conn;
      // The reply itself may take longer (a slow peer is not a dead one until the deadline below).
      this.#request({ op: "lrmd_rsc_poke" }, {}, Math.max(limit * 4, 5_000)).then(
        () => {
          answered = true;
          this.#pokeOutstanding = 0;
        },
        () => {
          answered = true;
          this.#pokeOutstanding = 0;
        },
      );
      // The deadline is judged against this process's own clock: when our event loop was
      // stalled (the timer fired late), the peer gets that time again, so a busy controller
      // never declares a healthy peer dead.
      const armed = (wait: number, due: number): void => {
        const t = setTimeout(() => {
          if (answered || conn === undefined || conn.closed || this.#conn !== conn) return;
          const late = Date.now() - due;
          if (late > POKE_LAG_GRACE_MS) return armed(late, Date.now() + late);
          conn.destroy(`peer did not answer a poke within ${limit} ms`);
        }, wait);
        (t as { unref?: () => void }).unref?.();
      };
      armed(limit, Date.now() + limit);
    }, every);
    (this.#pokeTimer as { unref?: () => void }).unref?.();
  }

  #request(
    body: RemoteRequestBody,
    o: { callOptions?: number; timeoutMs?: number } = {},
    replyTimeoutMs = this.#o.requestTimeoutMs ?? 10_000,
  ): Promise<RemoteReply> {
    const conn = this.#conn;
    if (conn === undefined || conn.closed || this.#session === undefined) {
      return Promise.reject(new AtriumError("REMOTE_NOT_CONNECTED", `Cannot send "${body.op}" to ${this.#where}: not connected`));
    }
    if (this.#nextId >= 0xffffffff) this.#nextId = 0;
    const id = ++this.#nextId;
    return new Promise<RemoteReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new AtriumError("REMOTE_TIMEOUT", `Cannot complete "${body.op}" on ${this.#where}: no reply within ${replyTimeoutMs} ms`));
      }, replyTimeoutMs);
      this.#pending.set(id, { resolve, reject, timer, op: body.op });
      conn.send(buildRequest(body, { token: this.#token, ...o }), id, "request").catch((e) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(e);
      });
    });
  }

  #fail(op: string, r: RemoteReply, what = ""): never {
    throw new AtriumError("REMOTE_REQUEST_FAILED", `Cannot ${op}${what} on ${this.#where}: the server answered rc ${r.rc}${errnoName(r.rc)}`, {
      details: { rc: r.rc },
    });
  }

  /** Register (or re-register) a resource. */
  async registerResource(rsc: RemoteResource, o: { callOptions?: number } = {}): Promise<void> {
    const r = await this.#request({ op: "lrmd_rsc_register", rsc }, o);
    if (r.rc !== 0) this.#fail("register resource", r, ` "${rsc.id}"`);
  }

  /** Unregister; resolves `"pending"` when an operation is still running (rc -115). */
  async unregisterResource(rscId: string): Promise<"done" | "pending"> {
    const r = await this.#request({ op: "lrmd_rsc_unregister", rscId });
    if (r.rc === -Errno.EINPROGRESS) return "pending";
    if (r.rc !== 0) this.#fail("unregister resource", r, ` "${rscId}"`);
    return "done";
  }

  /** The registration of a resource, or undefined when unknown. */
  async resourceInfo(rscId: string): Promise<RemoteResource | undefined> {
    const r = await this.#request({ op: "lrmd_rsc_info", rscId });
    if (r.rc === -Errno.ENODEV) return undefined;
    if (r.rc !== 0) this.#fail("read resource", r, ` "${rscId}"`);
    const a = r.el.attrs;
    const provider = a.get("lrmd_provider");
    return { id: a.get("lrmd_rsc_id") ?? rscId, standard: a.get("lrmd_class") ?? "", type: a.get("lrmd_type") ?? "", ...(provider ? { provider } : {}) };
  }

  /** Start an operation; resolves its call id. Results arrive as `result` events. */
  async exec(spec: ExecSpec, o: { callOptions?: number } = {}): Promise<number> {
    const r = await this.#request({ op: "lrmd_rsc_exec", exec: spec }, { ...o, timeoutMs: spec.timeoutMs });
    if (r.rc <= 0) this.#fail("execute", r, ` ${spec.action} of "${spec.rscId}"`);
    return r.rc;
  }

  /**
   * Execute a one-shot operation and wait for its result (listens before sending, so a
   * result that arrives right behind the reply is not missed).
   */
  async run(spec: ExecSpec, o: { callOptions?: number; resultTimeoutMs?: number } = {}): Promise<ExecResult> {
    const early: ExecResult[] = [];
    const grab = (r: ExecResult) => void early.push(r);
    this.on("result", grab);
    let callId: number;
    try {
      callId = await this.exec(spec, o);
    } finally {
      this.off("result", grab);
    }
    const hit = early.find((r) => r.callId === callId);
    if (hit !== undefined) return hit;
    return await waitForResult(this, callId, o.resultTimeoutMs ?? spec.timeoutMs + 10_000);
  }

  /** Cancel a recurring operation; false when there was no such operation (rc -95). */
  async cancel(rscId: string, action: string, intervalMs: number): Promise<boolean> {
    const r = await this.#request({ op: "lrmd_rsc_cancel", rscId, action, intervalMs });
    if (r.rc === -Errno.EOPNOTSUPP) return false;
    if (r.rc !== 0) this.#fail("cancel", r, ` ${action}_${intervalMs} of "${rscId}"`);
    return true;
  }

  /** List recurring operations (of one resource, or all). */
  async getRecurring(rscId?: string): Promise<RecurringOp[]> {
    const r = await this.#request(rscId === undefined ? { op: "lrmd_get_recurring" } : { op: "lrmd_get_recurring", rscId });
    if (r.rc !== 0) this.#fail("list recurring operations", r);
    const out: RecurringOp[] = [];
    for (const rsc of r.el.children.filter((c) => c.name === "lrmd_rsc")) {
      for (const op of rsc.children.filter((c) => c.name === "lrmd_rsc_op")) {
        out.push({
          rscId: rsc.attrs.get("lrmd_rsc_id") ?? "",
          action: op.attrs.get("lrmd_rsc_action") ?? "",
          intervalMs: Number(op.attrs.get("lrmd_rsc_interval") ?? 0),
          timeoutMs: Number(op.attrs.get("lrmd_timeout") ?? 0),
        });
      }
    }
    return out;
  }

  /** Poke the server; resolves the round-trip time in ms. */
  async poke(timeoutMs?: number): Promise<number> {
    const t0 = performance.now();
    await this.#request({ op: "lrmd_rsc_poke" }, {}, timeoutMs);
    return performance.now() - t0;
  }

  /** Send `lrmd_check` (never answered by the server). */
  async check(watchdog?: string): Promise<void> {
    const conn = this.#conn;
    if (conn === undefined || conn.closed) throw new AtriumError("REMOTE_NOT_CONNECTED", `Cannot send "lrmd_check" to ${this.#where}: not connected`);
    await conn.send(buildRequest(watchdog === undefined ? { op: "lrmd_check" } : { op: "lrmd_check", watchdog }, { token: this.#token }), ++this.#nextId, "request");
  }

  /** Run an alert agent on the remote node (no completion is reported back). */
  async alert(spec: AlertSpec): Promise<void> {
    const r = await this.#request({ op: "lrmd_alert_exec", alert: spec }, { callOptions: 2, timeoutMs: spec.timeoutMs });
    if (r.rc !== 0) this.#fail("execute alert", r, ` "${spec.id}"`);
  }

  /** Send an IPC-proxy message (response, event, destroy, shutdown_ack/nack). */
  async ipcForward(ipc: IpcForward): Promise<void> {
    const r = await this.#request({ op: "ipc_fwd", ipc });
    if (r.rc !== 0) this.#fail("forward IPC", r);
  }

  /** Send any request (including unknown operations) and return the raw reply. */
  raw(body: RemoteRequestBody, o: { callOptions?: number; timeoutMs?: number } = {}): Promise<RemoteReply> {
    return this.#request(body, o);
  }

  /** Close the connection (pending requests are rejected). */
  close(reason = "closed by the client"): void {
    this.#conn?.close(reason);
  }
}

