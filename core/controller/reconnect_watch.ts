/**
 * Early reconnection of remote nodes held down by `reconnect_interval`. Pacemaker 2.1.5 keeps a
 * failed remote connection stopped until the interval has passed since the failure, even when
 * the node's daemon is back a moment later. While a connection is held down only by that
 * interval, the controller watches the node's address instead: a full connection attempt
 * through its {@link RemoteConnector} (closed at once) every {@link WATCH_PERIOD_MS}, at most one
 * in flight per node, each bounded by {@link WATCH_ATTEMPT_TIMEOUT_MS}. As soon as the daemon
 * answers, the connection's failures are forgotten (its `fail-count-*` and `last-failure-*`
 * attributes, as the clear_failcount action does) and the scheduler runs again, so the
 * connection starts at once.
 *
 * "Held down only by the interval" is decided in the scheduler's own terms
 * ({@link heldConnections}): the current transition neither starts nor stops the connection nor
 * fences its node, and the transition the scheduler would compute once the interval has expired
 * starts it (runnable) without fencing its node. So a node that still needs fencing (stonith
 * enabled, node unclean), a disabled or unmanaged connection, a node in standby... are never
 * watched. Guest nodes have no `reconnect_interval` (their containers are recovered instead).
 *
 * The interval still bounds retries of a node that stays unreachable: watching costs a refused
 * TCP connection per period, never a start; and a connection is released early at most once
 * per `reconnect_interval` (a daemon that accepts connections but whose start then fails is
 * not hammered by starts).
 *
 * @example
 * ```ts
 * const watch = new ReconnectWatch({ connector, clock, release: (rsc) => forget(rsc) });
 * watch.update(heldConnections(cib, t, Date.now(), (at) => schedule(cib, { now: at })));
 * watch.stop();
 * ```
 * @module
 */
import type { Cib } from "../cib/model.ts";
import { nodeStates, nvValues, primitives, transientAttributes } from "../cib/query.ts";
import type { Logger } from "../plugin/types.ts";
import type { Transition } from "../scheduler/mod.ts";
import { durationMs } from "./_duration.ts";
import { clearFailures } from "./_dispatch.ts";
import { describeResource } from "./resources.ts";
import type { ControllerClock, RemoteConnector } from "./types.ts";

/** Pause between two connection attempts to a watched node (from the start of one to the next). */
export const WATCH_PERIOD_MS = 250;
/** The longest single connection attempt to a watched node. */
export const WATCH_ATTEMPT_TIMEOUT_MS = 1_000;

/** A remote connection held down by its `reconnect_interval` alone. */
export interface HeldConnection {
  /** The connection resource (= the remote node's name). */
  readonly resource: string;
  /** The remote node. */
  readonly node: string;
  readonly host: string;
  readonly port: number;
  /** The connection's `reconnect_interval`. */
  readonly intervalMs: number;
  /** Epoch ms when the interval expires (the scheduler retries by itself then). */
  readonly untilMs: number;
}

function isRemoteConnection(p: { attrs: Record<string, string | undefined> }): boolean {
  return p.attrs.class === "ocf" && p.attrs.provider === "pacemaker" && p.attrs.type === "remote";
}

/** The latest `last-failure-RSC#...` of `rsc` on any node, in epoch ms (0: none). */
function lastFailureMs(cib: Cib, rsc: string): number {
  let latest = 0;
  for (const ns of nodeStates(cib)) {
    for (const [name, value] of transientAttributes(ns)) {
      const m = /^last-failure-(.+?)(?::\d+)?#/.exec(name);
      if (!m || m[1] !== rsc) continue;
      const at = Number(value) * 1000;
      if (Number.isFinite(at) && at > latest) latest = at;
    }
  }
  return latest;
}

function touches(t: Transition, rsc: string, node: string): boolean {
  return t.actions.some((a) =>
    (a.resource === rsc && (a.kind === "start" || a.kind === "stop")) || (a.kind === "fence" && a.node === node)
  );
}

/**
 * The remote connections of `cib` (the scheduler's view) that transition `t`, computed at
 * `nowMs`, keeps stopped only because of their `reconnect_interval` (see the module
 * documentation). `plan(at)` runs the scheduler on the same CIB at another time; it is called
 * at most once, and only when some connection has a failure younger than its interval.
 */
export function heldConnections(cib: Cib, t: Transition, nowMs: number, plan: (at: Date) => Transition): HeldConnection[] {
  const candidates: HeldConnection[] = [];
  for (const p of primitives(cib)) {
    const id = p.attrs.id;
    if (id === undefined || !isRemoteConnection(p)) continue;
    const ia = nvValues(p, "instance_attributes", { cib });
    const intervalMs = durationMs(ia.get("reconnect_interval"), 0);
    if (intervalMs <= 0) continue;
    const last = lastFailureMs(cib, id);
    if (last <= 0 || last + intervalMs <= nowMs) continue;
    if (touches(t, id, id)) continue;
    const c = describeResource(cib, id)?.connection;
    if (!c) continue;
    candidates.push({ resource: id, node: c.node, host: c.host ?? c.node, port: c.port, intervalMs, untilMs: last + intervalMs });
  }
  if (candidates.length === 0) return [];
  const latest = Math.max(...candidates.map((c) => c.untilMs));
  const later = plan(new Date(Math.max(latest, nowMs) + 1_000));
  return candidates.filter((c) =>
    later.actions.some((a) => a.kind === "start" && a.resource === c.resource && a.runnable) &&
    !later.actions.some((a) => a.kind === "fence" && a.node === c.node)
  );
}

