/**
 * The internal failure type of the TLS engine: an `AtriumError` that also names the alert to
 * send to the peer (if any) before closing.
 *
 * @module
 */
import { AtriumError } from "../errors.ts";
import type { TlsPskErrorCode } from "./types.ts";

/** Alert descriptions (RFC 8446 section 6, RFC 5246 section 7.2). */
export const ALERT_NAMES: Readonly<Record<number, string>> = {
  0: "close_notify",
  10: "unexpected_message",
  20: "bad_record_mac",
  21: "decryption_failed",
  22: "record_overflow",
  40: "handshake_failure",
  42: "bad_certificate",
  47: "illegal_parameter",
  48: "unknown_ca",
  49: "access_denied",
  50: "decode_error",
  51: "decrypt_error",
  70: "protocol_version",
  71: "insufficient_security",
  80: "internal_error",
  86: "inappropriate_fallback",
  90: "user_canceled",
  100: "no_renegotiation",
  109: "missing_extension",
  110: "unsupported_extension",
  112: "unrecognized_name",
  115: "unknown_psk_identity",
  116: "certificate_required",
  120: "no_application_protocol",
};

/** Alert codes by name. */
export const ALERT: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(ALERT_NAMES).map(([k, v]) => [v, Number(k)]),
);

/** The name of an alert description, or `alert_N` when unknown. */
export function alertName(code: number): string {
  return ALERT_NAMES[code] ?? `alert_${code}`;
}

/** A failure detected locally: the error to report and the alert (by name) to send, if any. */
export class TlsFailure extends AtriumError {
  /** The alert description to send before closing, or undefined to close silently. */
  readonly alert: string | undefined;

  constructor(
    code: TlsPskErrorCode,
    alert: string | undefined,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, message, details === undefined ? {} : { details });
    this.alert = alert;
  }
}

/** A TLS_PROTOCOL failure: the peer broke the protocol; `alert` is sent before closing. */
export function protocolFailure(alert: string, message: string): TlsFailure {
  return new TlsFailure("TLS_PROTOCOL", alert, message);
}

/** The failure for a handshake message that does not fit the handshake state `state`. */
export function unexpectedMessage(type: number, state: string): TlsFailure {
  return protocolFailure(
    "unexpected_message",
    `Cannot continue the TLS handshake: unexpected handshake message ${type} (${state})`,
  );
}

/** The failure for a fatal alert from the peer. */
export function peerAlertFailure(desc: number, inHandshake: boolean, keyVerdictPending: boolean): TlsFailure {
  const name = alertName(desc);
  const keyAlert = desc === ALERT.decrypt_error || desc === ALERT.bad_record_mac ||
    desc === ALERT.unknown_psk_identity || (desc === ALERT.illegal_parameter && keyVerdictPending);
  const code = inHandshake && keyAlert ? "TLS_BAD_KEY" : "TLS_ALERT";
  const what = inHandshake ? "Cannot complete the TLS handshake" : "TLS connection failed";
  const hint = code === "TLS_BAD_KEY" ? " (the peers hold different keys)" : "";
  return new TlsFailure(code, undefined, `${what}: the peer sent alert "${name}"${hint}`, { alert: name });
}

/**
 * The failure for a peer that closed during the handshake: a wrong key when it closed right
 * after checking our key-dependent data (pacemaker-remoted closes without an alert).
 */
export function peerClosedFailure(keyVerdictPending: boolean): TlsFailure {
  if (keyVerdictPending) {
    return new TlsFailure(
      "TLS_BAD_KEY",
      undefined,
      "Cannot complete the TLS handshake: the peer closed the connection when checking the pre-shared key " +
        "(the peers probably hold different keys)",
    );
  }
  return new TlsFailure(
    "TLS_CLOSED",
    undefined,
    "Cannot complete the TLS handshake: the peer closed the connection",
  );
}

/** The error to report and the alert to send for anything thrown inside the engine. */
export function normalizeFailure(
  e: unknown,
  inHandshake: boolean,
): { err: AtriumError; alert: string | undefined } {
  if (e instanceof TlsFailure) {
    if (inHandshake && e.alert === "bad_record_mac") {
      const msg =
        "Cannot complete the TLS handshake: a record failed authentication (the peers hold different keys)";
      return { err: new TlsFailure("TLS_BAD_KEY", e.alert, msg), alert: e.alert };
    }
    return { err: e, alert: e.alert };
  }
  if (e instanceof AtriumError) return { err: e, alert: undefined };
  const msg = `TLS connection failed: internal error ${JSON.stringify(String(e))}`;
  return { err: new AtriumError("TLS_PROTOCOL", msg, { cause: e }), alert: "internal_error" };
}
