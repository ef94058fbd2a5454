/**
 * The connection engine: owns the underlying stream, runs the record layer, feeds handshake
 * messages to the client or server role, and carries application data once established.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Duplex } from "node:stream";
import { AtriumError } from "../errors.ts";
import { CT, HS, MAX_PLAINTEXT } from "./_constants.ts";
import { ALERT, normalizeFailure, peerAlertFailure, peerClosedFailure, TlsFailure } from "./_failure.ts";
import type { HandshakeMessage } from "./_messages.ts";
import { handshakeMessage } from "./_messages.ts";
import { PlainProtection, Tls13Protection } from "./_record.ts";
import { RecordIo } from "./_record_io.ts";
import type { RawRecord } from "./_record.ts";
import type { TlsPskInfo } from "./types.ts";

/** A handshake role (client or server) driven by the engine. */
export interface Role {
  start(): void;
  onMessage(m: HandshakeMessage): void;
}

/** What the engine does with the data flowing once established. */
export interface Sink {
  data(chunk: Buffer): boolean;
  end(): void;
  fail(err: Error): void;
}

const MAX_IDLE_RECORDS = 32;

/** One TLS connection over one underlying stream. */
export class Engine extends RecordIo {
  private idle = 0;
  /**
   * The client sent key-dependent data (a TLS 1.3 binder, a TLS 1.2 Finished) and awaits the
   * server's verdict. GnuTLS and OpenSSL answer a binder that does not verify with
   * illegal_parameter, and pacemaker-remoted (GnuTLS) just closes the connection on a wrong key:
   * either then means the peers hold different keys.
   */
  keyVerdictPending = false;
  state: "handshake" | "open" | "closed" = "handshake";
  role!: Role;
  sink: Sink | undefined;
  private paused = false;
  private writeClosed = false;
  /** The stream is being ended after a failure (and destroyed once flushed). */
  dropping = false;
  /** This side is the server. */
  readonly isServer: boolean;
  private readEnded = false;
  private onDone: ((err: Error | undefined, info?: TlsPskInfo) => void) | undefined;

  constructor(
    stream: Duplex,
    isServer: boolean,
    onDone: (err: Error | undefined, info?: TlsPskInfo) => void,
  ) {
    super(stream);
    this.isServer = isServer;
    this.onDone = onDone;
  }

  protected dispatch(m: HandshakeMessage): boolean {
    if (this.state === "handshake") this.role.onMessage(m);
    else if (this.state === "open") this.postHandshake(m);
    return this.state !== "closed";
  }

  /** The handshake completed: the driver installs the sink that receives application data. */
  complete(info: TlsPskInfo): void {
    this.state = "open";
    // Hold records that arrived with the last handshake message until the caller could attach
    // its handlers (the promise resolves in a microtask): data stays buffered, errors wait.
    this.paused = true;
    const done = this.onDone;
    this.onDone = undefined;
    done?.(undefined, info);
    setTimeout(() => this.resume(), 0);
  }

  /** Write application data: each call becomes its own record(s). */
  writeApp(chunk: Uint8Array, cb: (err?: Error | null) => void): void {
    if (this.state !== "open" || this.writeClosed) {
      queueMicrotask(() =>
        cb(new AtriumError("TLS_CLOSED", "Cannot write TLS data: the connection is closed"))
      );
      return;
    }
    for (let off = 0; off < chunk.length; off += MAX_PLAINTEXT) {
      this.out.push(this.write.seal(CT.appData, chunk.subarray(off, off + MAX_PLAINTEXT)));
    }
    this.flush(cb);
  }

  /** Send close_notify and end the underlying stream. */
  close(cb: () => void): void {
    if (this.state === "open" && !this.writeClosed) {
      this.writeClosed = true;
      this.out.push(this.write.seal(CT.alert, Uint8Array.of(1, ALERT.close_notify!)));
      this.flush();
      if (!this.stream.writableEnded) this.stream.end();
    }
    cb();
  }

