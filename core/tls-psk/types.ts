/**
 * Public types of the TLS-PSK layer: options, negotiated parameters and error codes.
 *
 * @module
 */
import type { Duplex } from "node:stream";

/** A protocol version this implementation speaks. */
export type TlsVersion = "TLSv1.3" | "TLSv1.2";

/**
 * A key-exchange group, by its TLS name. `x25519` and `secp256r1` are (EC)DHE groups of TLS 1.3;
 * `ffdhe2048` is the RFC 7919 finite-field group (TLS 1.3 key share, and the DH parameters this
 * server sends for TLS 1.2 DHE-PSK).
 */
export type TlsGroup = "x25519" | "secp256r1" | "ffdhe2048";

/** A TLS 1.3 cipher suite, by its IANA name. An external PSK is bound to SHA-256. */
export type Tls13Cipher = "TLS_AES_128_GCM_SHA256" | "TLS_CHACHA20_POLY1305_SHA256";

/** A TLS 1.2 PSK cipher suite (RFC 4279, 5487, 7905), by its IANA name. */
export type Tls12Cipher =
  | "TLS_PSK_WITH_AES_128_GCM_SHA256"
  | "TLS_PSK_WITH_AES_256_GCM_SHA384"
  | "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256"
  | "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"
  | "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384"
  | "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256";

/** Any cipher suite this implementation speaks. */
export type TlsCipher = Tls13Cipher | Tls12Cipher;

/** What a completed handshake negotiated. */
export interface TlsPskInfo {
  /** The protocol version in use. */
  readonly version: TlsVersion;
  /** The IANA name of the cipher suite, e.g. `TLS_CHACHA20_POLY1305_SHA256`. */
  readonly cipher: TlsCipher;
  /** The key-exchange group, when the handshake used (EC)DHE; absent for plain PSK. */
  readonly group?: TlsGroup;
  /** The PSK identity the client sent. */
  readonly identity: string;
}

/** Options shared by {@link TlsPskConnectOptions} and {@link TlsPskAcceptOptions}. */
export interface TlsPskCommonOptions {
  /**
   * Versions to speak, most preferred first. Default `["TLSv1.3", "TLSv1.2"]` (a TLS 1.2-only
   * peer gets TLS 1.2), narrowed to the versions of `ciphers` when those are given.
   */
  versions?: readonly TlsVersion[];
  /**
   * Key-exchange groups, most preferred first. Default `["x25519", "secp256r1", "ffdhe2048"]`.
   * A client sends a key share for the first one only and answers a HelloRetryRequest for any
   * other in the list.
   */
  groups?: readonly TlsGroup[];
  /**
   * Cipher suites, most preferred first (both TLS 1.3 and TLS 1.2 names in one list). Default:
   * `TLS_CHACHA20_POLY1305_SHA256`, `TLS_AES_128_GCM_SHA256`, then the TLS 1.2 suites with
   * DHE-PSK before plain PSK and AES-256-GCM before AES-128-GCM before ChaCha20-Poly1305.
   * A server follows the client's order (as GnuTLS NORMAL does), restricted to this list.
   */
  ciphers?: readonly TlsCipher[];
  /** Reject the handshake with `TLS_HANDSHAKE_TIMEOUT` after this many ms. Default 10 000. */
  handshakeTimeoutMs?: number;
  /** Abort the handshake (rejects with `TLS_CLOSED`) or, later, destroy the socket. */
  signal?: AbortSignal;
}

/** Options of {@link tlsPskConnect}. */
export interface TlsPskConnectOptions extends TlsPskCommonOptions {
  /** The PSK identity to send (Pacemaker's client sends `lrmd`). At most 65 535 UTF-8 bytes. */
  identity: string;
  /** The pre-shared key: the raw bytes (Pacemaker: the whole authkey file). 1 byte or more. */
  key: Uint8Array;
}

/** Options of {@link tlsPskAccept}. */
export interface TlsPskAcceptOptions extends TlsPskCommonOptions {
  /**
   * The key, or a function from the client's identity to the key (`undefined` refuses the
   * identity: the client gets `unknown_psk_identity`). Pacemaker's server ignores the identity.
   */
  key: Uint8Array | ((identity: string) => Uint8Array | undefined);
}

/**
 * An established TLS-PSK connection: a node:stream `Duplex` of plaintext.
 *
 * - Each `write()` call goes out as its own TLS record(s): bytes of two writes never share a
 *   record, and a write larger than 16 KiB is split into records of at most 2^14 bytes. A write's
 *   callback runs once its records were handed to the underlying stream's `write()` and that
 *   write's callback ran.
 * - `end()` sends a close_notify alert, then ends the underlying stream.
 * - A close_notify from the peer ends the readable side; a fatal alert, a malformed record or
 *   the underlying stream's failure emits `'error'` with an `AtriumError` (codes as in
 *   {@link TlsPskErrorCode}).
 * - `destroy()` destroys the underlying stream too.
 */
export interface TlsPskSocket extends Duplex {
  /** What the handshake negotiated. */
  readonly info: TlsPskInfo;
}

/**
 * The `code` of an `AtriumError` from this module:
 *
 * - `TLS_BAD_KEY`: binder or Finished mismatch, or the peer's decrypt_error / bad_record_mac
 *   alert during the handshake (the two sides hold different keys), or an unknown identity.
 * - `TLS_HANDSHAKE_TIMEOUT`: the handshake did not finish within `handshakeTimeoutMs`.
 * - `TLS_NOT_TLS`: the peer sent bytes that are not a TLS record.
 * - `TLS_PROTOCOL`: no common version, cipher or group; an unexpected or malformed message;
 *   a record too large; a renegotiation attempt.
 * - `TLS_ALERT`: the peer sent a fatal alert (`details.alert` holds its description).
 * - `TLS_CLOSED`: the underlying stream ended or was destroyed, or the signal aborted.
 */
export type TlsPskErrorCode =
  | "TLS_BAD_KEY"
  | "TLS_HANDSHAKE_TIMEOUT"
  | "TLS_NOT_TLS"
  | "TLS_PROTOCOL"
  | "TLS_ALERT"
  | "TLS_CLOSED";
