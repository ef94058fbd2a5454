/**
 * The frame codec of the Pacemaker remote protocol (`lib/common/remote.c`, 2.1.5): a packed
 * 40-byte header in the sender's byte order followed by a NUL-terminated XML payload.
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | u32 | magic 0xBADADBBD (byte-swapped: peer of the other endianness) |
 * | 4 | u32 | version (1) |
 * | 8 | u64 | id (sender's counter) |
 * | 16 | u64 | flags (0) |
 * | 24 | u32 | size_total = header + payload |
 * | 28 | u32 | payload_offset (40) |
 * | 32 | u32 | payload_compressed (0 = plain; else bzip2 stream length) |
 * | 36 | u32 | payload_uncompressed (strlen(xml) + 1) |
 *
 * We always send little-endian, uncompressed frames. We accept either byte order, and bzip2
 * payloads (decoded by our own small decompressor, bounded by the declared size).
 *
 * @example
 * ```ts
 * const { header, payload } = encodeFrame("<lrmd_reply/>", 1);
 * const dec = new FrameDecoder();
 * dec.push(header); const [f] = dec.push(payload); // f.xml === "<lrmd_reply/>"
 * ```
 */
import { AtriumError } from "../errors.ts";
import { ByteQueue } from "../_byte_queue.ts";
import { bunzip2 } from "./_bzip2.ts";

/** Size of the frame header in bytes. */
export const HEADER_SIZE = 40;
/** `ENDIAN_LOCAL` of Pacemaker. */
export const FRAME_MAGIC = 0xbadadbbd;
/** `REMOTE_MSG_VERSION` of Pacemaker 2.1.5. */
export const FRAME_VERSION = 1;
/** Default largest accepted payload (uncompressed), 16 MiB. */
export const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;

/** The decoded fields of a frame header. */
export interface FrameHeader {
  readonly littleEndian: boolean;
  readonly version: number;
  readonly id: bigint;
  readonly flags: bigint;
  readonly sizeTotal: number;
  readonly payloadOffset: number;
  readonly payloadCompressed: number;
  readonly payloadUncompressed: number;
}

