/**
 * Helpers of the remote client: error wording and waiting for an operation's result.
 */
import { AtriumError } from "../errors.ts";
import type { ExecResult } from "./events.ts";

/** The minimal event surface {@link waitForResult} needs (a RemoteClient). */
export interface ResultSource {
  on(event: "result", fn: (r: ExecResult) => void): unknown;
  on(event: "close", fn: (reason: string) => void): unknown;
  off(event: "result", fn: (r: ExecResult) => void): unknown;
  off(event: "close", fn: (reason: string) => void): unknown;
}

/**
 * Re-word a TLS handshake failure for the remote context, keeping its code: a server that
 * closes during the handshake (GnuTLS does so on a PSK binder mismatch) most likely holds
 * another key.
 */
export function tlsError(e: unknown, where: string): unknown {
  if (!(e instanceof AtriumError)) return e;
  const hint = e.code === "TLS_BAD_KEY"
    ? " (the server holds a different key)"
    : e.code === "TLS_CLOSED" || e.code === "TLS_ALERT"
    ? " (a different key on the server is the usual cause)"
    : e.code === "TLS_NOT_TLS"
    ? " (the server does not speak TLS: is it a Pacemaker remote port?)"
    : "";
  return new AtriumError(e.code, `Cannot connect to ${where}: ${e.message}${hint}`, {
    cause: e,
    ...(e.details !== undefined ? { details: { ...e.details } } : {}),
  });
}

export function isAtriumErrorCode(e: unknown, code: string): boolean {
  return e instanceof AtriumError && e.code === code;
}

const ERRNO_NAMES: Record<number, string> = { 19: "ENODEV", 22: "EINVAL", 7: "E2BIG", 13: "EACCES", 71: "EPROTO", 95: "EOPNOTSUPP", 115: "EINPROGRESS", 107: "ENOTCONN" };

export function errnoName(rc: number): string {
  const n = ERRNO_NAMES[-rc];
  return n === undefined ? "" : ` (${n})`;
}

/** Exec results as an async-friendly helper: wait for the result of `callId`. */
export function waitForResult(c: ResultSource, callId: number, timeoutMs: number, pred: (r: ExecResult) => boolean = () => true): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const on = (r: ExecResult) => {
      if (r.callId !== callId || !pred(r)) return;
      done();
      resolve(r);
    };
    const onClose = (reason: string) => {
      done();
      reject(new AtriumError("REMOTE_CONNECTION_CLOSED", `Cannot wait for call ${callId}: connection closed (${reason})`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new AtriumError("REMOTE_TIMEOUT", `Cannot wait for call ${callId}: no result within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      c.off("result", on);
      c.off("close", onClose);
    };
    c.on("result", on);
    c.on("close", onClose);
  });
}
