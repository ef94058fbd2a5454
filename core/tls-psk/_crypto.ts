/**
 * Thin wrappers over `node:crypto` (identical on Node and Deno): hashes, HMAC, HKDF, the
 * TLS 1.3 key-schedule primitives, the TLS 1.2 PRF, AEAD seal/open and key shares.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import {
  createCipheriv,
  createDecipheriv,
  createDiffieHellman,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
} from "node:crypto";
import type { CipherGCMTypes, KeyObject } from "node:crypto";
import { concat, u16, vec8 } from "./_bytes.ts";
import { TlsFailure } from "./_failure.ts";
import { FFDHE2048_P } from "./_constants.ts";
import type { TlsGroup } from "./types.ts";

/** A hash name as node:crypto spells it. */
export type HashName = "sha256" | "sha384";

/** An AEAD name as node:crypto spells it. */
export type AeadName = "aes-128-gcm" | "aes-256-gcm" | "chacha20-poly1305";

/** Digest length in bytes. */
export function hashLen(h: HashName): number {
  return h === "sha256" ? 32 : 48;
}

/** Hash of the concatenation of `parts`. */
export function hash(h: HashName, parts: readonly Uint8Array[]): Buffer {
  const c = createHash(h);
  for (const p of parts) c.update(p);
  return c.digest();
}

/** HMAC of the concatenation of `parts`. */
export function hmac(h: HashName, key: Uint8Array, parts: readonly Uint8Array[]): Buffer {
  const c = createHmac(h, key);
  for (const p of parts) c.update(p);
  return c.digest();
}

/** HKDF-Extract (RFC 5869): HMAC(salt, ikm); an empty salt is a zero string of hash length. */
export function hkdfExtract(h: HashName, salt: Uint8Array, ikm: Uint8Array): Buffer {
  return hmac(h, salt.length === 0 ? Buffer.alloc(hashLen(h)) : salt, [ikm]);
}

/** HKDF-Expand (RFC 5869). */
export function hkdfExpand(h: HashName, prk: Uint8Array, info: Uint8Array, length: number): Buffer {
  const out: Buffer[] = [];
  let t: Uint8Array = new Uint8Array(0);
  let got = 0;
  for (let i = 1; got < length; i++) {
    t = hmac(h, prk, [t, info, Uint8Array.of(i)]);
    out.push(t as Buffer);
    got += t.length;
  }
  return concat(out).subarray(0, length);
}

const LABEL_PREFIX = Buffer.from("tls13 ", "latin1");