/** One received frame: its header and the XML text (without the trailing NUL). */
export interface Frame {
  readonly header: FrameHeader;
  readonly xml: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Encode one message as a header and a payload, to be written as two separate writes (the
 * real peer's reader needs the header in a TLS record of its own).
 */
export function encodeFrame(xml: string, id: number | bigint): { header: Uint8Array; payload: Uint8Array } {
  const text = encoder.encode(xml);
  const payload = new Uint8Array(text.length + 1);
  payload.set(text, 0);
  const header = new Uint8Array(HEADER_SIZE);
  const v = new DataView(header.buffer);
  v.setUint32(0, FRAME_MAGIC, true);
  v.setUint32(4, FRAME_VERSION, true);
  v.setBigUint64(8, BigInt(id), true);
  v.setBigUint64(16, 0n, true);
  v.setUint32(24, HEADER_SIZE + payload.length, true);
  v.setUint32(28, HEADER_SIZE, true);
  v.setUint32(32, 0, true);
  v.setUint32(36, payload.length, true);
  return { header, payload };
}

function frameError(index: number, what: string, details: Record<string, unknown> = {}): AtriumError {
  return new AtriumError("REMOTE_FRAME_INVALID", `Cannot decode frame ${index}: ${what}`, {
    details: { frame: index, ...details },
  });
}

/** Decode and check a 40-byte header; `index` only names the frame in errors. */
export function decodeHeader(bytes: Uint8Array, index = 1, maxPayload = DEFAULT_MAX_PAYLOAD): FrameHeader {
  if (bytes.length < HEADER_SIZE) throw frameError(index, `header is ${bytes.length} bytes, expected ${HEADER_SIZE}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  const raw = v.getUint32(0, true);
  let le: boolean;
  if (raw === FRAME_MAGIC) le = true;
  else if (v.getUint32(0, false) === FRAME_MAGIC) le = false;
  else {
    throw frameError(index, `magic is 0x${raw.toString(16).padStart(8, "0")}, expected 0xbadadbbd in either byte order (not a Pacemaker remote frame)`);
  }
  const h: FrameHeader = {
    littleEndian: le,
    version: v.getUint32(4, le),
    id: v.getBigUint64(8, le),
    flags: v.getBigUint64(16, le),
    sizeTotal: v.getUint32(24, le),
    payloadOffset: v.getUint32(28, le),
    payloadCompressed: v.getUint32(32, le),
    payloadUncompressed: v.getUint32(36, le),
  };
  if (h.payloadOffset < HEADER_SIZE || h.payloadOffset > h.sizeTotal) {
    throw frameError(index, `payload_offset ${h.payloadOffset} is outside ${HEADER_SIZE}..size_total ${h.sizeTotal}`);
  }
  if (h.sizeTotal - HEADER_SIZE > maxPayload + 64) {
    throw frameError(index, `size_total ${h.sizeTotal} exceeds the limit of ${maxPayload} payload bytes`, { limit: maxPayload });
  }
  if (h.payloadUncompressed === 0) throw frameError(index, "payload_uncompressed is 0, expected at least 1 (the NUL)");
  if (h.payloadUncompressed > maxPayload) {
    throw frameError(index, `payload_uncompressed ${h.payloadUncompressed} exceeds the limit of ${maxPayload} bytes`, { limit: maxPayload });
  }
  const room = h.sizeTotal - h.payloadOffset;
  if (h.payloadCompressed !== 0) {
    if (h.payloadCompressed > room) {
      throw frameError(index, `payload_compressed ${h.payloadCompressed} exceeds the ${room} payload bytes in the frame`);
    }
  } else if (h.payloadUncompressed > room) {
    throw frameError(index, `payload_uncompressed ${h.payloadUncompressed} exceeds the ${room} payload bytes in the frame`);
  }
  return h;
}

function payloadText(h: FrameHeader, body: Uint8Array, index: number): string {
  let bytes: Uint8Array;
  if (h.payloadCompressed !== 0) {
    const packed = body.subarray(0, h.payloadCompressed);
    try {
      bytes = bunzip2(packed, h.payloadUncompressed);
    } catch (e) {
      throw frameError(index, `bzip2 payload of ${h.payloadCompressed} bytes is not a valid bzip2 stream of ${h.payloadUncompressed} bytes: ${(e as Error).message}`);
    }
    if (bytes.length !== h.payloadUncompressed) {
      throw frameError(index, `bzip2 payload decompressed to ${bytes.length} bytes, expected payload_uncompressed ${h.payloadUncompressed}`);
    }
  } else {
    bytes = body.subarray(0, h.payloadUncompressed);
  }
  // The payload is NUL-terminated; tolerate a missing NUL (Pacemaker only logs it).
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  try {
    return decoder.decode(bytes.subarray(0, end));
  } catch {
    throw frameError(index, "payload is not valid UTF-8");
  }
}

/**
 * Incremental frame reader: feed it bytes as they arrive (any chunking), get whole frames out.
 * After it throws, the stream is unusable (framing is lost) and the connection must close.
 */
export class FrameDecoder {
  readonly #bytes = new ByteQueue();
  #header: FrameHeader | undefined;
  #index = 0;
  readonly #maxPayload: number;
  #failed = false;

  constructor(opts: { maxPayload?: number } = {}) {
    this.#maxPayload = opts.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  }

  /** Number of bytes held waiting for the rest of a frame. */
  get buffered(): number {
    return this.#bytes.length;
  }

  /** Number of frames decoded so far. */
  get count(): number {
    return this.#index;
  }

  /** Add bytes; returns the frames completed by them. Throws `AtriumError` REMOTE_FRAME_INVALID. */
  push(chunk: Uint8Array): Frame[] {
    if (this.#failed) throw new AtriumError("REMOTE_FRAME_INVALID", "Cannot decode frames: the stream already failed");
    this.#bytes.push(chunk);
    const out: Frame[] = [];
    try {
      for (;;) {
        if (this.#header === undefined) {
          if (this.#bytes.length < HEADER_SIZE) break;
          this.#header = decodeHeader(this.#bytes.take(HEADER_SIZE), this.#index + 1, this.#maxPayload);
        }
        const h = this.#header;
        const rest = h.sizeTotal - HEADER_SIZE;
        if (this.#bytes.length < rest) break;
        const body = this.#bytes.take(rest);
        this.#header = undefined;
        this.#index++;
        out.push({ header: h, xml: payloadText(h, body.subarray(h.payloadOffset - HEADER_SIZE), this.#index) });
      }
    } catch (e) {
      this.#failed = true;
      this.#bytes.clear();
      throw e;
    }
    return out;
  }
}
