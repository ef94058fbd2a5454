/**
 * TLS-PSK over any duplex byte stream, client and server, in Atrium's own TypeScript over
 * `node:crypto` primitives: one code path on Node and Deno, PSKs of any length (Pacemaker's
 * authkey is 4 096 bytes; OpenSSL caps PSKs at 512).
 *
 * Speaks TLS 1.3 external PSK with (EC)DHE (RFC 8446 psk_dhe_ke; x25519, secp256r1, ffdhe2048;
 * TLS_CHACHA20_POLY1305_SHA256 and TLS_AES_128_GCM_SHA256) and TLS 1.2 PSK / DHE-PSK (RFC 4279,
 * 5487, 7905; AES-GCM and ChaCha20-Poly1305, extended master secret, no renegotiation).
 * Interoperates with GnuTLS (pacemaker-remoted, liblrmd) and OpenSSL.
 *
 * @example
 * ```ts
 * import { connect } from "node:net";
 * import { tlsPskConnect } from "./mod.ts";
 *
 * const tcp = connect(3121, "127.0.0.1");
 * const tls = await tlsPskConnect(tcp, { identity: "lrmd", key: authkey });
 * console.log(tls.info); // { version: "TLSv1.3", cipher: "TLS_CHACHA20_POLY1305_SHA256", ... }
 * tls.write(header, () => tls.write(payload)); // each write is its own record(s)
 * ```
 *
 * @module
 */
import type { Duplex } from "node:stream";
import { runHandshake } from "./_socket.ts";
import type { TlsPskAcceptOptions, TlsPskConnectOptions, TlsPskSocket } from "./types.ts";

export type {
  Tls12Cipher,
  Tls13Cipher,
  TlsCipher,
  TlsGroup,
  TlsPskAcceptOptions,
  TlsPskCommonOptions,
  TlsPskConnectOptions,
  TlsPskErrorCode,
  TlsPskInfo,
  TlsPskSocket,
  TlsVersion,
} from "./types.ts";

/**
 * Run a TLS-PSK handshake as the client over `stream` (e.g. a connected `net.Socket`, or one
 * side of an in-memory pair). Resolves with the plaintext socket once the handshake is done;
 * rejects with an `AtriumError` (`TLS_BAD_KEY`, `TLS_HANDSHAKE_TIMEOUT`, `TLS_NOT_TLS`,
 * `TLS_PROTOCOL`, `TLS_ALERT`, `TLS_CLOSED`) and destroys `stream` otherwise. Throws
 * `TypeError`/`RangeError` for bad options (empty key, bad identity). The key never appears in
 * messages.
 *
 * @example
 * ```ts
 * const tls = await tlsPskConnect(tcp, { identity: "lrmd", key, handshakeTimeoutMs: 5_000 });
 * ```
 */
export function tlsPskConnect(stream: Duplex, opts: TlsPskConnectOptions): Promise<TlsPskSocket> {
  return runHandshake(stream, "client", opts);
}

/**
 * Run a TLS-PSK handshake as the server over `stream` (e.g. a socket from `net.Server`'s
 * `'connection'` event). `opts.key` is the key, or a function from the client's identity to the
 * key. Resolves and rejects like {@link tlsPskConnect}.
 *
 * @example
 * ```ts
 * server.on("connection", async (tcp) => {
 *   try {
 *     const tls = await tlsPskAccept(tcp, { key: () => authkey });
 *     tls.on("data", (chunk) => console.log(chunk));
 *   } catch (e) {
 *     log.warn(`TLS handshake failed: ${(e as Error).message}`);
 *   }
 * });
 * ```
 */
export function tlsPskAccept(stream: Duplex, opts: TlsPskAcceptOptions): Promise<TlsPskSocket> {
  return runHandshake(stream, "server", opts);
}
