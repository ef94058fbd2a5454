/**
 * The remote executor server (what `pacemaker-remoted` is): accepts TLS-PSK connections,
 * signs clients on, dispatches requests to a {@link RemoteExecutorBackend}, and pushes
 * operation results and notifies back, with the reply/notify ordering of Pacemaker 2.1.5.
 *
 * @example
 * ```ts
 * const srv = new RemoteServer({ backend, key: () => authkey, log: (lvl, line) => console.log(lvl, line) });
 * const addr = await srv.listen({ host: "::", port: 3121 });
 * process.on("SIGTERM", async () => { await srv.shutdown({ timeoutMs: 30_000 }); srv.close(); });
 * ```
 */
import { createServer, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { AtriumError } from "../errors.ts";
import type { RemoteExecutorBackend } from "./backend.ts";
import { MessageConnection } from "./connection.ts";
import { buildIpcNotify, buildNewClientNotify, buildReply } from "./events.ts";
import { type SecureLayer, tlsPskSecure } from "./transport.ts";
import { compareVersions, MIN_PROTOCOL_VERSION, parseRequest, PROTOCOL_VERSION, type RemoteRequest, requestMsgId } from "./requests.ts";
import { Errno, RemoteMessageError } from "./_fields.ts";
import { Dispatcher } from "./_dispatch.ts";
import { serializeXml, type XmlElement } from "./xml.ts";

/** Log sink: one line per call, never containing key material. */
export type RemoteLog = (level: "info" | "warn" | "error" | "debug", line: string) => void;

/** Options of {@link RemoteServer}. */
export interface RemoteServerOptions {
  backend: RemoteExecutorBackend;
  /** The PSK (read on each handshake, so a changed key file can be picked up). */
  key: () => Uint8Array | undefined;
  /** TLS handshake + sign-on deadline per connection, ms (default 10 000, as Pacemaker). */
  handshakeTimeoutMs?: number;
  /** Largest accepted message payload (default 16 MiB). */
  maxPayload?: number;
  /** At most this many simultaneous connections (default 256); more are closed at once. */
  maxConnections?: number;
  secure?: SecureLayer;
  log?: RemoteLog;
  /** Log every message in and out (debug level). */
  trace?: boolean;
}

/** One connected client. */
export interface ClientState {
  readonly id: string;
  readonly peer: string;
  conn: MessageConnection | undefined;
  name: string | undefined;
  signedOn: boolean;
  ipcProvider: boolean;
  readonly since: number;
}

/** How {@link RemoteServer.shutdown} ended. */
export type ShutdownOutcome = "no-provider" | "nack" | "released" | "timeout";

/** The server. */
export class RemoteServer {
  readonly #o: RemoteServerOptions;
  readonly #clients = new Map<string, ClientState>();
  readonly #dispatch: Dispatcher;
  #server: Server | undefined;
  #sockets = new Set<Duplex>();
  #shutdownWaiter: ((ev: "ack" | "nack" | "gone") => void) | undefined;
  #log: RemoteLog;

  constructor(opts: RemoteServerOptions) {
    this.#o = opts;
    this.#log = opts.log ?? (() => {});
    this.#dispatch = new Dispatcher(opts.backend, this.#clients, this.#log, (c, e, id, t) => this.#send(c, e, id, t));
  }

  /** Connected clients (signed on or not). */
  get clients(): readonly ClientState[] {
    return [...this.#clients.values()];
  }

  /** The dispatcher's resource table and active operations (for status and tests). */
  get state(): Dispatcher {
    return this.#dispatch;
  }

  /** Listen on TCP (dual stack when host is "::" or unset). Resolves the bound address. */
  listen(o: { host?: string; port?: number } = {}): Promise<{ address: string; port: number }> {
    return new Promise((resolve, reject) => {
      const srv = createServer((sock) => this.#onSocket(sock));
      srv.once("error", (e: NodeJS.ErrnoException) => {
        reject(new AtriumError("REMOTE_LISTEN_FAILED", `Cannot listen on ${o.host ?? "::"} port ${o.port ?? 3121}: ${e.message}`, { cause: e }));
      });
      const host = o.host === undefined || o.host === "" ? "::" : o.host;
      srv.listen({ host, port: o.port ?? 3121, ipv6Only: false, backlog: 10 }, () => {
        srv.removeAllListeners("error");
        srv.on("error", (e) => this.#log("error", `Listener error: ${e.message}`));
        this.#server = srv;
        const a = srv.address();
        if (a !== null && typeof a === "object") resolve({ address: a.address, port: a.port });
        else resolve({ address: host, port: o.port ?? 3121 });
      });
    });
  }

  #onSocket(sock: Socket): void {
    sock.setNoDelay(true);
    const peer = `${sock.remoteAddress ?? "?"}:${sock.remotePort ?? "?"}`;
    this.accept(sock, peer);
  }

  /** Serve one connected byte stream (TCP socket, or an in-memory stream in tests). */
  accept(tcp: Duplex, peer: string): void {
    const max = this.#o.maxConnections ?? 256;
    tcp.on("error", () => {});
    if (this.#sockets.size >= max) {
      this.#log("warn", `Connection from ${peer} refused: ${max} connections already open`);
      tcp.destroy();
      return;
    }
    this.#sockets.add(tcp);
    tcp.once("close", () => this.#sockets.delete(tcp));
    const c: ClientState = { id: crypto.randomUUID(), peer, conn: undefined, name: undefined, signedOn: false, ipcProvider: false, since: Date.now() };
    const deadlineMs = this.#o.handshakeTimeoutMs ?? 10_000;
    let deadlineHit = false;
    const deadline = setTimeout(() => {
      if (c.signedOn) return;
      deadlineHit = true;
      if (c.conn === undefined) {
        this.#log("info", `Connection from ${peer} closed after ${elapsed(c)}: no TLS handshake within ${deadlineMs} ms`);
      } else c.conn.destroy(`no sign-on within ${deadlineMs} ms`);
      tcp.destroy();
    }, deadlineMs);
    (deadline as { unref?: () => void }).unref?.();
    tcp.once("close", () => clearTimeout(deadline));
    (this.#o.secure ?? tlsPskSecure).server(tcp, { key: this.#o.key, handshakeTimeoutMs: deadlineMs }).then(
      (ch) => {
        if (tcp.destroyed || ch.stream.destroyed) {
          const err = (ch.stream as { errored?: Error | null }).errored;
          this.#log("info", `Connection from ${peer} closed after ${elapsed(c)}: failed right after the TLS handshake${err ? ` (${err.message})` : ""}`);
          ch.stream.destroy();
          return;
        }
        this.#clients.set(c.id, c);
        c.conn = new MessageConnection(ch.stream, {
          recordPerWrite: ch.recordPerWrite,
          ...(this.#o.maxPayload !== undefined ? { maxPayload: this.#o.maxPayload } : {}),
          onMessage: (e) => this.#onMessage(c, e),
          onClose: (reason) => {
            clearTimeout(deadline);
            this.#clients.delete(c.id);
            this.#log("info", `Connection ${c.name ? `"${c.name}" ` : ""}from ${peer} closed after ${elapsed(c)}, ${c.conn?.received ?? 0} messages in, ${c.conn?.sent ?? 0} out: ${reason}`);
            this.#dispatch.clientGone(c);
            if (this.#shutdownWaiter && ![...this.#clients.values()].some((x) => x.ipcProvider)) this.#shutdownWaiter("gone");
          },
        });
        this.#log("debug", `TLS handshake with ${peer} done: ${ch.info.version} ${ch.info.cipher}`);
        // Tell every other named client a new client arrived (the controller treats it as a takeover).
        for (const o of this.#clients.values()) {
          if (o !== c && o.signedOn && o.name) this.#send(o, buildNewClientNotify(), 0, "notify");
        }
      },
      (e: unknown) => {
        clearTimeout(deadline);
        if (deadlineHit) return; // already logged
        const code = e instanceof AtriumError ? `${e.code}: ` : "";
        this.#log("info", `Connection from ${peer} closed after ${elapsed(c)}: TLS handshake failed (${code}${(e as Error)?.message ?? String(e)})`);
        tcp.destroy();
      },
    );
  }

  #send(c: ClientState, e: XmlElement, msgId: number, type: "reply" | "notify"): void {
    c.conn?.send(e, msgId, type).catch(() => {}); // a failed write closes the connection, logged there
    if (this.#o.trace) this.#log("debug", `>> ${c.peer} ${serializeXml(e)}`);
  }

  #onMessage(c: ClientState, root: XmlElement): void {
    if (this.#o.trace) this.#log("debug", `<< ${c.peer} ${serializeXml(root)}`);
    let req: RemoteRequest;
    try {
      req = parseRequest(root);
    } catch (e) {
      if (!(e instanceof RemoteMessageError)) throw e;
      let msgId = 0;
      try {
        msgId = requestMsgId(root);
      } catch { /* keep 0 */ }
      this.#log("warn", `Bad request from ${c.peer}: ${e.message}`);
      if (!c.signedOn) {
        c.conn?.close(`sign-on refused: ${e.message}`);
        return;
      }
      this.#send(c, buildReply(e.rc, this.#dispatch.nextCallId(), { extra: { atrium_error: e.message } }), msgId, "reply");
      return;
    }
    if (!c.signedOn) {
      if (req.op !== "register") {
        c.conn?.close(`first request was "${req.op === "unknown" ? req.name : req.op}", expected sign-on ("register")`);
        return;
      }
      const callId = this.#dispatch.nextCallId();
      if (compareVersions(req.protocolVersion, MIN_PROTOCOL_VERSION) < 0) {
        this.#send(c, buildReply(-Errno.EPROTO, callId, { origin: "process_lrmd_signon", extra: { lrmd_op: "register", lrmd_clientid: c.id, lrmd_protocol_version: PROTOCOL_VERSION } }), req.msgId, "reply");
        this.#log("warn", `Client ${c.peer} speaks protocol ${req.protocolVersion}, older than ${MIN_PROTOCOL_VERSION}: refused`);
        return;
      }
      c.signedOn = true;
      c.name = req.clientName;
      c.ipcProvider = req.ipcProvider;
      this.#send(c, buildReply(0, callId, { origin: "process_lrmd_signon", extra: { lrmd_op: "register", lrmd_clientid: c.id, lrmd_protocol_version: PROTOCOL_VERSION } }), req.msgId, "reply");
      this.#log("info", `Client "${c.name ?? ""}" from ${c.peer} signed on (protocol ${req.protocolVersion}${c.ipcProvider ? ", IPC provider" : ""})`);
      return;
    }
    if (req.op === "ipc_fwd") {
      const callId = this.#dispatch.nextCallId();
      this.#send(c, buildReply(0, callId), req.msgId, "reply");
      const ipc = req.ipc;
      if (ipc.ipcOp === "shutdown_ack") this.#shutdownWaiter?.("ack");
      else if (ipc.ipcOp === "shutdown_nack") this.#shutdownWaiter?.("nack");
      else if ((ipc.ipcOp === "response" || ipc.ipcOp === "event") && ipc.session !== undefined) {
        // We serve no local IPC sessions: tell the provider this session is gone.
        this.#send(c, buildIpcNotify("destroy", { lrmd_ipc_session: ipc.session }), 0, "notify");
      }
      return;
    }
    try {
      this.#dispatch.handle(c, req);
    } catch (e) {
      // A backend failure must not take the connection down: log it, answer if still possible.
      this.#log("error", `Cannot handle "${req.op === "unknown" ? req.name : req.op}" from ${c.peer}: ${(e as Error)?.message ?? String(e)}`);
      this.#send(c, buildReply(-Errno.EPROTO, this.#dispatch.nextCallId(), { extra: { atrium_error: `internal error: ${(e as Error)?.message ?? String(e)}` } }), req.msgId, "reply");
    }
  }

  /**
   * The SIGTERM path: with an IPC provider (the cluster) connected, send it `shutdown_req`,
   * stop accepting connections, and wait (at most `timeoutMs`) for the cluster to move the
   * resources off and disconnect, or for `shutdown_nack`. Without a provider, return at once.
   */
  async shutdown(o: { timeoutMs?: number } = {}): Promise<ShutdownOutcome> {
    this.#server?.close();
    const providers = [...this.#clients.values()].filter((c) => c.signedOn && c.ipcProvider);
    if (providers.length === 0) return "no-provider";
    const timeoutMs = o.timeoutMs ?? 30_000;
    return await new Promise<ShutdownOutcome>((resolve) => {
      const timer = setTimeout(() => finish("timeout"), timeoutMs);
      const finish = (r: ShutdownOutcome) => {
        clearTimeout(timer);
        this.#shutdownWaiter = undefined;
        resolve(r);
      };
      this.#shutdownWaiter = (ev) => {
        if (ev === "nack") finish("nack");
        else if (ev === "gone") finish("released");
        else this.#log("info", "Cluster acknowledged the shutdown request; waiting for it to move resources off");
      };
      for (const p of providers) this.#send(p, buildIpcNotify("shutdown_req", { lrmd_ipc_session: "0" }), 0, "notify");
      this.#log("info", `Asked the cluster (${providers.map((p) => `"${p.name ?? p.peer}"`).join(", ")}) to move resources off before shutdown; waiting up to ${timeoutMs} ms`);
    });
  }

  /** Close the listener and every connection; stops the backend. */
  async close(): Promise<void> {
    this.#server?.close();
    for (const c of this.#clients.values()) c.conn?.close("server shutting down");
    for (const s of this.#sockets) s.destroy();
    await this.#o.backend.close?.();
  }
}

function elapsed(c: ClientState): string {
  return `${((Date.now() - c.since) / 1000).toFixed(1)} s`;
}
