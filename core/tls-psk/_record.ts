/**
 * The record layer: splitting the byte stream into records, and record protection for
 * plaintext, TLS 1.3 (RFC 8446 section 5) and TLS 1.2 AEAD (RFC 5246, 5288, 7905).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { aeadOpen, aeadSeal, expandLabel, hashLen } from "./_crypto.ts";
import type { AeadName, HashName } from "./_crypto.ts";
import { CT, MAX_CIPHERTEXT, MAX_PLAINTEXT } from "./_constants.ts";
import { TlsFailure } from "./_failure.ts";
import type { SuiteInfo } from "./_constants.ts";

/** One record as read from the wire. */
export interface RawRecord {
  readonly type: number;
  /** The 5-byte header (the AAD of TLS 1.3). */
  readonly header: Uint8Array;
  readonly fragment: Uint8Array;
}

/** Splits incoming bytes into records; holds at most one incomplete record. */
export class RecordSplitter {
  private buf: Buffer = Buffer.alloc(0);
  private seen = 0;

  /** Bytes held that do not yet form a complete record. */
  get buffered(): number {
    return this.buf.length;
  }

  push(chunk: Uint8Array): void {
    const c = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.buf = this.buf.length === 0 ? c : Buffer.concat([this.buf, c]);
  }

  /** The next complete record, or undefined when more bytes are needed. */
  next(): RawRecord | undefined {
    const b = this.buf;
    if (b.length >= 1) this.checkType(b[0]!);
    if (b.length >= 2 && b[1] !== 3) this.notTls();
    if (b.length < 5) return undefined;
    const len = (b[3]! << 8) | b[4]!;
    if (len > MAX_CIPHERTEXT) {
      if (this.seen === 0) this.notTls();
      throw new TlsFailure(
        "TLS_PROTOCOL",
        "record_overflow",
        `Cannot accept a TLS record of ${len} bytes: limit is ${MAX_CIPHERTEXT}`,
      );
    }
    if (b.length < 5 + len) return undefined;
    this.seen++;
    const rec = { type: b[0]!, header: b.subarray(0, 5), fragment: b.subarray(5, 5 + len) };
    this.buf = b.subarray(5 + len);
    return rec;
  }

  private checkType(t: number): void {
    if (t < CT.ccs || t > CT.appData) {
      if (this.seen === 0) this.notTls();
      throw new TlsFailure(
        "TLS_PROTOCOL",
        "unexpected_message",
        `Cannot accept a TLS record of content type ${t}`,
      );
    }
  }

  private notTls(): never {
    const head = this.buf.subarray(0, 8).toString("hex");
    throw new TlsFailure(
      this.seen === 0 ? "TLS_NOT_TLS" : "TLS_PROTOCOL",
      this.seen === 0 ? undefined : "decode_error",
      `Cannot read TLS from the peer: received bytes that are not a TLS record (starting ${
        JSON.stringify(head)
      })`,
    );
  }
}

/** Record protection in one direction. */
export interface RecordProtection {
  readonly encrypted: boolean;
  /** A complete record carrying `data` (at most 2^14 bytes) as content `type`. */
  seal(type: number, data: Uint8Array): Buffer;
  /** The content type and plaintext of a record; throws a TlsFailure (bad_record_mac, ...). */
  open(rec: RawRecord): { type: number; data: Buffer };
}

function header(type: number, version: number, len: number): Buffer {
  const h = Buffer.allocUnsafe(5);
  h[0] = type;
  h.writeUInt16BE(version, 1);
  h.writeUInt16BE(len, 3);
  return h;
}

function badMac(): TlsFailure {
  return new TlsFailure(
    "TLS_PROTOCOL",
    "bad_record_mac",
    "Cannot decrypt a TLS record: authentication failed",
  );
}

function overflow(len: number): TlsFailure {
  return new TlsFailure(
    "TLS_PROTOCOL",
    "record_overflow",
    `Cannot accept a TLS record of ${len} plaintext bytes: limit is ${MAX_PLAINTEXT}`,
  );
}

/** No protection (the start of every handshake). */
export class PlainProtection implements RecordProtection {
  readonly encrypted = false;
  recordVersion: number;

  constructor(recordVersion = 0x0303) {
    this.recordVersion = recordVersion;
  }

  seal(type: number, data: Uint8Array): Buffer {
    return Buffer.concat([header(type, this.recordVersion, data.length), data]);
  }

  open(rec: RawRecord): { type: number; data: Buffer } {
    if (rec.fragment.length > MAX_PLAINTEXT) throw overflow(rec.fragment.length);
    return { type: rec.type, data: rec.fragment as Buffer };
  }
}

/** The per-record nonce: iv XOR the 64-bit sequence number, left-padded. */
function xorNonce(iv: Uint8Array, seq: number): Buffer {
  const n = Buffer.from(iv);
  const hi = Math.floor(seq / 0x100000000);
  const lo = seq >>> 0;
  const o = n.length - 8;
  n.writeUInt32BE((n.readUInt32BE(o) ^ hi) >>> 0, o);
  n.writeUInt32BE((n.readUInt32BE(o + 4) ^ lo) >>> 0, o + 4);
  return n;
}

