/**
 * Handshake message framing and the hello messages: encoding and strict parsing.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { concat, equalBytes, Reader, u16, u24, vec16, vec8 } from "./_bytes.ts";
import { EXT, HS } from "./_constants.ts";
import { TlsFailure } from "./_failure.ts";

/** A whole handshake message: its type, body and the bytes that enter the transcript. */
export interface HandshakeMessage {
  readonly type: number;
  readonly body: Uint8Array;
  readonly raw: Uint8Array;
}

/** Frame a handshake message. */
export function handshakeMessage(type: number, body: Uint8Array): HandshakeMessage {
  const raw = concat([Uint8Array.of(type), u24(body.length), body]);
  return { type, body: raw.subarray(4), raw };
}

/** Encode one extension. */
export function ext(type: number, data: Uint8Array): Buffer {
  return concat([u16(type), vec16(data)]);
}

/** Extensions in wire order, by type. */
export interface Extensions {
  readonly map: ReadonlyMap<number, Uint8Array>;
  readonly order: readonly number[];
}

/** Parse an extensions block (the vector, with its length prefix, possibly absent). */
export function parseExtensions(r: Reader, what: string): Extensions {
  const map = new Map<number, Uint8Array>();
  const order: number[] = [];
  if (r.remaining === 0) return { map, order };
  const er = r.sub(2, `${what} extensions`);
  while (er.remaining > 0) {
    const t = er.u16();
    const d = er.vec16();
    if (map.has(t)) {
      throw new TlsFailure(
        "TLS_PROTOCOL",
        "illegal_parameter",
        `Cannot parse ${what}: extension ${t} appears twice`,
      );
    }
    map.set(t, d);
    order.push(t);
  }
  return { map, order };
}

/** A parsed ClientHello. */
export interface ClientHello {
  readonly legacyVersion: number;
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly suites: readonly number[];
  readonly ext: Extensions;
}

/** Parse a ClientHello body. */
export function parseClientHello(body: Uint8Array): ClientHello {
  const r = new Reader(body, "ClientHello");
  const legacyVersion = r.u16();
  const random = r.bytes(32);
  const sessionId = r.vec8();
  if (sessionId.length > 32) {
    throw new TlsFailure(
      "TLS_PROTOCOL",
      "illegal_parameter",
      "Cannot parse ClientHello: session id longer than 32 bytes",
    );
  }
  const sr = r.sub(2, "ClientHello cipher suites");
  if (sr.remaining % 2 !== 0 || sr.remaining === 0) {
    throw new TlsFailure("TLS_PROTOCOL", "decode_error", "Cannot parse ClientHello: bad cipher suite list");
  }
  const suites: number[] = [];
  while (sr.remaining > 0) suites.push(sr.u16());
  const comp = r.vec8();
  if (!comp.includes(0)) {
    throw new TlsFailure(
      "TLS_PROTOCOL",
      "illegal_parameter",
      "Cannot accept ClientHello: null compression not offered",
    );
  }
  const e = parseExtensions(r, "ClientHello");
  r.done();
  const last = e.order[e.order.length - 1];
  if (e.map.has(EXT.preSharedKey) && last !== EXT.preSharedKey) {
    throw new TlsFailure(
      "TLS_PROTOCOL",
      "illegal_parameter",
      "Cannot accept ClientHello: pre_shared_key is not the last extension",
    );
  }
  return { legacyVersion, random, sessionId, suites, ext: e };
}

/** A parsed ServerHello (or HelloRetryRequest). */
export interface ServerHello {
  readonly legacyVersion: number;
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly suite: number;
  readonly ext: Extensions;
}

/** Parse a ServerHello body. */
export function parseServerHello(body: Uint8Array): ServerHello {
  const r = new Reader(body, "ServerHello");
  const legacyVersion = r.u16();
  const random = r.bytes(32);
  const sessionId = r.vec8();
  const suite = r.u16();
  if (r.u8() !== 0) {
    throw new TlsFailure(
      "TLS_PROTOCOL",
      "illegal_parameter",
      "Cannot accept ServerHello: compression selected",
    );
  }
  const e = parseExtensions(r, "ServerHello");
  r.done();
  return { legacyVersion, random, sessionId, suite, ext: e };
}

