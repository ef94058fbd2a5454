/**
 * The webhook notifier against a node:http receiver on 127.0.0.1: signatures verify, 500s are
 * retried, delivery gives up after N attempts, order is preserved, the queue bound holds,
 * notify never blocks and the secret is never logged.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClusterEvent, conformance, type Logger, type PluginContext } from "../../../core/plugin/mod.ts";
import plugin, {
  backoffDelay,
  createWebhookNotifier,
  redactUrl,
  signWebhook,
  verifyWebhookSignature,
  type WebhookFailure,
  webhookOptionsFromConfig,
} from "../../../plugins/webhook/mod.ts";

const SECRET = "whsec-Very-Secret-Value";

interface Received {
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

/** Per-path behaviour: a function deciding the status of the n-th request (1-based). */
const behaviour = new Map<string, (n: number) => number | "hang">();
const received = new Map<string, Received[]>();
let server: Server;
let base = "";

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      const list = received.get(path) ?? [];
      list.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      received.set(path, list);
      const status = (behaviour.get(path) ?? (() => 200))(list.length);
      if (status === "hang") return; // never answers
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(status < 300 ? "ok" : "nope");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections?.();
  await new Promise<void>((r) => server.close(() => r()));
});

const logged: string[] = [];
const log: Logger = {
  debug: (m) => logged.push(m),
  info: (m) => logged.push(m),
  warn: (m) => logged.push(m),
  error: (m) => logged.push(m),
};
const ctx: PluginContext = { ...conformance.testContext(), log };

function event(sequence: number): ClusterEvent {
  return { kind: "resource", sequence, timestamp: "2026-01-01T00:00:00.000001Z", node: "n1", resource: "r", task: "start", rc: 0 };
}
function seqs(path: string): number[] {
  return (received.get(path) ?? []).map((r) => (JSON.parse(r.body) as ClusterEvent).sequence);
}
const fast = { secret: SECRET, baseDelayMs: 5, maxDelayMs: 20, random: () => 0.5, log };

describe("webhook signatures", () => {
  it("sign and verify over timestamp and body, rejecting tampering and replays", () => {
    const body = '{"a":1}';
    const sig = signWebhook(SECRET, "1700000000", body);
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, "1700000000", sig, body, { nowSec: 1700000100 })).toBe(true);
    expect(verifyWebhookSignature(SECRET, "1700000000", sig, '{"a":2}', { nowSec: 1700000100 })).toBe(false);
    expect(verifyWebhookSignature(SECRET, "1700000001", sig, body, { nowSec: 1700000100 })).toBe(false);
    expect(verifyWebhookSignature("other", "1700000000", sig, body, { nowSec: 1700000100 })).toBe(false);
    expect(verifyWebhookSignature(SECRET, "1700000000", sig, body, { nowSec: 1700009999 })).toBe(false);
    expect(verifyWebhookSignature(SECRET, undefined, sig, body)).toBe(false);
  });

  it("backs off exponentially with bounded jitter", () => {
    expect(backoffDelay(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, 10_000, () => 0.999)).toBe(100);
    expect(backoffDelay(3, 100, 10_000, () => 0.5)).toBe(300);
    expect(backoffDelay(20, 100, 1000, () => 1)).toBe(1000);
    expect(redactUrl("https://user:pw@h.example:8443/p?token=x#f")).toBe("https://h.example:8443/p");
  });
});

