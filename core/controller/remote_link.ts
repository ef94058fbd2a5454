/**
 * The adapter from core/remote's {@link RemoteClient} to the controller's {@link RemoteLink}
 * and {@link RemoteConnector}: connect with TLS-PSK, register resources before use, execute
 * (meta attributes travel as `CRM_meta_*` parameters, as Pacemaker sends them), resolve each
 * call's first result and pass later recurring results on, poke, close.
 *
 * @example
 * ```ts
 * const connector = remoteConnector({ key: authkey, clientName: "atriumd-node1" });
 * const ctl = new Controller({ cib, scheduler, nodeName, local, connector, authkey });
 * ```
 * @module
 */
import { type ExecResult, RemoteClient, type RemoteClientOptions } from "../remote/mod.ts";
import type { OpResult, OpResultListener, OpStatus, RemoteConnector, RemoteLink, RemoteTarget } from "./types.ts";

/**
 * Keepalive of every link: a poke this often, and a peer that leaves one unanswered this long
 * is dead (the link closes and the connection's monitor fails at once), so a killed or frozen
 * remote/guest daemon is noticed within about a second.
 */
export const LINK_POKE_INTERVAL_MS = 150;
/** See {@link LINK_POKE_INTERVAL_MS}. */
export const LINK_POKE_TIMEOUT_MS = 600;

/** Options of {@link remoteConnector}. */
export interface RemoteConnectorOptions {
  /** The authkey (never logged). */
  readonly key: Uint8Array;
  readonly clientName?: string;
  /** Override client options (tests: `secure`, `dial`). */
  readonly client?: Partial<RemoteClientOptions>;
}

const STATUS: Readonly<Record<number, OpStatus>> = {
  [-1]: "pending", 0: "done", 1: "cancelled", 2: "timeout", 3: "not_supported", 4: "error", 5: "error", 6: "error",
  7: "not_installed", 8: "not_connected", 9: "error", 10: "error", 11: "error",
};

function toResult(r: ExecResult, now: number): OpResult {
  const runAt = r.runTime > 0 ? r.runTime * 1000 : now;
  return {
    resource: r.rscId, action: r.action, intervalMs: r.intervalMs, callId: r.callId, rc: r.rc,
    status: STATUS[r.opStatus] ?? "error",
    ...(r.exitReason ? { reason: r.exitReason } : {}),
    runAt, rcChangedAt: r.rcChangeTime > 0 ? r.rcChangeTime * 1000 : runAt,
    execTimeMs: r.execTimeMs, queueTimeMs: r.queueTimeMs,
    ...(r.userdata !== undefined ? { userdata: r.userdata } : {}),
  };
}

/** Wrap a connected client as a {@link RemoteLink}. */
export function remoteLink(client: RemoteClient): RemoteLink {
  const pending = new Map<number, (r: OpResult) => void>();
  const early = new Map<number, OpResult>();
  const listeners = new Set<OpResultListener>();
  const registered = new Set<string>();
  const known = new Set<number>();
  client.on("result", (r: ExecResult) => {
    const res = toResult(r, Date.now());
    const p = pending.get(r.callId);
    if (p) {
      pending.delete(r.callId);
      if (r.intervalMs > 0) known.add(r.callId);
      p(res);
      return;
    }
    if (r.intervalMs > 0 && known.has(r.callId)) {
      for (const l of [...listeners]) {
        try {
          l(res);
        } catch {
          // listeners never break the link
        }
      }
    } else {
      early.set(r.callId, res);
      if (early.size > 1000) early.delete(early.keys().next().value as number);
    }
  });
  client.on("close", (reason: string) => {
    for (const [callId, p] of pending) {
      p({ resource: "", action: "", intervalMs: 0, callId, rc: 1, status: "not_connected", reason: `connection closed: ${reason}`, runAt: Date.now(), rcChangedAt: Date.now(), execTimeMs: 0, queueTimeMs: 0 });
    }
    pending.clear();
  });
  return {
    get connected() {
      return client.connected;
    },
    async exec(req) {
      const regKey = `${req.resource}\u0000${req.agent.class}:${req.agent.provider ?? ""}:${req.agent.type}`;
      if (!registered.has(regKey)) {
        await client.registerResource({ id: req.resource, standard: req.agent.class, type: req.agent.type, ...(req.agent.provider ? { provider: req.agent.provider } : {}) });
        registered.add(regKey);
      }
      const params: Record<string, string> = { ...req.params };
      for (const [k, v] of Object.entries(req.meta)) params[`CRM_meta_${k}`] = v;
      const first = new Promise<OpResult>((resolve) => {
        void client.exec({ rscId: req.resource, action: req.action, intervalMs: req.intervalMs, timeoutMs: req.timeoutMs, startDelayMs: 0, userdata: req.userdata, params })
          .then((callId) => {
            const got = early.get(callId);
            if (got) {
              early.delete(callId);
              if (req.intervalMs > 0) known.add(callId);
              resolve(got);
            } else pending.set(callId, resolve);
          }, (e: unknown) => resolve({
            resource: req.resource, action: req.action, intervalMs: req.intervalMs, callId: -1, rc: 1, status: "error",
            reason: e instanceof Error ? e.message : String(e), runAt: Date.now(), rcChangedAt: Date.now(), execTimeMs: 0, queueTimeMs: 0, userdata: req.userdata,
          }));
      });
      return await first;
    },
    cancel: (resource, action, intervalMs) => client.cancel(resource, action, intervalMs),
    onResult(cb) {
      listeners.add(cb);
      return () => void listeners.delete(cb);
    },
    async poke(timeoutMs) {
      await client.poke(timeoutMs);
    },
    close: () => client.close(),
    onClose(cb) {
      client.once("close", (reason: string) => cb(reason));
    },
  };
}

/** A {@link RemoteConnector} that opens TLS-PSK connections with core/remote's client. */
export function remoteConnector(opts: RemoteConnectorOptions): RemoteConnector {
  return {
    async connect(t: RemoteTarget): Promise<RemoteLink> {
      const client = new RemoteClient({
        host: t.host, port: t.port, key: opts.key, clientName: opts.clientName ?? "atrium-controller",
        connectTimeoutMs: t.timeoutMs, pokeIntervalMs: LINK_POKE_INTERVAL_MS, pokeTimeoutMs: LINK_POKE_TIMEOUT_MS,
        ...opts.client,
      });
      client.on("error", () => {});
      await client.connect();
      return remoteLink(client);
    },
  };
}
