/**
 * Record input and output shared by both roles: protections per direction, the queue of
 * outgoing records, and reassembly of incoming handshake messages.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Duplex } from "node:stream";
import { AtriumError } from "../errors.ts";
import { CT, MAX_HANDSHAKE_MESSAGE, MAX_PLAINTEXT } from "./_constants.ts";
import { TlsFailure } from "./_failure.ts";
import { handshakeMessage } from "./_messages.ts";
import type { HandshakeMessage } from "./_messages.ts";
import { PlainProtection, RecordSplitter } from "./_record.ts";
import type { RawRecord, RecordProtection } from "./_record.ts";

/** The record-level half of a connection; the Engine adds the connection lifecycle. */
export abstract class RecordIo {
  readonly stream: Duplex;
  protected readonly splitter = new RecordSplitter();
  protected read: RecordProtection;
  protected write: RecordProtection;
  protected pendingRead: RecordProtection | undefined;
  /** Buffered handshake bytes not yet forming a whole message (fragments, joined once). */
  protected hsParts: Buffer[] = [];
  protected hsLen = 0;
  /** Server: undecryptable 0-RTT bytes the client may still send (we never accept early data). */
  skipEarlyData = 0;
  protected out: Buffer[] = [];
  /** TLS 1.3 was negotiated (or a HelloRetryRequest seen): compat CCS records are dropped. */
  tls13 = false;

  constructor(stream: Duplex) {
    this.stream = stream;
    this.read = new PlainProtection();
    this.write = new PlainProtection();
  }

  /** Hand a complete handshake message on; false when the connection closed meanwhile. */
  protected abstract dispatch(m: HandshakeMessage): boolean;

  /** Set the record version used while writing plaintext (0x0301 for a first ClientHello). */
  setPlainRecordVersion(v: number): void {
    if (this.write instanceof PlainProtection) this.write.recordVersion = v;
  }

  /** Queue a handshake message under the current write protection. */
  sendHandshake(m: HandshakeMessage): void {
    const raw = m.raw;
    for (let off = 0; off < raw.length; off += MAX_PLAINTEXT) {
      this.out.push(this.write.seal(CT.handshake, raw.subarray(off, off + MAX_PLAINTEXT)));
    }
  }

  /** Queue a ChangeCipherSpec record (always plaintext). */
  sendCcs(): void {
    this.out.push(new PlainProtection().seal(CT.ccs, Uint8Array.of(1)));
  }

  setWrite(p: RecordProtection): void {
    this.write = p;
  }

  setRead(p: RecordProtection): void {
    this.checkBoundary();
    this.read = p;
  }

  /** TLS 1.2: the read protection to install at the peer's ChangeCipherSpec. */
  setPendingRead(p: RecordProtection): void {
    this.pendingRead = p;
  }

  get readEncrypted(): boolean {
    return this.read.encrypted;
  }

  protected checkBoundary(): void {
    if (this.hsLen !== 0) {
      throw new TlsFailure(
        "TLS_PROTOCOL",
        "unexpected_message",
        "Cannot accept a handshake message that spans a key change",
      );
    }
  }

  /** Write queued records in one write. */
  flush(cb?: (err?: Error | null) => void): void {
    if (this.out.length === 0) {
      if (cb) queueMicrotask(() => cb());
      return;
    }
    const buf = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out);
    this.out = [];
    if (this.stream.destroyed || this.stream.writableEnded) {
      if (cb) {
        queueMicrotask(() =>
          cb(new AtriumError("TLS_CLOSED", "Cannot write TLS data: the connection is closed"))
        );
      }
      return;
    }
    this.stream.write(buf, cb);
  }

  /**
   * Server, TLS 1.3: a client that offered 0-RTT may send early data we never accepted. Such
   * records (plaintext-typed after a HelloRetryRequest, or undecryptable with the handshake key)
   * are dropped up to the budget (RFC 8446 section 4.2.10).
   */
  protected openOrSkip(rec: RawRecord): { type: number; data: Buffer } | undefined {
    if (rec.type !== CT.appData || rec.fragment.length > this.skipEarlyData) return this.read.open(rec);
    if (!this.read.encrypted) {
      this.skipEarlyData -= rec.fragment.length;
      return undefined;
    }
    try {
      const opened = this.read.open(rec);
      this.skipEarlyData = 0;
      return opened;
    } catch (e) {
      if (!(e instanceof TlsFailure) || e.alert !== "bad_record_mac") throw e;
      this.skipEarlyData -= rec.fragment.length;
      return undefined;
    }
  }

  protected onHandshakeBytes(data: Buffer): void {
    this.hsParts.push(data);
    this.hsLen += data.length;
    while (this.hsLen >= 4) {
      if (this.hsParts[0]!.length < 4) this.hsParts = [Buffer.concat(this.hsParts)];
      const head = this.hsParts[0]!;
      const len = (head[1]! << 16) | (head[2]! << 8) | head[3]!;
      if (len > MAX_HANDSHAKE_MESSAGE) {
        throw new TlsFailure(
          "TLS_PROTOCOL",
          "handshake_failure",
          `Cannot accept a handshake message of ${len} bytes: limit is ${MAX_HANDSHAKE_MESSAGE}`,
        );
      }
      if (this.hsLen < 4 + len) return; // fragments wait, joined once the message is complete
      const buf = this.hsParts.length === 1 ? head : Buffer.concat(this.hsParts);
      const rest = buf.subarray(4 + len);
      this.hsParts = rest.length === 0 ? [] : [rest];
      this.hsLen = rest.length;
      const m = handshakeMessage(buf[0]!, buf.subarray(4, 4 + len));
      if (!this.dispatch(m)) return;
    }
  }
}
