/**
 * A message connection over a plaintext duplex (normally a TLS-PSK socket): frames in, XML
 * elements out, and serialized writes where each frame's header and payload are separate
 * `write()` calls, never sharing a TLS record with another message (the real Pacemaker reader
 * needs this, see the protocol reference §2.1).
 *
 * @example
 * ```ts
 * const conn = new MessageConnection(tls, {
 *   onMessage: (el) => console.log(el.name),
 *   onClose: (reason) => console.log(`closed: ${reason}`),
 * });
 * await conn.send(el("lrmd_command", { lrmd_op: "register" }), 1, "request");
 * ```
 */
import type { Duplex } from "node:stream";
import { AtriumError } from "../errors.ts";
import { encodeFrame, FrameDecoder, type FrameHeader } from "./frame.ts";
import { parseXml, serializeXml, type XmlElement } from "./xml.ts";

/** Process-wide frame id counter, as Pacemaker's `pcmk__remote_send_xml()`. */
let frameCounter = 0n;

/** Options of {@link MessageConnection}. */
export interface MessageConnectionOptions {
  /** Called for each well-formed message, in order. Exceptions close the connection. */
  onMessage(el: XmlElement, header: FrameHeader): void;
  /** Called once when the connection closes, with a human reason and the error if any. */
  onClose(reason: string, error?: unknown): void;
  /** Largest accepted payload (bytes). */
  maxPayload?: number;
  /**
   * True when the stream puts every `write()` in its own TLS record(s) (core/tls-psk does):
   * header and payload are then written back to back without waiting in between.
   */
  recordPerWrite?: boolean;
  /**
   * Close the connection when more than this many bytes wait to be written (a peer that does
   * not read must not make us buffer without bound). Default 64 MiB.
   */
  maxQueuedBytes?: number;
}

/** A framed XML message connection. */
export class MessageConnection {
  readonly #stream: Duplex;
  readonly #opts: MessageConnectionOptions;
  readonly #decoder: FrameDecoder;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  #closeReason = "";
  #queued = 0;
  /** Messages received. */
  received = 0;
  /** Messages sent. */
  sent = 0;

  constructor(stream: Duplex, opts: MessageConnectionOptions) {
    this.#stream = stream;
    this.#opts = opts;
    this.#decoder = new FrameDecoder(opts.maxPayload === undefined ? {} : { maxPayload: opts.maxPayload });
    stream.on("data", (chunk: Uint8Array) => this.#onData(chunk));
    stream.on("end", () => this.close("peer closed the connection"));
    stream.on("close", () => this.close("connection closed"));
    stream.on("error", (e: unknown) => this.close(`transport error: ${(e as Error)?.message ?? String(e)}`, e));
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The reason given when the connection closed ("" while open). */
  get closeReason(): string {
    return this.#closeReason;
  }

  #onData(chunk: Uint8Array): void {
    if (this.#closed) return;
    let frames;
    try {
      frames = this.#decoder.push(chunk);
    } catch (e) {
      this.close((e as Error).message, e);
      return;
    }
    for (const f of frames) {
      if (this.#closed) return;
      let root: XmlElement;
      try {
        root = parseXml(f.xml);
      } catch (e) {
        this.close(`Cannot parse message ${this.#decoder.count}: ${(e as Error).message}`, e);
        return;
      }
      this.received++;
      try {
        this.#opts.onMessage(root, f.header);
      } catch (e) {
        this.close(`Cannot handle message ${this.#decoder.count}: ${(e as Error).message}`, e);
        return;
      }
    }
  }

  #write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#closed || this.#stream.destroyed) {
        reject(new AtriumError("REMOTE_CONNECTION_CLOSED", `Cannot send: connection closed (${this.#closeReason || "destroyed"})`));
        return;
      }
      this.#stream.write(bytes, (err) => (err ? reject(err) : resolve()));
    });
  }

  /**
   * Send one message: `lrmd_remote_msg_id` and `lrmd_remote_msg_type` are appended last (as
   * Pacemaker does), then the frame goes out after every earlier one. Rejects with
   * `AtriumError` REMOTE_CONNECTION_CLOSED if the connection is or becomes closed.
   */
  send(root: XmlElement, msgId: number, type: "request" | "reply" | "notify"): Promise<void> {
    root.attrs.delete("lrmd_remote_msg_id");
    root.attrs.delete("lrmd_remote_msg_type");
    root.attrs.set("lrmd_remote_msg_id", String(msgId));
    root.attrs.set("lrmd_remote_msg_type", type);
    const { header, payload } = encodeFrame(serializeXml(root), ++frameCounter);
    const size = header.length + payload.length;
    const limit = this.#opts.maxQueuedBytes ?? 64 * 1024 * 1024;
    if (this.#queued + size + this.#stream.writableLength > limit && !this.#closed) {
      this.destroy(`peer is not reading: more than ${limit} bytes waiting to be sent`);
    }
    this.#queued += size;
    const run = async () => {
      if (this.#opts.recordPerWrite) {
        const h = this.#write(header);
        h.catch(() => {}); // the payload write reports the same failure
        await this.#write(payload);
        await h;
      } else {
        await this.#write(header);
        await this.#write(payload);
      }
      this.sent++;
    };
    const p = this.#queue.then(run).finally(() => {
      this.#queued -= size;
    });
    this.#queue = p.catch(() => {});
    return p;
  }

  /** Close (idempotent): ends the stream, then destroys it if it lingers. */
  close(reason: string, error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    const s = this.#stream;
    try {
      if (!s.destroyed) {
        s.end();
        const t = setTimeout(() => s.destroy(), 1000);
        (t as { unref?: () => void }).unref?.();
        s.once("close", () => clearTimeout(t));
      }
    } catch {
      s.destroy();
    }
    s.on("error", () => {}); // errors after close are expected and already reported
    this.#opts.onClose(reason, error);
  }

  /** Destroy at once without a graceful end. */
  destroy(reason: string): void {
    this.close(reason);
    this.#stream.destroy();
  }
}