/** HKDF-Expand-Label (RFC 8446 section 7.1). */
export function expandLabel(
  h: HashName,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Buffer {
  const info = concat([u16(length), vec8(LABEL_PREFIX, Buffer.from(label, "latin1")), vec8(context)]);
  return hkdfExpand(h, secret, info, length);
}

/** Derive-Secret (RFC 8446 section 7.1) given the transcript hash. */
export function deriveSecret(
  h: HashName,
  secret: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
): Buffer {
  return expandLabel(h, secret, label, transcriptHash, hashLen(h));
}

/** The TLS 1.2 PRF (RFC 5246 section 5) with the given hash. */
export function prf12(
  h: HashName,
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
): Buffer {
  const labelSeed = concat([Buffer.from(label, "latin1"), seed]);
  const out: Buffer[] = [];
  let a: Uint8Array = labelSeed;
  let got = 0;
  while (got < length) {
    a = hmac(h, secret, [a]);
    const block = hmac(h, secret, [a, labelSeed]);
    out.push(block);
    got += block.length;
  }
  return concat(out).subarray(0, length);
}

/** AEAD encryption: returns ciphertext || 16-byte tag. `parts` are encrypted in order without copying. */
export function aeadSeal(
  alg: AeadName,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  parts: readonly Uint8Array[],
): Buffer[] {
  const c = createCipheriv(alg as CipherGCMTypes, key, nonce, { authTagLength: 16 });
  c.setAAD(aad);
  const out: Buffer[] = [];
  for (const p of parts) out.push(c.update(p));
  out.push(c.final());
  out.push(c.getAuthTag());
  return out;
}

/** AEAD decryption of ciphertext || tag; returns undefined when authentication fails. */
export function aeadOpen(
  alg: AeadName,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  sealed: Uint8Array,
): Buffer | undefined {
  if (sealed.length < 16) return undefined;
  try {
    const d = createDecipheriv(alg as CipherGCMTypes, key, nonce, { authTagLength: 16 });
    d.setAAD(aad);
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    const a = d.update(sealed.subarray(0, sealed.length - 16));
    const b = d.final();
    return b.length === 0 ? a : Buffer.concat([a, b]);
  } catch {
    return undefined;
  }
}

/** An ephemeral key pair for one key exchange. */
export interface KeyShare {
  readonly group: TlsGroup;
  /** The public value as sent on the wire. */
  readonly publicKey: Uint8Array;
  /** The shared secret with the peer's public value; throws a TlsFailure for a bad value. */
  compute(peer: Uint8Array): Buffer;
}

function badShare(group: string): TlsFailure {
  return new TlsFailure(
    "TLS_PROTOCOL",
    "illegal_parameter",
    `Cannot use the peer's ${group} key share: invalid public value`,
  );
}

const X25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

function x25519Share(fixedPrivate?: Uint8Array): KeyShare {
  let pair: { privateKey: KeyObject; publicKey: KeyObject };
  if (fixedPrivate === undefined) {
    pair = generateKeyPairSync("x25519");
  } else {
    const privateKey = createPrivateKey({
      key: Buffer.concat([X25519_PKCS8_PREFIX, fixedPrivate]),
      format: "der",
      type: "pkcs8",
    });
    pair = { privateKey, publicKey: createPublicKey(privateKey) };
  }
  const pub = Buffer.from(pair.publicKey.export({ format: "jwk" }).x as string, "base64url");
  return {
    group: "x25519",
    publicKey: pub,
    compute(peer: Uint8Array): Buffer {
      if (peer.length !== 32) throw badShare("x25519");
      let peerKey: KeyObject;
      let z: Buffer;
      try {
        peerKey = createPublicKey({
          key: { kty: "OKP", crv: "X25519", x: Buffer.from(peer).toString("base64url") },
          format: "jwk",
        });
        z = diffieHellman({ privateKey: pair.privateKey, publicKey: peerKey });
      } catch {
        throw badShare("x25519");
      }
      if (z.every((b) => b === 0)) throw badShare("x25519");
      return z;
    },
  };
}

function p256Share(): KeyShare {
  const ecdh = createECDH("prime256v1");
  const pub = ecdh.generateKeys();
  return {
    group: "secp256r1",
    publicKey: pub,
    compute(peer: Uint8Array): Buffer {
      if (peer.length !== 65 || peer[0] !== 4) throw badShare("secp256r1");
      try {
        return ecdh.computeSecret(peer);
      } catch {
        throw badShare("secp256r1");
      }
    },
  };
}

/**
 * A finite-field DH share over prime `p` with generator `g`. `pad` left-pads the public value
 * and the secret to the size of p (TLS 1.3); otherwise the secret has leading zeros stripped
 * (TLS 1.2, RFC 5246 section 8.1.2).
 */
export function ffdhShare(p: Uint8Array, g: Uint8Array, pad: boolean): KeyShare {
  const dh = createDiffieHellman(Buffer.from(p), Buffer.from(g));
  const raw = dh.generateKeys();
  const size = p.length;
  return {
    group: "ffdhe2048",
    publicKey: pad ? leftPad(raw, size) : raw,
    compute(peer: Uint8Array): Buffer {
      if (!validDhPublic(peer, p)) throw badShare("DH");
      let z: Buffer;
      try {
        z = dh.computeSecret(Buffer.from(peer));
      } catch {
        throw badShare("DH");
      }
      if (pad) return leftPad(z, size);
      let i = 0;
      while (i < z.length - 1 && z[i] === 0) i++;
      return z.subarray(i);
    },
  };
}

/** True when 1 < y < p - 1 (both big-endian). */
function validDhPublic(y: Uint8Array, p: Uint8Array): boolean {
  const yb = BigInt("0x" + (Buffer.from(y).toString("hex") || "0"));
  const pb = BigInt("0x" + Buffer.from(p).toString("hex"));
  return yb > 1n && yb < pb - 1n;
}

function leftPad(b: Buffer, size: number): Buffer {
  if (b.length >= size) return b;
  return Buffer.concat([Buffer.alloc(size - b.length), b]);
}

/** A fresh ephemeral key share for a named group (x25519 takes a fixed private key, for tests). */
export function newKeyShare(group: TlsGroup, fixedPrivate?: Uint8Array): KeyShare {
  switch (group) {
    case "x25519":
      return x25519Share(fixedPrivate);
    case "secp256r1":
      return p256Share();
    case "ffdhe2048":
      return ffdhShare(FFDHE2048_P, Uint8Array.of(2), true);
  }
}