/** `cib` without the fail-count and last-failure attributes of `resource`, on every node. */
export function forgetConnectionFailures(cib: Cib, resource: string): Cib {
  let out = cib;
  for (const ns of nodeStates(cib)) {
    const node = ns.attrs.uname ?? ns.attrs.id;
    if (node !== undefined) out = clearFailures(out, node, resource);
  }
  return out;
}

/** Options of {@link ReconnectWatch}. */
export interface ReconnectWatchOptions {
  readonly connector: RemoteConnector;
  readonly clock: ControllerClock;
  readonly log?: Logger;
  /** The node's daemon answers: forget the connection's failures and schedule again. */
  readonly release: (held: HeldConnection) => Promise<void>;
  /** Default {@link WATCH_PERIOD_MS}. */
  readonly periodMs?: number;
  /** Default {@link WATCH_ATTEMPT_TIMEOUT_MS}. */
  readonly attemptTimeoutMs?: number;
}

interface Watch {
  held: HeldConnection;
  timer: unknown;
  inFlight: boolean;
  stopped: boolean;
  attempts: number;
}

/** See the module documentation. */
export class ReconnectWatch {
  readonly #o: ReconnectWatchOptions;
  readonly #watches = new Map<string, Watch>();
  /** Epoch ms of the last early release of each connection. */
  readonly #released = new Map<string, number>();
  #stopped = false;

  constructor(opts: ReconnectWatchOptions) {
    this.#o = opts;
  }

  /** The connections being watched. */
  watching(): string[] {
    return [...this.#watches.keys()];
  }

  /** Watch exactly `held` from now on (new ones at once; the others stop). */
  update(held: readonly HeldConnection[]): void {
    if (this.#stopped) return;
    const now = this.#o.clock.now();
    const want = new Map<string, HeldConnection>();
    for (const h of held) {
      // Released early within the last interval: the interval bounds the retries again.
      const rel = this.#released.get(h.resource);
      if (rel !== undefined && rel + h.intervalMs > now) continue;
      want.set(h.resource, h);
    }
    for (const [rsc, w] of [...this.#watches]) if (!want.has(rsc)) this.#end(rsc, w);
    for (const [rsc, h] of want) {
      const w = this.#watches.get(rsc);
      if (w) {
        w.held = h;
        continue;
      }
      const nw: Watch = { held: h, timer: undefined, inFlight: false, stopped: false, attempts: 0 };
      this.#watches.set(rsc, nw);
      this.#o.log?.info(
        `Watching ${h.node} at ${h.host}:${h.port} while reconnect_interval holds its connection down (up to ${Math.max(0, h.untilMs - now)} ms)`,
      );
      this.#attempt(rsc, nw);
    }
  }

  /** Stop every watch (cluster stop); in-flight attempts are closed when they end. */
  stop(): void {
    this.#stopped = true;
    for (const [rsc, w] of [...this.#watches]) this.#end(rsc, w);
  }

  #end(rsc: string, w: Watch): void {
    w.stopped = true;
    if (w.timer !== undefined) this.#o.clock.clearTimeout(w.timer);
    w.timer = undefined;
    if (this.#watches.get(rsc) === w) this.#watches.delete(rsc);
  }

  #attempt(rsc: string, w: Watch): void {
    if (w.stopped || w.inFlight) return;
    const clock = this.#o.clock;
    const started = clock.now();
    // Once the interval has expired the scheduler retries by itself (the recheck timer).
    if (started >= w.held.untilMs) {
      this.#end(rsc, w);
      return;
    }
    w.inFlight = true;
    w.attempts++;
    const h = w.held;
    const timeoutMs = this.#o.attemptTimeoutMs ?? WATCH_ATTEMPT_TIMEOUT_MS;
    Promise.resolve().then(() => this.#o.connector.connect({ node: h.node, host: h.host, port: h.port, timeoutMs })).then(
      (link) => {
        w.inFlight = false;
        try {
          link.close();
        } catch {
          // closing a probe link cannot matter
        }
        if (w.stopped) return;
        this.#end(rsc, w);
        this.#released.set(rsc, clock.now());
        this.#o.log?.info(`${h.node} answers again at ${h.host}:${h.port}: retrying its connection now instead of after reconnect_interval`);
        this.#o.release(h).catch((e: unknown) =>
          this.#o.log?.warn(`Cannot retry the connection to ${h.node}: ${e instanceof Error ? e.message : String(e)}`)
        );
      },
      () => {
        w.inFlight = false;
        if (w.stopped) return;
        const period = this.#o.periodMs ?? WATCH_PERIOD_MS;
        const wait = Math.max(0, started + period - clock.now());
        w.timer = clock.setTimeout(() => {
          w.timer = undefined;
          this.#attempt(rsc, w);
        }, wait);
      },
    );
  }
}
