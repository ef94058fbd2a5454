/**
 * Byte helpers for TLS wire structures: a bounds-checked reader and vector encoders.
 * A short or malformed structure throws a `TlsFailure` with alert decode_error.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { TlsFailure } from "./_failure.ts";

/** A cursor over one TLS structure; every read is bounds-checked. */
export class Reader {
  readonly buf: Uint8Array;
  pos: number;
  readonly end: number;
  readonly what: string;

  constructor(buf: Uint8Array, what: string, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.what = what;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.end - this.pos < n) {
      throw new TlsFailure(
        "TLS_PROTOCOL",
        "decode_error",
        `Cannot parse ${this.what}: structure is truncated`,
      );
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u24(): number {
    this.need(3);
    const v = (this.buf[this.pos]! << 16) | (this.buf[this.pos + 1]! << 8) | this.buf[this.pos + 2]!;
    this.pos += 3;
    return v;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  vec8(): Uint8Array {
    return this.bytes(this.u8());
  }

  vec16(): Uint8Array {
    return this.bytes(this.u16());
  }

  vec24(): Uint8Array {
    return this.bytes(this.u24());
  }

  /** A sub-reader over a vector with a 1-, 2- or 3-byte length prefix. */
  sub(lenBytes: 1 | 2 | 3, what: string): Reader {
    const v = lenBytes === 1 ? this.vec8() : lenBytes === 2 ? this.vec16() : this.vec24();
    return new Reader(v, what);
  }

  /** Fail unless the structure was consumed exactly. */
  done(): void {
    if (this.pos !== this.end) {
      throw new TlsFailure(
        "TLS_PROTOCOL",
        "decode_error",
        `Cannot parse ${this.what}: unexpected trailing bytes`,
      );
    }
  }
}

/** Concatenate byte arrays into one Buffer. */
export function concat(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts as Uint8Array[]);
}

/** Big-endian 16-bit value. */
export function u16(v: number): Uint8Array {
  return Uint8Array.of((v >>> 8) & 0xff, v & 0xff);
}

/** Big-endian 24-bit value. */
export function u24(v: number): Uint8Array {
  return Uint8Array.of((v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** A vector with a 1-byte length prefix. */
export function vec8(...parts: Uint8Array[]): Buffer {
  const body = concat(parts);
  if (body.length > 0xff) {
    throw new RangeError(`Cannot encode TLS vector of ${body.length} bytes: limit is 255`);
  }
  return concat([Uint8Array.of(body.length), body]);
}

/** A vector with a 2-byte length prefix. */
export function vec16(...parts: Uint8Array[]): Buffer {
  const body = concat(parts);
  if (body.length > 0xffff) {
    throw new RangeError(`Cannot encode TLS vector of ${body.length} bytes: limit is 65535`);
  }
  return concat([u16(body.length), body]);
}

/** A vector with a 3-byte length prefix. */
export function vec24(...parts: Uint8Array[]): Buffer {
  const body = concat(parts);
  return concat([u24(body.length), body]);
}

/** Constant-time equality of two byte arrays (length leaks, content does not). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
