/**
 * The plaintext socket handed out after a handshake, and the handshake driver that wires an
 * engine to the underlying stream with a deadline and an abort signal.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Duplex } from "node:stream";
import { AtriumError } from "../errors.ts";
import { ClientRole } from "./_client.ts";
import { Engine } from "./_engine.ts";
import { normalize } from "./_options.ts";
import { ServerRole } from "./_server.ts";
import type { TlsPskAcceptOptions, TlsPskConnectOptions, TlsPskInfo, TlsPskSocket } from "./types.ts";

/** The established connection as a Duplex of plaintext. */
class PskSocket extends Duplex implements TlsPskSocket {
  readonly info: TlsPskInfo;
  readonly #engine: Engine;

  constructor(engine: Engine, info: TlsPskInfo) {
    super({ allowHalfOpen: false });
    this.#engine = engine;
    this.info = info;
  }

  override _read(): void {
    this.#engine.resume();
  }

  override _write(chunk: Buffer | string, encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    const b = typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk;
    if (b.length === 0) {
      cb();
      return;
    }
    this.#engine.writeApp(b, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.#engine.close(() => cb());
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const s = this.#engine.stream;
    this.#engine.state = "closed";
    // after a failure the engine is already letting its alert out before closing the stream
    if (!s.destroyed && !this.#engine.dropping) s.destroy();
    cb(err);
  }
}

/** Run a handshake over `stream` in `role`; see tlsPskConnect / tlsPskAccept. */
export function runHandshake(
  stream: Duplex,
  role: "client" | "server",
  opts: TlsPskConnectOptions | TlsPskAcceptOptions,
): Promise<TlsPskSocket> {
  const cfg = normalize(role, opts);
  if (
    stream === null || typeof stream !== "object" || typeof stream.write !== "function" ||
    typeof stream.on !== "function"
  ) {
    throw new TypeError("Cannot start TLS-PSK: expected a duplex stream");
  }
  return new Promise<TlsPskSocket>((resolve, reject) => {
    let socket: PskSocket | undefined;
    const cleanup = (): void => {
      clearTimeout(timer);
      cfg.signal?.removeEventListener("abort", onAbort);
    };
    const engine = new Engine(stream, role === "server", (err, info) => {
      cleanup();
      if (err) {
        reject(err);
        return;
      }
      socket = new PskSocket(engine, info!);
      // an error in the tick the promise resolves in waits until the caller could listen
      let fresh = true;
      setTimeout(() => (fresh = false), 0);
      engine.sink = {
        data: (chunk) => socket!.push(chunk),
        end: () => socket!.push(null),
        fail: (e) => (fresh ? setTimeout(() => socket!.destroy(e), 0) : socket!.destroy(e)),
      };
      const signal = cfg.signal;
      if (signal) {
        const onLateAbort = (): void => {
          socket!.destroy();
        };
        signal.addEventListener("abort", onLateAbort, { once: true });
        socket.once("close", () => signal.removeEventListener("abort", onLateAbort));
      }
      resolve(socket);
    });
    const onAbort = (): void => {
      engine.fail(new AtriumError("TLS_CLOSED", "Cannot complete the TLS handshake: aborted by the caller"));
    };
    const timer = setTimeout(() => {
      engine.fail(
        new AtriumError(
          "TLS_HANDSHAKE_TIMEOUT",
          `Cannot complete the TLS handshake within ${cfg.timeoutMs} ms`,
        ),
      );
    }, cfg.timeoutMs);
    if (cfg.signal?.aborted) {
      queueMicrotask(onAbort);
      return;
    }
    if (stream.destroyed || stream.readableEnded) {
      queueMicrotask(() =>
        engine.fail(
          new AtriumError("TLS_CLOSED", "Cannot start the TLS handshake: the stream is already closed"),
        )
      );
      return;
    }
    cfg.signal?.addEventListener("abort", onAbort, { once: true });
    stream.on(
      "data",
      (chunk: Buffer | string) => engine.onData(typeof chunk === "string" ? Buffer.from(chunk) : chunk),
    );
    stream.on("end", () => engine.onEnd());
    stream.on("close", () => engine.onClose());
    stream.on("error", (e: unknown) => {
      if (engine.state === "open" && socket) {
        engine.state = "closed";
        socket.destroy(
          new AtriumError(
            "TLS_CLOSED",
            `TLS connection failed: the underlying stream failed: ${
              e instanceof Error ? e.message : String(e)
            }`,
            { cause: e },
          ),
        );
      } else {
        engine.onError(e);
      }
    });
    engine.role = role === "client" ? new ClientRole(engine, cfg) : new ServerRole(engine, cfg);
    try {
      engine.role.start();
      engine.flush();
    } catch (e) {
      engine.fail(e);
    }
  });
}