  /** Bytes from the underlying stream. */
  onData(chunk: Uint8Array): void {
    if (this.state === "closed" || this.readEnded) return;
    this.splitter.push(chunk);
    this.pump();
  }

  /** The consumer wants more: resume reading. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pump();
    if (!this.paused && this.state !== "closed") this.stream.resume();
  }

  private pump(): void {
    try {
      let rec;
      while (!this.paused && !this.readEnded && this.state !== "closed" && (rec = this.splitter.next())) {
        this.onRecord(rec);
      }
      this.flush();
    } catch (e) {
      this.fail(e);
    }
    if (this.paused) this.stream.pause();
  }

  private onRecord(rec: RawRecord): void {
    if (rec.type === CT.ccs && (this.read instanceof PlainProtection || this.tls13 || this.pendingRead)) {
      if (rec.fragment.length !== 1 || rec.fragment[0] !== 1) {
        throw new TlsFailure(
          "TLS_PROTOCOL",
          "unexpected_message",
          "Cannot accept a malformed ChangeCipherSpec record",
        );
      }
      if (this.tls13) {
        if (this.state !== "handshake") {
          throw new TlsFailure(
            "TLS_PROTOCOL",
            "unexpected_message",
            "Cannot accept ChangeCipherSpec after the TLS 1.3 handshake",
          );
        }
        this.countIdle();
        return;
      }
      if (!this.pendingRead) {
        throw new TlsFailure(
          "TLS_PROTOCOL",
          "unexpected_message",
          "Cannot accept an unexpected ChangeCipherSpec",
        );
      }
      this.setRead(this.pendingRead);
      this.pendingRead = undefined;
      return;
    }
    if (
      rec.type === CT.alert && this.read.encrypted && this.state === "handshake" && rec.fragment.length === 2
    ) {
      this.onAlert(Buffer.from(rec.fragment)); // a peer that failed before switching keys
      return;
    }
    const opened = this.skipEarlyData > 0 && this.state === "handshake"
      ? this.openOrSkip(rec)
      : this.read.open(rec);
    if (opened === undefined) return;
    const { type, data } = opened;
    switch (type) {
      case CT.handshake:
        if (data.length === 0) {
          throw new TlsFailure(
            "TLS_PROTOCOL",
            "unexpected_message",
            "Cannot accept an empty handshake record",
          );
        }
        if (this.state === "handshake") this.idle = 0;
        else this.countIdle(); // post-handshake messages (tickets, key updates) are bounded too
        this.onHandshakeBytes(data);
        return;
      case CT.appData:
        if (this.state !== "open" || !this.sink) {
          throw new TlsFailure(
            "TLS_PROTOCOL",
            "unexpected_message",
            "Cannot accept application data before the handshake completed",
          );
        }
        if (data.length === 0) {
          this.countIdle();
          return;
        }
        this.idle = 0;
        if (!this.sink.data(data)) this.paused = true;
        return;
      case CT.alert:
        this.onAlert(data);
        return;
      default:
        throw new TlsFailure(
          "TLS_PROTOCOL",
          "unexpected_message",
          `Cannot accept a protected record of content type ${type}`,
        );
    }
  }

  private countIdle(): void {
    if (++this.idle > MAX_IDLE_RECORDS) {
      throw new TlsFailure(
        "TLS_PROTOCOL",
        "unexpected_message",
        `Cannot accept more than ${MAX_IDLE_RECORDS} records in a row without data`,
      );
    }
  }

  private postHandshake(m: HandshakeMessage): void {
    if (this.tls13) {
      if (m.type === HS.newSessionTicket && !this.isServer) return;
      if (m.type === HS.keyUpdate) {
        if (m.body.length !== 1 || m.body[0]! > 1) {
          throw new TlsFailure(
            "TLS_PROTOCOL",
            m.body.length === 1 ? "illegal_parameter" : "decode_error",
            "Cannot accept a malformed KeyUpdate",
          );
        }
        this.checkBoundary();
        (this.read as Tls13Protection).update();
        if (m.body[0] === 1 && !this.writeClosed) {
          this.sendHandshake(handshakeMessage(HS.keyUpdate, Uint8Array.of(0)));
          (this.write as Tls13Protection).update();
        }
        return;
      }
    } else if (m.type === HS.clientHello || m.type === HS.helloRequest) {
      this.countIdle();
      if (!this.writeClosed) {
        this.out.push(this.write.seal(CT.alert, Uint8Array.of(1, ALERT.no_renegotiation!)));
      }
      return;
    }
    throw new TlsFailure(
      "TLS_PROTOCOL",
      "unexpected_message",
      `Cannot accept handshake message ${m.type} after the handshake`,
    );
  }

  private onAlert(data: Uint8Array): void {
    if (data.length !== 2) {
      throw new TlsFailure("TLS_PROTOCOL", "decode_error", "Cannot parse a TLS alert: expected 2 bytes");
    }
    const level = data[0]!;
    const desc = data[1]!;
    if (desc === ALERT.close_notify) {
      if (this.state === "handshake") throw this.closedInHandshake();
      this.readEnded = true;
      this.sink?.end();
      return;
    }
    if (desc === ALERT.user_canceled || (level === 1 && !this.tls13)) {
      this.countIdle();
      return;
    }
    throw peerAlertFailure(desc, this.state === "handshake", this.keyVerdictPending);
  }

  /** Stop everything: send the failure's alert (if any), reject or error, drop the stream. */
  fail(e: unknown): void {
    if (this.state === "closed" && !this.onDone) return;
    const { err, alert } = normalizeFailure(e, this.state === "handshake");
    const wasHandshake = this.state === "handshake";
    this.state = "closed";
    this.out = [];
    if (alert !== undefined && !this.writeClosed && !this.stream.destroyed && !this.stream.writableEnded) {
      try {
        this.out.push(this.write.seal(CT.alert, Uint8Array.of(2, ALERT[alert] ?? ALERT.internal_error!)));
        this.flush();
      } catch {
        // nothing more to do
      }
    }
    this.dropStream();
    const done = this.onDone;
    this.onDone = undefined;
    if (done) done(err);
    else if (!wasHandshake) this.sink?.fail(err);
  }

