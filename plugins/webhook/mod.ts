/**
 * The `webhook` plugin: POSTs every cluster event as JSON to a configured URL, signed with
 * HMAC-SHA256 (`X-Atrium-Signature: sha256=<hex>` over `<X-Atrium-Timestamp>.<body>`; see
 * sign.ts for how receivers verify), queued, ordered and retried; never blocking the caller.
 *
 * Configuration: `{ url, secret | secretFile, maxAttempts?, baseDelayMs?, maxDelayMs?,
 * queueLimit?, requestTimeoutMs?, kinds? }`. Without a configuration the plugin accepts no event.
 * @module
 */
import { readFile } from "node:fs/promises";
import { type ClusterEvent, definePlugin, type Notifier, type PluginContext } from "../../core/plugin/mod.ts";
import { createWebhookNotifier, type WebhookNotifier, type WebhookOptions } from "./webhook.ts";

export { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER, verifyWebhookSignature, type VerifyOptions } from "./sign.ts";
export {
  backoffDelay,
  createWebhookNotifier,
  redactUrl,
  type WebhookFailure,
  type WebhookNotifier,
  type WebhookOptions,
  type WebhookStats,
} from "./webhook.ts";

const KINDS = ["node", "fencing", "resource", "attribute"] as const;

/**
 * Turn the plugin configuration into notifier options, reading `secretFile` (trailing newline
 * trimmed) when no inline `secret` is given. Throws `TypeError` naming the bad field (never
 * echoing a secret).
 */
export async function webhookOptionsFromConfig(config: unknown): Promise<WebhookOptions> {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new TypeError(`Cannot configure plugin "webhook": expected an object with a url and a secret`);
  }
  const c = config as Record<string, unknown>;
  if (typeof c["url"] !== "string") throw new TypeError(`Cannot configure plugin "webhook": url is not a string`);
  let secret: string;
  if (typeof c["secret"] === "string" && c["secret"] !== "") secret = c["secret"];
  else if (typeof c["secretFile"] === "string") {
    try {
      secret = (await readFile(c["secretFile"], "utf8")).replace(/\r?\n$/, "");
    } catch (e) {
      throw new TypeError(`Cannot configure plugin "webhook": cannot read secretFile "${c["secretFile"]}": ${(e as NodeJS.ErrnoException).code ?? "error"}`);
    }
  } else throw new TypeError(`Cannot configure plugin "webhook": secret (or secretFile) is missing`);
  const out: { -readonly [K in keyof WebhookOptions]: WebhookOptions[K] } = { url: c["url"], secret };
  for (const k of ["maxAttempts", "baseDelayMs", "maxDelayMs", "queueLimit", "requestTimeoutMs"] as const) {
    const v = c[k];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
      throw new TypeError(`Cannot configure plugin "webhook": ${k} ${JSON.stringify(v)} is not a positive number`);
    }
    out[k] = v;
  }
  if (c["kinds"] !== undefined) {
    const k = c["kinds"];
    if (!Array.isArray(k) || !k.every((x) => (KINDS as readonly unknown[]).includes(x))) {
      throw new TypeError(`Cannot configure plugin "webhook": kinds ${JSON.stringify(k)} must list ${KINDS.join(", ")}`);
    }
    out.kinds = k as ClusterEvent["kind"][];
  }
  return out;
}

let current: WebhookNotifier | undefined;

/** The notifier the plugin registers: forwards to the configured webhook, if any. */
const notifier: Notifier = {
  name: "webhook",
  accepts: (event: ClusterEvent) => current?.accepts?.(event) ?? false,
  notify: (event: ClusterEvent, ctx: PluginContext) => current?.notify(event, ctx) ?? Promise.resolve(),
};

/** The built-in `webhook` plugin. */
export default definePlugin({
  name: "webhook",
  version: "0.1.0",
  apiVersions: [1],
  async setup(config: unknown, ctx?: PluginContext): Promise<void | (() => Promise<void>)> {
    // A built-in that nobody configured stays idle: it accepts no events until given a url.
    if (config === undefined || config === null) return;
    const opts = await webhookOptionsFromConfig(config);
    current?.close();
    const hook = createWebhookNotifier({ ...opts, ...(ctx?.log !== undefined ? { log: ctx.log } : {}) });
    current = hook;
    return async () => {
      // Give queued events a short chance to go out, then stop.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([hook.idle(), new Promise<void>((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
      hook.close();
      if (current === hook) current = undefined;
    };
  },
  notifiers: [notifier],
});
