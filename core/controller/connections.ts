/**
 * Remote and guest node connections, run by the controller itself as Pacemaker's controller
 * runs `ocf:pacemaker:remote` (and the implicit connection of a guest node): "start" opens the
 * link to the node's executor (address from `server`/`remote-addr`, else the guest launcher's
 * address, else the node name; port default 3121), "monitor" pokes it (a probe reports whether
 * it is connected), "stop" closes it. The node's `node_state` follows (`in_ccm`).
 *
 * @example
 * ```ts
 * const conns = new ConnectionManager({ connector, cib, clock });
 * const exec = conns.executor;          // runs connection resources' operations
 * const link = conns.link("guest1");   // routes guest1's resource actions
 * ```
 * @module
 */
import type { Logger } from "../plugin/types.ts";
import { markRemoteNode } from "./node_attrs.ts";
import type { ConnectionSettings } from "./resources.ts";
import { type Outcome, type SyntheticExecutor, syntheticExecutor } from "./_synthetic.ts";
import type { CibAccess, ControllerClock, OpRequest, RemoteConnector, RemoteLink } from "./types.ts";

/** The longest single connection attempt of a start (the start retries until its timeout). */
const ATTEMPT_TIMEOUT_MS = 3_000;
/** Pauses between connection attempts (the last one repeats). */
const RETRY_STEPS_MS: readonly number[] = [50, 100, 200, 250];

/** Options of {@link ConnectionManager}. */
export interface ConnectionManagerOptions {
  readonly connector?: RemoteConnector;
  readonly cib: CibAccess;
  readonly clock: ControllerClock;
  readonly log?: Logger;
  /** Where a guest's executor listens, from its container's launcher (unless `remote-addr` is set). */
  readonly guestAddress?: (container: string) => Promise<{ host: string; port: number } | undefined>;
  /** Connection settings of a connection resource (looked up in the current CIB). */
  readonly settings: (resource: string) => ConnectionSettings | undefined;
  /** Runs after a link opened and before the start succeeds (the controller re-probes the node). */
  readonly prepare?: (node: string, link: RemoteLink) => Promise<void>;
  /** A link was opened (`link`) or lost/closed (`undefined`). */
  readonly onLink?: (node: string, link: RemoteLink | undefined) => void;
}

/** See the module documentation. */
export class ConnectionManager {
  readonly #o: ConnectionManagerOptions;
  readonly #links = new Map<string, RemoteLink>();
  /** Runs the connection resources' operations. */
  readonly executor: SyntheticExecutor;

  constructor(opts: ConnectionManagerOptions) {
    this.#o = opts;
    this.executor = syntheticExecutor((req) => this.#handle(req), opts.clock);
  }

  /** The open link to `node`, if connected. */
  link(node: string): RemoteLink | undefined {
    const l = this.#links.get(node);
    return l && l.connected ? l : undefined;
  }

  /** Names of the nodes with an open link. */
  nodes(): string[] {
    return [...this.#links.keys()];
  }

  /** Close every link (daemon shutdown); node states are left as they are. */
  closeAll(): void {
    this.executor.stopAll();
    for (const [node, l] of this.#links) {
      this.#links.delete(node);
      l.close();
    }
  }

  async #handle(req: OpRequest): Promise<Outcome> {
    const s = this.#o.settings(req.resource);
    if (!s) return { rc: 5, status: "not_installed", reason: `no connection settings for "${req.resource}"` };
    const node = s.node;
    switch (req.action) {
      case "start": return await this.#start(req.resource, s, req.timeoutMs);
      case "stop": {
        const l = this.#links.get(node);
        this.#links.delete(node);
        l?.close();
        this.#o.onLink?.(node, undefined);
        await this.#mark(node, false);
        return { rc: 0, status: "done" };
      }
      case "monitor": {
        const l = this.link(node);
        if (req.intervalMs === 0) return { rc: l ? 0 : 7, status: "done" };
        if (!l) return { rc: 1, status: "error", reason: "remote connection is down" };
        try {
          await l.poke(Math.min(req.timeoutMs, 10_000));
          return { rc: 0, status: "done" };
        } catch (e) {
          return { rc: 1, status: "error", reason: `remote connection lost: ${e instanceof Error ? e.message : String(e)}` };
        }
      }
      default:
        return { rc: 3, status: "not_supported", reason: `"${req.action}" is not supported by connection resources` };
    }
  }

  async #start(resource: string, s: ConnectionSettings, timeoutMs: number): Promise<Outcome> {
    const connector = this.#o.connector;
    if (!connector) return { rc: 1, status: "error", reason: "no remote connector (is there an authkey?)" };
    const old = this.#links.get(s.node);
    if (old?.connected) return { rc: 0, status: "done" };
    // Retry until the start's deadline, as Pacemaker's remote connection does: a guest's
    // executor comes up a moment after its container, a restarted remote node a moment after
    // its host. Each attempt is short, so the link opens within a retry step of the daemon.
    const clock = this.#o.clock;
    // Give up a little before the start's own timeout, so the result says why.
    const deadline = clock.now() + Math.min(timeoutMs - Math.min(1000, timeoutMs / 4), s.connectTimeoutMs);
    let where = `${s.host ?? s.node}:${s.port}`;
    let lastError = "";
    for (let attempt = 0;; attempt++) {
      let host = s.host;
      let port = s.port;
      if (host === undefined && s.container !== undefined && this.#o.guestAddress) {
        const a = await this.#o.guestAddress(s.container);
        if (a) { host = a.host; if (port === 3121) port = a.port; }
      }
      where = `${host ?? s.node}:${port}`;
      const left = deadline - clock.now();
      try {
        const link = await connector.connect({ node: s.node, host: host ?? s.node, port, timeoutMs: Math.max(1, Math.min(left, ATTEMPT_TIMEOUT_MS)) });
        return await this.#opened(resource, s, link);
      } catch (e) {
        lastError = e instanceof Error ? e.message : String(e);
      }
      const wait = Math.min(RETRY_STEPS_MS[Math.min(attempt, RETRY_STEPS_MS.length - 1)]!, deadline - clock.now());
      if (wait <= 0) break;
      this.#o.log?.debug(`Cannot connect to ${s.node} at ${where} yet (${lastError}); retrying in ${wait} ms`);
      await new Promise<void>((r) => clock.setTimeout(r, wait));
    }
    return { rc: 1, status: "error", reason: `cannot connect to ${s.node} at ${where}: ${lastError}` };
  }

  async #opened(resource: string, s: ConnectionSettings, link: RemoteLink): Promise<Outcome> {
    this.#links.set(s.node, link);
    link.onClose((reason) => {
      if (this.#links.get(s.node) !== link) return;
      this.#links.delete(s.node);
      this.#o.log?.warn(`Connection to ${s.node} lost: ${reason}`);
      this.#o.onLink?.(s.node, undefined);
      // Pacemaker fails the connection's monitor at once on an unexpected drop.
      this.executor.runNow(resource);
    });
    this.#o.onLink?.(s.node, link);
    await this.#o.prepare?.(s.node, link);
    await this.#mark(s.node, true);
    return { rc: 0, status: "done" };
  }

  async #mark(node: string, up: boolean): Promise<void> {
    try {
      await this.#o.cib.apply((c) => markRemoteNode(c, node, up));
    } catch (e) {
      this.#o.log?.warn(`Cannot record node ${node} as ${up ? "up" : "down"}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
