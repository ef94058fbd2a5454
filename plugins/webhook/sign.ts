/**
 * Webhook signatures. Each request carries
 *
 *   X-Atrium-Timestamp: <unix seconds when this attempt was sent>
 *   X-Atrium-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
 *
 * A receiver recomputes the HMAC over the timestamp header, a dot and the raw body bytes,
 * compares in constant time, and rejects timestamps outside its tolerance (default 300 s) so a
 * captured request cannot be replayed later. Retries are re-signed with a fresh timestamp.
 * @module
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** The signature header. */
export const SIGNATURE_HEADER = "X-Atrium-Signature";
/** The timestamp header (unix seconds), part of the signed material. */
export const TIMESTAMP_HEADER = "X-Atrium-Timestamp";

/** `sha256=<hex>` over `<timestamp>.<body>`. */
export function signWebhook(secret: string | Uint8Array, timestamp: string, body: string | Uint8Array): string {
  const h = createHmac("sha256", secret);
  h.update(`${timestamp}.`);
  h.update(body);
  return `sha256=${h.digest("hex")}`;
}

/** Options of {@link verifyWebhookSignature}. */
export interface VerifyOptions {
  /** Accepted clock difference in seconds (default 300). */
  readonly toleranceSec?: number;
  /** The receiver's clock in unix seconds (default: now). */
  readonly nowSec?: number;
}

/**
 * Check a received request: true when `signature` is the HMAC of `timestamp` and `body` under
 * `secret` and `timestamp` is within the tolerance. Never throws.
 *
 * @example
 * ```ts
 * const ok = verifyWebhookSignature(secret, req.headers["x-atrium-timestamp"], req.headers["x-atrium-signature"], rawBody);
 * ```
 */
export function verifyWebhookSignature(
  secret: string | Uint8Array,
  timestamp: string | undefined,
  signature: string | undefined,
  body: string | Uint8Array,
  opts: VerifyOptions = {},
): boolean {
  if (timestamp === undefined || signature === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (opts.toleranceSec ?? 300)) return false;
  const want = new TextEncoder().encode(signWebhook(secret, timestamp, body));
  const got = new TextEncoder().encode(signature);
  return want.length === got.length && timingSafeEqual(want, got);
}
