/**
 * The transport under the message connection: TCP (`node:net`, `setNoDelay(true)` on every
 * socket), then TLS-PSK (core/tls-psk, our own TypeScript implementation, any key length).
 * The secure layer is pluggable so tests can run the protocol over in-memory streams.
 *
 * @example
 * ```ts
 * const tcp = await dialTcp("127.0.0.1", 3121, 5_000);
 * const ch = await tlsPskSecure.client(tcp, { identity: "lrmd", key, handshakeTimeoutMs: 5_000 });
 * ch.info.version; // "TLSv1.3"
 * ```
 */
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { AtriumError } from "../errors.ts";
import type { TlsVersion } from "../tls-psk/mod.ts";

// Loaded on first use, so the protocol layer works (e.g. over plainSecure) on its own.
function tlsPsk(): Promise<typeof import("../tls-psk/mod.ts")> {
  return import("../tls-psk/mod.ts");
}

/** Negotiated parameters of a secure channel. */
export interface SecureInfo {
  readonly version: string;
  readonly cipher: string;
}

/** A plaintext stream over an authenticated channel. */
export interface SecureChannel {
  readonly stream: Duplex;
  readonly info: SecureInfo;
  /** True when every `write()` becomes its own TLS record(s). */
  readonly recordPerWrite: boolean;
}

/** A way to secure a connected byte stream, both roles. */
export interface SecureLayer {
  client(tcp: Duplex, o: { identity: string; key: Uint8Array; handshakeTimeoutMs: number; versions?: readonly string[] }): Promise<SecureChannel>;
  server(tcp: Duplex, o: { key: () => Uint8Array | undefined; handshakeTimeoutMs: number }): Promise<SecureChannel>;
}

/** TLS-PSK through core/tls-psk. */
export const tlsPskSecure: SecureLayer = {
  async client(tcp, o) {
    const s = await (await tlsPsk()).tlsPskConnect(tcp, {
      identity: o.identity,
      key: o.key,
      handshakeTimeoutMs: o.handshakeTimeoutMs,
      ...(o.versions ? { versions: o.versions as TlsVersion[] } : {}),
    });
    return { stream: s, info: { version: s.info.version, cipher: s.info.cipher }, recordPerWrite: true };
  },
  async server(tcp, o) {
    const s = await (await tlsPsk()).tlsPskAccept(tcp, {
      key: () => o.key(),
      handshakeTimeoutMs: o.handshakeTimeoutMs,
    });
    return { stream: s, info: { version: s.info.version, cipher: s.info.cipher }, recordPerWrite: true };
  },
};

/** No encryption at all: for tests of the protocol over in-memory streams only. */
export const plainSecure: SecureLayer = {
  client(tcp) {
    return Promise.resolve({ stream: tcp, info: { version: "none", cipher: "none" }, recordPerWrite: true });
  },
  server(tcp) {
    return Promise.resolve({ stream: tcp, info: { version: "none", cipher: "none" }, recordPerWrite: true });
  },
};

/**
 * Open a TCP connection with `setNoDelay(true)`. Rejects with `AtriumError` REMOTE_REFUSED,
 * REMOTE_TIMEOUT or REMOTE_UNREACHABLE naming the address.
 */
export function dialTcp(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
    const sock = connect({ host, port });
    sock.setNoDelay(true);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new AtriumError("REMOTE_TIMEOUT", `Cannot connect to ${where}: no answer within ${timeoutMs} ms`, { details: { host, port } }));
    }, timeoutMs);
    sock.once("connect", () => {
      clearTimeout(timer);
      sock.removeAllListeners("error");
      // Until the TLS layer attaches its own handlers, a reset must not be an unhandled error.
      sock.on("error", () => {});
      resolve(sock);
    });
    sock.once("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      sock.destroy();
      const code = e.code === "ECONNREFUSED" ? "REMOTE_REFUSED" : "REMOTE_UNREACHABLE";
      const why = e.code === "ECONNREFUSED" ? "connection refused (nothing listens there)" : e.message;
      reject(new AtriumError(code, `Cannot connect to ${where}: ${why}`, { cause: e, details: { host, port, errno: e.code } }));
    });
  });
}