describe("webhook notifier", () => {
  it("POSTs each event as signed JSON the receiver can verify", async () => {
    const hook = createWebhookNotifier({ ...fast, url: `${base}/sig` });
    await hook.notify(event(1), ctx);
    await hook.idle();
    const [r] = received.get("/sig")!;
    expect(r!.headers["content-type"]).toBe("application/json");
    expect(r!.headers["x-atrium-event"]).toBe("resource");
    expect(r!.headers["x-atrium-sequence"]).toBe("1");
    expect(JSON.parse(r!.body)).toEqual(event(1));
    const ts = r!.headers["x-atrium-timestamp"] as string;
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
    expect(verifyWebhookSignature(SECRET, ts, r!.headers["x-atrium-signature"] as string, r!.body)).toBe(true);
    expect(hook.stats()).toMatchObject({ delivered: 1, failed: 0, attempts: 1 });
  });

  it("retries after 500s and delivers in order", async () => {
    // Every request but each third fails: each event needs retries.
    behaviour.set("/flaky", (n) => (n % 3 === 0 ? 200 : 500));
    const hook = createWebhookNotifier({ ...fast, url: `${base}/flaky`, maxAttempts: 5 });
    for (let i = 1; i <= 5; i++) void hook.notify(event(i), ctx);
    await hook.idle();
    expect(hook.stats()).toMatchObject({ delivered: 5, failed: 0, attempts: 15 });
    const all = seqs("/flaky");
    expect(all).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5]);
    // Each retry is re-signed and still verifies.
    for (const r of received.get("/flaky")!) {
      expect(verifyWebhookSignature(SECRET, r.headers["x-atrium-timestamp"] as string, r.headers["x-atrium-signature"] as string, r.body)).toBe(true);
    }
  });

  it("gives up after N attempts, reports it and goes on with the next event", async () => {
    behaviour.set("/down?token=abc", (n) => (n <= 3 ? 503 : 200));
    const failures: WebhookFailure[] = [];
    logged.length = 0;
    const hook = createWebhookNotifier({ ...fast, url: `${base}/down?token=abc`, maxAttempts: 3, onFailure: (f) => failures.push(f) });
    void hook.notify(event(1), ctx);
    void hook.notify(event(2), ctx);
    await hook.idle();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ attempts: 3, status: 503, reason: "HTTP 503" });
    expect(failures[0]!.event.sequence).toBe(1);
    expect(seqs("/down?token=abc")).toEqual([1, 1, 1, 2]);
    expect(hook.stats()).toMatchObject({ delivered: 1, failed: 1 });
    expect(logged.some((l) => l.includes("gave up on resource event 1 after 3 attempt(s)"))).toBe(true);
    expect(logged.join("\n")).not.toContain(SECRET);
    expect(logged.join("\n")).not.toContain("token=abc");
  });

  it("does not retry a 4xx and reports an unreachable receiver", async () => {
    behaviour.set("/bad", () => 400);
    const failures: WebhookFailure[] = [];
    const hook = createWebhookNotifier({ ...fast, url: `${base}/bad`, onFailure: (f) => failures.push(f) });
    void hook.notify(event(1), ctx);
    await hook.idle();
    expect(failures[0]).toMatchObject({ attempts: 1, status: 400 });
    const gone = createWebhookNotifier({ ...fast, url: "http://127.0.0.1:9/none", maxAttempts: 2, onFailure: (f) => failures.push(f) });
    void gone.notify(event(2), ctx);
    await gone.idle();
    expect(failures[1]).toMatchObject({ attempts: 2 });
    expect(failures[1]!.reason).toMatch(/request failed/);
  });

  it("never blocks the caller and honours the queue bound (drop-oldest, counted)", async () => {
    behaviour.set("/slow", (n) => (n === 1 ? "hang" : 200));
    const drops: number[] = [];
    const hook = createWebhookNotifier({
      ...fast, url: `${base}/slow`, queueLimit: 3, requestTimeoutMs: 300, maxAttempts: 2,
      onDrop: (e) => drops.push(e.sequence),
    });
    const t0 = Date.now();
    for (let i = 1; i <= 10; i++) await hook.notify(event(i), ctx);
    expect(Date.now() - t0).toBeLessThan(100);
    await hook.idle();
    // 1 went in flight at once (its first try hangs and times out, the retry succeeds);
    // of 2..10 only the newest 3 fit in the queue.
    expect(seqs("/slow")).toEqual([1, 1, 8, 9, 10]);
    expect(drops).toEqual([2, 3, 4, 5, 6, 7]);
    expect(hook.stats()).toMatchObject({ dropped: 6, delivered: 4, queued: 0 });
  });

  it("refuses bad options and stops on close", async () => {
    expect(() => createWebhookNotifier({ url: "ftp://x/", secret: "s" })).toThrow(TypeError);
    expect(() => createWebhookNotifier({ url: "not a url", secret: "s" })).toThrow(TypeError);
    expect(() => createWebhookNotifier({ url: base, secret: "" })).toThrow(/secret is empty/);
    expect(() => createWebhookNotifier({ url: base, secret: "s", queueLimit: 0 })).toThrow(RangeError);
    const hook = createWebhookNotifier({ ...fast, url: `${base}/closed` });
    hook.close();
    expect(hook.accepts(event(1))).toBe(false);
    await hook.notify(event(1), ctx);
    await hook.idle();
    expect(received.get("/closed")).toBeUndefined();
  });

  it("is configured through the plugin's setup and passes the notifier conformance checks", async () => {
    expect(plugin.notifiers[0]!.accepts?.(event(1))).toBe(false); // not configured yet
    const teardown = await plugin.setup({ url: `${base}/plugin`, secret: SECRET, kinds: ["node", "fencing", "resource", "attribute"] }, ctx);
    const findings = await conformance.checkNotifier(plugin.notifiers[0]!, { ctx });
    expect(conformance.failures(findings), conformance.formatFindings(findings)).toEqual([]);
    expect(typeof teardown).toBe("function");
    await teardown!();
    expect(seqs("/plugin")).toEqual([1, 2, 3, 4]);
    expect(await plugin.setup(undefined, ctx)).toBeUndefined(); // unconfigured built-in stays idle
    await expect(webhookOptionsFromConfig({ url: base })).rejects.toThrow(/secret/);
    await expect(webhookOptionsFromConfig({ url: base, secret: SECRET, kinds: ["nope"] })).rejects.toThrow(/kinds/);
    const bad = await webhookOptionsFromConfig({ url: base, secret: SECRET, maxAttempts: -1 }).catch((e: Error) => e.message);
    expect(bad).toMatch(/maxAttempts/);
    expect(String(bad)).not.toContain(SECRET);
  });
});