/** Encode a ServerHello (or HelloRetryRequest) message. */
export function serverHello(
  random: Uint8Array,
  sessionId: Uint8Array,
  suite: number,
  exts: readonly Uint8Array[],
): HandshakeMessage {
  const body = concat([u16(0x0303), random, vec8(sessionId), u16(suite), Uint8Array.of(0), vec16(...exts)]);
  return handshakeMessage(HS.serverHello, body);
}

/** A list of u16 values inside a vector with a 1- or 2-byte length. */
export function u16List(data: Uint8Array, lenBytes: 1 | 2, what: string): number[] {
  const r = new Reader(data, what);
  const lr = r.sub(lenBytes, what);
  r.done();
  if (lr.remaining % 2 !== 0) {
    throw new TlsFailure("TLS_PROTOCOL", "decode_error", `Cannot parse ${what}: odd length`);
  }
  const out: number[] = [];
  while (lr.remaining > 0) out.push(lr.u16());
  return out;
}

/** Encode a list of u16 values as a vector. */
export function encodeU16List(values: readonly number[], lenBytes: 1 | 2): Buffer {
  const items = values.map((v) => u16(v));
  return lenBytes === 1 ? vec8(...items) : vec16(...items);
}

/** One offered PSK identity. */
export interface OfferedPsk {
  readonly identity: Uint8Array;
  readonly binder: Uint8Array;
}

/** Parse a ClientHello pre_shared_key extension; also returns the length of the binders list. */
export function parseOfferedPsks(data: Uint8Array): { psks: OfferedPsk[]; bindersLen: number } {
  const r = new Reader(data, "pre_shared_key extension");
  const ir = r.sub(2, "PSK identities");
  const ids: Uint8Array[] = [];
  while (ir.remaining > 0) {
    ids.push(ir.vec16());
    ir.bytes(4);
  }
  const before = r.pos;
  const br = r.sub(2, "PSK binders");
  const bindersLen = r.pos - before;
  r.done();
  const binders: Uint8Array[] = [];
  while (br.remaining > 0) binders.push(br.vec8());
  if (ids.length === 0 || ids.length !== binders.length) {
    throw new TlsFailure(
      "TLS_PROTOCOL",
      "illegal_parameter",
      "Cannot accept pre_shared_key: identity and binder counts differ",
    );
  }
  return { psks: ids.map((identity, i) => ({ identity, binder: binders[i]! })), bindersLen };
}

/** Parse a ClientHello key_share extension into (group code, public value) pairs. */
export function parseClientShares(data: Uint8Array): Array<{ group: number; key: Uint8Array }> {
  const r = new Reader(data, "key_share extension");
  const lr = r.sub(2, "key shares");
  r.done();
  const out: Array<{ group: number; key: Uint8Array }> = [];
  while (lr.remaining > 0) {
    const group = lr.u16();
    const key = lr.vec16();
    if (out.some((s) => s.group === group)) {
      throw new TlsFailure(
        "TLS_PROTOCOL",
        "illegal_parameter",
        `Cannot accept key_share: group ${group} appears twice`,
      );
    }
    out.push({ group, key });
  }
  return out;
}

/** The transcript stand-in for a first ClientHello after a HelloRetryRequest (RFC 8446 4.4.1). */
export function messageHash(digest: Uint8Array): Buffer {
  return concat([Uint8Array.of(HS.messageHash, 0, 0, digest.length), digest]);
}

/** The body of a TLS 1.2 / 1.3 Finished message must be exactly this long. */
export function expectLength(body: Uint8Array, n: number, what: string): void {
  if (body.length !== n) {
    throw new TlsFailure(
      "TLS_PROTOCOL",
      "decode_error",
      `Cannot parse ${what}: expected ${n} bytes, got ${body.length}`,
    );
  }
}

/**
 * Check the peer's Finished: `n` bytes long (else a decode_error) and equal to `expected`
 * (else TLS_BAD_KEY with a decrypt_error alert: the peers hold different keys).
 */
export function verifyPeerFinished(body: Uint8Array, n: number, expected: Uint8Array, peer: "client" | "server"): void {
  expectLength(body, n, "Finished");
  if (!equalBytes(expected, body)) {
    throw new TlsFailure(
      "TLS_BAD_KEY",
      "decrypt_error",
      `Cannot complete the TLS handshake: the ${peer}'s Finished does not verify (the peers hold different keys)`,
    );
  }
}
