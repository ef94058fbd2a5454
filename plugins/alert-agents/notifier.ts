/**
 * The alert-agents notifier: runs Pacemaker alert agents for cluster events as Pacemaker 2.1.5
 * does. Every (alert, recipient) entry that selects an event gets its own run, all concurrently
 * (Pacemaker gives no ordering between runs; agents order by CRM_alert_node_sequence), each
 * killed with its process group at its timeout. `notify` starts the runs and returns at once.
 * @module
 */
import {
  type ClusterEvent,
  type ClusterEventKind,
  type Logger,
  type Notifier,
  type PluginContext,
  runProcess,
} from "../../core/plugin/mod.ts";
import { type AlertConfig, type AlertEntry, resolveAlertEntries } from "./config.ts";
import { ALERT_VERSION, alertEnvironment, type AlertTime, entryWants, eventAlertKeys, isAlertableEvent } from "./env.ts";
import { parseEventTime } from "./timestamp.ts";

/** How one agent run ended. */
export interface AlertRunResult {
  readonly alert: string;
  readonly recipient: string;
  readonly kind: ClusterEventKind;
  /** The event's sequence number (from the host). */
  readonly event: number;
  /** CRM_alert_node_sequence of this run. */
  readonly sequence: number;
  /** "done": the agent exited (see exitCode); "timeout": killed at its timeout; "error": could not run, or was dropped. */
  readonly status: "done" | "timeout" | "error";
  readonly exitCode?: number | null;
  readonly reason?: string;
  readonly durationMs: number;
}

/** Options of {@link createAlertAgentsNotifier}. */
export interface AlertAgentsOptions {
  readonly alerts?: readonly AlertConfig[];
  /** CRM_alert_version (default "2.1.5"). */
  readonly version?: string;
  /** Most runs at once; beyond it a run is dropped and reported (default 100). */
  readonly maxInFlight?: number;
  /** Told about every run's end (never throws into the notifier). */
  readonly onResult?: (result: AlertRunResult) => void;
  /** Aborting kills every running agent (shutdown). */
  readonly signal?: AbortSignal;
  /** Kept output per stream (default 64 KiB; alert output is only logged). */
  readonly outputCapBytes?: number;
  /** SIGTERM to SIGKILL grace (default: the spawn helper's). */
  readonly killGraceMs?: number;
  /** The clock for events whose timestamp does not parse (default: now). */
  readonly now?: () => AlertTime;
}

/** The notifier plus its configuration and drain hooks. */
export interface AlertAgentsNotifier extends Notifier {
  /** False for events no configured entry selects (and for expected-result probes). */
  accepts(event: ClusterEvent): boolean;
  /** Replace the alerts (e.g. after a CIB change). Runs in flight go on. */
  configure(alerts: readonly AlertConfig[]): void;
  /** The current alerts. */
  alerts(): readonly AlertConfig[];
  /** Runs in flight now. */
  inFlight(): number;
  /** Resolves once no run is in flight. */
  idle(): Promise<void>;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function systemNow(): AlertTime {
  const us = Math.round((performance.timeOrigin + performance.now()) * 1000);
  return { epochMs: Math.floor(us / 1000), usec: us % 1_000_000 };
}

/**
 * Create the alert-agents notifier.
 *
 * @example
 * ```ts
 * const n = createAlertAgentsNotifier({ alerts: parseAlertsElement(alertsSection) });
 * await n.notify(event, ctx); // returns once the agents are started
 * await n.idle();             // all finished
 * ```
 */
export function createAlertAgentsNotifier(options: AlertAgentsOptions = {}): AlertAgentsNotifier {
  let configs: readonly AlertConfig[] = options.alerts ?? [];
  let entries: AlertEntry[] = resolveAlertEntries(configs);
  let sequence = 0;
  const running = new Set<Promise<void>>();
  const maxInFlight = options.maxInFlight ?? 100;
  const version = options.version ?? ALERT_VERSION;

  function report(log: Logger, r: AlertRunResult): void {
    if (r.status !== "done") {
      log.warn(`Could not send ${r.kind} alert via "${r.alert}" to "${r.recipient}": ${r.reason ?? r.status}`, {
        sequence: r.sequence,
      });
    } else if (r.exitCode !== 0) {
      log.warn(`Alert "${r.alert}" (${r.kind}) completed but exited with status ${r.exitCode}`, { sequence: r.sequence });
    } else log.debug(`Alert "${r.alert}" (${r.kind}) completed`, { sequence: r.sequence, durationMs: r.durationMs });
    try {
      options.onResult?.(r);
    } catch (e) {
      log.warn(`Alert result callback failed: ${(e as Error).message}`);
    }
  }

  async function runOne(entry: AlertEntry, event: ClusterEvent, env: Record<string, string>, seq: number, log: Logger): Promise<void> {
    const base = { alert: entry.id, recipient: entry.recipient, kind: event.kind, event: event.sequence, sequence: seq };
    const r = await runProcess(entry.path, {
      env,
      timeoutMs: entry.timeoutMs,
      outputCapBytes: options.outputCapBytes ?? 64 * 1024,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.killGraceMs !== undefined ? { killGraceMs: options.killGraceMs } : {}),
    });
    if (r.spawnError !== undefined) {
      report(log, { ...base, status: "error", reason: `cannot run ${entry.path}: ${r.spawnError.message}`, durationMs: r.durationMs });
    } else if (r.timedOut) {
      report(log, { ...base, status: "timeout", reason: `Timed Out after ${entry.timeoutMs}ms`, durationMs: r.durationMs });
    } else if (r.aborted) {
      report(log, { ...base, status: "error", reason: "cancelled at shutdown", durationMs: r.durationMs });
    } else {
      const err = r.stderr.trim().split("\n").pop();
      report(log, {
        ...base,
        status: "done",
        exitCode: r.exitCode,
        ...(r.exitCode !== 0 && err ? { reason: err } : {}),
        durationMs: r.durationMs,
      });
    }
  }

  function accepts(event: ClusterEvent): boolean {
    return isAlertableEvent(event) && entries.some((e) => entryWants(e, event));
  }

  function notify(event: ClusterEvent, ctx: PluginContext): Promise<void> {
    const log: Logger = ctx?.log ?? silent;
    if (!isAlertableEvent(event)) return Promise.resolve();
    const chosen = entries.filter((e) => entryWants(e, event));
    if (chosen.length === 0) return Promise.resolve();
    const time = parseEventTime(event.timestamp) ?? (options.now ?? systemNow)();
    const keys = eventAlertKeys(event, version);
    for (const entry of chosen) {
      const seq = ++sequence;
      if (running.size >= maxInFlight) {
        report(log, {
          alert: entry.id, recipient: entry.recipient, kind: event.kind, event: event.sequence, sequence: seq,
          status: "error", reason: `${maxInFlight} alerts already running: dropped`, durationMs: 0,
        });
        continue;
      }
      log.info(`Sending ${event.kind} alert via "${entry.id}" to "${entry.recipient}"`, { sequence: seq });
      const env = alertEnvironment(entry, keys, time, seq);
      const p: Promise<void> = runOne(entry, event, env, seq, log)
        .catch((e) => log.error(`Alert "${entry.id}" failed: ${(e as Error).message}`))
        .finally(() => running.delete(p));
      running.add(p);
    }
    return Promise.resolve();
  }

  return {
    name: "alert-agents",
    accepts,
    notify,
    configure(alerts: readonly AlertConfig[]): void {
      configs = alerts;
      entries = resolveAlertEntries(alerts);
    },
    alerts: () => configs,
    inFlight: () => running.size,
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
