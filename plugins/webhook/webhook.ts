/**
 * The webhook notifier: POSTs each cluster event as JSON to a URL, signed (see sign.ts), in
 * order, from a bounded in-memory queue (drop-oldest, counted), retried with exponential
 * backoff and jitter up to a bounded number of attempts. `notify` returns at once; a failing
 * receiver is reported (callback and warning), never fatal. The secret is never logged.
 * @module
 */
import type { ClusterEvent, Logger, Notifier, PluginContext } from "../../core/plugin/mod.ts";
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from "./sign.ts";

/** Why an event was given up. */
export interface WebhookFailure {
  readonly event: ClusterEvent;
  readonly attempts: number;
  /** The last HTTP status, when there was a response. */
  readonly status?: number;
  readonly reason: string;
}

/** Options of {@link createWebhookNotifier}. */
export interface WebhookOptions {
  /** http(s) URL receiving the POSTs. */
  readonly url: string;
  /** The HMAC key. Never logged. */
  readonly secret: string | Uint8Array;
  /** Notifier name (default "webhook"). */
  readonly name?: string;
  /** Attempts per event, the first included (default 5). */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt (default 500 ms). */
  readonly baseDelayMs?: number;
  /** Cap of one retry delay (default 30 s). */
  readonly maxDelayMs?: number;
  /** Events waiting at most; beyond it the oldest waiting is dropped (default 1000). */
  readonly queueLimit?: number;
  /** One request's time limit (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** Extra request headers (e.g. an Authorization for a gateway). Never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Told when an event is given up. */
  readonly onFailure?: (failure: WebhookFailure) => void;
  /** Told when the queue drops an event; `total` counts all drops so far. */
  readonly onDrop?: (event: ClusterEvent, total: number) => void;
  /** Only these kinds (default: all). */
  readonly kinds?: readonly ClusterEvent["kind"][];
  /** Random source for the jitter, in [0, 1) (default Math.random). */
  readonly random?: () => number;
  /** Logger used when no call context is at hand. */
  readonly log?: Logger;
}

/** Delivery counters. */
export interface WebhookStats {
  readonly queued: number;
  readonly delivered: number;
  readonly failed: number;
  readonly dropped: number;
  readonly attempts: number;
}

/** The notifier plus its queue controls. */
export interface WebhookNotifier extends Notifier {
  /** False once closed, and for kinds not configured. */
  accepts(event: ClusterEvent): boolean;
  stats(): WebhookStats;
  /** Resolves once the queue is empty and nothing is in flight. */
  idle(): Promise<void>;
  /** Stop: refuse new events, drop the queue, abort the request in flight. */
  close(): void;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** The URL without credentials, query or fragment (safe to log). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

/** The delay before attempt `attempt + 1`: base * 2^(attempt-1), capped, with equal jitter. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

function positive(v: number | undefined, dflt: number, what: string): number {
  const n = v ?? dflt;
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`Cannot create webhook notifier: ${what} ${JSON.stringify(v)} is not a positive number`);
  return n;
}

/**
 * Create a webhook notifier. Throws `TypeError`/`RangeError` for a bad URL, secret or option.
 *
 * @example
 * ```ts
 * const hook = createWebhookNotifier({ url: "https://ops.example/atrium", secret });
 * await hook.notify(event, ctx); // queued; returns at once
 * ```
 */
export function createWebhookNotifier(options: WebhookOptions): WebhookNotifier {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new TypeError(`Cannot create webhook notifier: URL "${redactUrl(options.url)}" does not parse`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`Cannot create webhook notifier: URL scheme "${url.protocol}" is not http or https`);
  }
  if (options.secret === undefined || options.secret.length === 0) {
    throw new TypeError("Cannot create webhook notifier: the secret is empty");
  }
  const maxAttempts = Math.floor(positive(options.maxAttempts, 5, "maxAttempts"));
  const baseDelay = positive(options.baseDelayMs, 500, "baseDelayMs");
  const maxDelay = positive(options.maxDelayMs, 30_000, "maxDelayMs");
  const queueLimit = Math.floor(positive(options.queueLimit, 1000, "queueLimit"));
  const requestTimeout = positive(options.requestTimeoutMs, 10_000, "requestTimeoutMs");
  const random = options.random ?? Math.random;
  const where = redactUrl(options.url);
  const name = options.name ?? "webhook";

