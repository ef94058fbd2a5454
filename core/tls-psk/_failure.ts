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

  constructor(code: TlsPskErrorCode, alert: string | undefined, message: string, details?: Record<string, unknown>) {
    super(code, message, details === undefined ? {} : { details });
    this.alert = alert;
  }
}