function seq64(seq: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt32BE(Math.floor(seq / 0x100000000), 0);
  b.writeUInt32BE(seq >>> 0, 4);
  return b;
}

/** TLS 1.3 record protection from a traffic secret; supports key update. */
export class Tls13Protection implements RecordProtection {
  readonly encrypted = true;
  private readonly hash: HashName;
  private readonly aead: AeadName;
  private readonly keyLen: number;
  private secret: Buffer;
  private key!: Buffer;
  private iv!: Buffer;
  /** The sequence number of the next record. */
  seq = 0;

  constructor(suite: SuiteInfo, secret: Buffer) {
    this.hash = suite.hash;
    this.aead = suite.aead;
    this.keyLen = suite.keyLen;
    this.secret = secret;
    this.derive();
  }

  private derive(): void {
    this.key = expandLabel(this.hash, this.secret, "key", new Uint8Array(0), this.keyLen);
    this.iv = expandLabel(this.hash, this.secret, "iv", new Uint8Array(0), 12);
    this.seq = 0;
  }

  /** Switch to the next generation of traffic secret (RFC 8446 section 7.2). */
  update(): void {
    this.secret = expandLabel(this.hash, this.secret, "traffic upd", new Uint8Array(0), hashLen(this.hash));
    this.derive();
  }

  seal(type: number, data: Uint8Array): Buffer {
    const h = header(CT.appData, 0x0303, data.length + 1 + 16);
    const parts = aeadSeal(this.aead, this.key, xorNonce(this.iv, this.seq++), h, [
      data,
      Uint8Array.of(type),
    ]);
    return Buffer.concat([h, ...parts]);
  }

  open(rec: RawRecord): { type: number; data: Buffer } {
    if (rec.type !== CT.appData) {
      throw new TlsFailure(
        "TLS_PROTOCOL",
        "unexpected_message",
        `Cannot accept an unprotected TLS record of content type ${rec.type}`,
      );
    }
    const plain = aeadOpen(this.aead, this.key, xorNonce(this.iv, this.seq), rec.header, rec.fragment);
    if (plain === undefined) throw badMac();
    this.seq++;
    let i = plain.length - 1;
    while (i >= 0 && plain[i] === 0) i--;
    if (i < 0) {
      throw new TlsFailure(
        "TLS_PROTOCOL",
        "unexpected_message",
        "Cannot accept a TLS 1.3 record without a content type",
      );
    }
    if (i > MAX_PLAINTEXT) throw overflow(i);
    return { type: plain[i]!, data: plain.subarray(0, i) };
  }
}

/** TLS 1.2 AEAD record protection (AES-GCM with explicit nonce, or ChaCha20-Poly1305). */
export class Tls12Protection implements RecordProtection {
  readonly encrypted = true;
  private readonly aead: AeadName;
  private readonly key: Buffer;
  private readonly iv: Buffer;
  private readonly explicit: boolean;
  seq = 0;

  /** `iv` is the 4-byte GCM salt or the 12-byte ChaCha20-Poly1305 IV. */
  constructor(suite: SuiteInfo, key: Buffer, iv: Buffer) {
    this.aead = suite.aead;
    this.key = key;
    this.iv = iv;
    this.explicit = suite.aead !== "chacha20-poly1305";
  }

  private aad(seq: number, type: number, len: number): Buffer {
    const a = Buffer.allocUnsafe(13);
    seq64(seq).copy(a, 0);
    a[8] = type;
    a.writeUInt16BE(0x0303, 9);
    a.writeUInt16BE(len, 11);
    return a;
  }

  seal(type: number, data: Uint8Array): Buffer {
    const seq = this.seq++;
    const aad = this.aad(seq, type, data.length);
    if (this.explicit) {
      const explicitNonce = seq64(seq);
      const nonce = Buffer.concat([this.iv, explicitNonce]);
      const parts = aeadSeal(this.aead, this.key, nonce, aad, [data]);
      return Buffer.concat([header(type, 0x0303, 8 + data.length + 16), explicitNonce, ...parts]);
    }
    const parts = aeadSeal(this.aead, this.key, xorNonce(this.iv, seq), aad, [data]);
    return Buffer.concat([header(type, 0x0303, data.length + 16), ...parts]);
  }

  open(rec: RawRecord): { type: number; data: Buffer } {
    const f = rec.fragment;
    const over = this.explicit ? 24 : 16;
    if (f.length < over) throw badMac();
    const plainLen = f.length - over;
    if (plainLen > MAX_PLAINTEXT) throw overflow(plainLen);
    const aad = this.aad(this.seq, rec.type, plainLen);
    const nonce = this.explicit ? Buffer.concat([this.iv, f.subarray(0, 8)]) : xorNonce(this.iv, this.seq);
    const plain = aeadOpen(this.aead, this.key, nonce, aad, this.explicit ? f.subarray(8) : f);
    if (plain === undefined) throw badMac();
    this.seq++;
    return { type: rec.type, data: plain };
  }
}