  /** End the underlying stream (letting queued bytes out), destroying it shortly after. */
  dropStream(): void {
    const s = this.stream;
    if (s.destroyed || this.dropping) return;
    this.dropping = true;
    if (!s.writableEnded) s.end();
    const t = setTimeout(() => s.destroy(), 1000);
    (t as { unref?: () => void }).unref?.();
    s.once("finish", () => {
      clearTimeout(t);
      s.destroy();
    });
  }

  /** The underlying stream ended or closed. */
  onEnd(): void {
    if (this.state === "handshake") {
      this.fail(this.closedInHandshake());
      return;
    }
    if (!this.readEnded) {
      this.readEnded = true;
      this.sink?.end();
    }
  }

  /** The underlying stream closed (without a clean end of stream, it was reset or destroyed). */
  onClose(): void {
    if (this.state === "handshake") {
      this.fail(peerClosedFailure(false));
      return;
    }
    this.onEnd();
  }

  /** The underlying stream failed (refused, reset...): never taken as a key verdict. */
  onError(e: unknown): void {
    if (this.state === "closed" && !this.onDone) return;
    const msg = e instanceof Error ? e.message : String(e);
    this.fail(
      new AtriumError("TLS_CLOSED", `TLS connection failed: the underlying stream failed: ${msg}`, {
        cause: e,
      }),
    );
  }

  private closedInHandshake(): TlsFailure {
    return peerClosedFailure(this.keyVerdictPending);
  }
}