  const queue: ClusterEvent[] = [];
  let log: Logger = options.log ?? silent;
  let pumping = false;
  let closed = false;
  const closer = new AbortController();
  let waiters: (() => void)[] = [];
  const counts = { delivered: 0, failed: 0, dropped: 0, attempts: 0 };

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        closer.signal.removeEventListener("abort", done);
        resolve();
      }
      closer.signal.addEventListener("abort", done, { once: true });
    });
  }

  /** One POST; the outcome, never a throw. */
  async function post(event: ClusterEvent): Promise<{ ok: boolean; retry: boolean; status?: number; reason: string; retryAfterMs?: number }> {
    const body = JSON.stringify(event);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), requestTimeout);
    const onClose = () => ac.abort();
    closer.signal.addEventListener("abort", onClose, { once: true });
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: {
          ...(options.headers ?? {}),
          "Content-Type": "application/json",
          "User-Agent": "atrium-webhook/1",
          "X-Atrium-Event": event.kind,
          "X-Atrium-Sequence": String(event.sequence),
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhook(options.secret, timestamp, body),
        },
        body,
        signal: ac.signal,
        redirect: "manual",
      });
      await res.body?.cancel().catch(() => {});
      if (res.status >= 200 && res.status < 300) return { ok: true, retry: false, status: res.status, reason: "delivered" };
      const retry = res.status >= 500 || [408, 425, 429].includes(res.status);
      const ra = res.headers.get("retry-after");
      const retryAfterMs = ra !== null && /^\d+$/.test(ra.trim()) ? Number(ra.trim()) * 1000 : undefined;
      return { ok: false, retry, status: res.status, reason: `HTTP ${res.status}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    } catch (e) {
      const reason = ac.signal.aborted
        ? (closer.signal.aborted ? "closed" : `no response within ${requestTimeout}ms`)
        : `request failed: ${(e as Error).message}`;
      return { ok: false, retry: true, reason };
    } finally {
      clearTimeout(timer);
      closer.signal.removeEventListener("abort", onClose);
    }
  }

  async function deliver(event: ClusterEvent): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      counts.attempts++;
      const r = await post(event);
      if (r.ok) {
        counts.delivered++;
        return;
      }
      if (closed) return;
      if (!r.retry || attempt >= maxAttempts) {
        counts.failed++;
        const failure: WebhookFailure = { event, attempts: attempt, reason: r.reason, ...(r.status !== undefined ? { status: r.status } : {}) };
        log.warn(`Webhook ${where} gave up on ${event.kind} event ${event.sequence} after ${attempt} attempt(s): ${r.reason}`);
        try {
          options.onFailure?.(failure);
        } catch (e) {
          log.warn(`Webhook failure callback threw: ${(e as Error).message}`);
        }
        return;
      }
      const delay = Math.min(maxDelay, r.retryAfterMs ?? backoffDelay(attempt, baseDelay, maxDelay, random));
      log.debug(`Webhook ${where}: ${r.reason} for event ${event.sequence}; retry ${attempt + 1} of ${maxAttempts} in ${delay}ms`);
      await sleep(delay);
      if (closed) return;
    }
  }

  async function pump(): Promise<void> {
    try {
      while (queue.length > 0 && !closed) {
        const event = queue.shift()!;
        try {
          await deliver(event);
        } catch (e) {
          counts.failed++;
          log.warn(`Webhook ${where} could not send event ${event.sequence}: ${(e as Error).message}`);
        }
      }
    } finally {
      pumping = false;
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    }
  }

  function accepts(event: ClusterEvent): boolean {
    return !closed && (options.kinds === undefined || options.kinds.includes(event.kind));
  }

  function notify(event: ClusterEvent, ctx: PluginContext): Promise<void> {
    if (ctx?.log !== undefined && options.log === undefined) log = ctx.log;
    if (!accepts(event)) return Promise.resolve();
    if (queue.length >= queueLimit) {
      const dropped = queue.shift()!;
      counts.dropped++;
      log.warn(`Webhook ${where} queue is full (${queueLimit}): dropped ${dropped.kind} event ${dropped.sequence} (${counts.dropped} dropped so far)`);
      try {
        options.onDrop?.(dropped, counts.dropped);
      } catch {
        // a throwing callback must not stop the queue
      }
    }
    queue.push(event);
    if (!pumping) {
      pumping = true;
      queueMicrotask(() => void pump());
    }
    return Promise.resolve();
  }

  return {
    name,
    accepts,
    notify,
    stats: () => ({ queued: queue.length, ...counts }),
    idle(): Promise<void> {
      if (!pumping && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    close(): void {
      closed = true;
      queue.length = 0;
      closer.abort();
    },
  };
}
