/**
 * Key derivation: the TLS 1.3 key schedule with an external PSK (RFC 8446 section 7) and the
 * TLS 1.2 PSK master secret and key block (RFC 4279, 5246, 7627).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { concat, vec16 } from "./_bytes.ts";
import { deriveSecret, expandLabel, hash, hashLen, hkdfExtract, hmac, prf12 } from "./_crypto.ts";
import type { HashName } from "./_crypto.ts";
import type { SuiteInfo } from "./_constants.ts";
import { Tls12Protection } from "./_record.ts";

/** The secrets of one TLS 1.3 handshake, derived step by step. */
export class Schedule13 {
  readonly hash: HashName;
  readonly early: Buffer;
  handshake?: Buffer;
  master?: Buffer;

  constructor(h: HashName, psk: Uint8Array) {
    this.hash = h;
    this.early = hkdfExtract(h, Buffer.alloc(0), psk);
  }

  /** The binder key: "ext binder" for an external PSK ("res binder" for a resumption PSK). */
  binderKey(label: "ext binder" | "res binder" = "ext binder"): Buffer {
    return deriveSecret(this.hash, this.early, label, hash(this.hash, []));
  }

  /** finished_key for a base secret. */
  finishedKey(secret: Uint8Array): Buffer {
    return expandLabel(this.hash, secret, "finished", new Uint8Array(0), hashLen(this.hash));
  }

  /** HMAC(finished_key(secret), transcriptHash): a binder or Finished verify_data. */
  verifyData(secret: Uint8Array, transcriptHash: Uint8Array): Buffer {
    return hmac(this.hash, this.finishedKey(secret), [transcriptHash]);
  }

  /** Handshake secret from the (EC)DHE shared secret (zeros for psk_ke). */
  setDhe(dhe: Uint8Array | undefined): void {
    const salt = deriveSecret(this.hash, this.early, "derived", hash(this.hash, []));
    this.handshake = hkdfExtract(this.hash, salt, dhe ?? Buffer.alloc(hashLen(this.hash)));
    const salt2 = deriveSecret(this.hash, this.handshake, "derived", hash(this.hash, []));
    this.master = hkdfExtract(this.hash, salt2, Buffer.alloc(hashLen(this.hash)));
  }

  /** Client and server handshake traffic secrets for Hash(ClientHello..ServerHello). */
  handshakeSecrets(th: Uint8Array): { client: Buffer; server: Buffer } {
    const hs = this.handshake!;
    return {
      client: deriveSecret(this.hash, hs, "c hs traffic", th),
      server: deriveSecret(this.hash, hs, "s hs traffic", th),
    };
  }

  /** Client and server application traffic secrets for Hash(ClientHello..server Finished). */
  appSecrets(th: Uint8Array): { client: Buffer; server: Buffer } {
    const ms = this.master!;
    return {
      client: deriveSecret(this.hash, ms, "c ap traffic", th),
      server: deriveSecret(this.hash, ms, "s ap traffic", th),
    };
  }
}

/** The TLS 1.2 PSK premaster secret: `other` is the DH secret, or zeros for plain PSK. */
export function premaster12(psk: Uint8Array, dhSecret: Uint8Array | undefined): Buffer {
  return concat([vec16(dhSecret ?? Buffer.alloc(psk.length)), vec16(psk)]);
}

/**
 * The TLS 1.2 master secret: extended (RFC 7627) over the session hash when `sessionHash` is
 * given, else the classic one over the randoms.
 */
export function master12(
  h: HashName,
  pms: Uint8Array,
  sessionHash: Uint8Array | undefined,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): Buffer {
  if (sessionHash !== undefined) return prf12(h, pms, "extended master secret", sessionHash, 48);
  return prf12(h, pms, "master secret", concat([clientRandom, serverRandom]), 48);
}

/** The TLS 1.2 record protections for both directions from the master secret. */
export function keys12(
  suite: SuiteInfo,
  master: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): { client: Tls12Protection; server: Tls12Protection } {
  const ivLen = suite.aead === "chacha20-poly1305" ? 12 : 4;
  const kl = suite.keyLen;
  const block = prf12(
    suite.hash,
    master,
    "key expansion",
    concat([serverRandom, clientRandom]),
    2 * kl + 2 * ivLen,
  );
  const ck = block.subarray(0, kl);
  const sk = block.subarray(kl, 2 * kl);
  const civ = block.subarray(2 * kl, 2 * kl + ivLen);
  const siv = block.subarray(2 * kl + ivLen, 2 * kl + 2 * ivLen);
  return { client: new Tls12Protection(suite, ck, civ), server: new Tls12Protection(suite, sk, siv) };
}

/** TLS 1.2 Finished verify_data. */
export function finished12(
  h: HashName,
  master: Uint8Array,
  label: "client finished" | "server finished",
  th: Uint8Array,
): Buffer {
  return prf12(h, master, label, th, 12);
}
