/**
 * Fencing and notifications as atriumd wires them to the controller:
 *
 * - the fencer over the registry's fence agents, its history kept in `DIR/fencing.json`,
 *   configured from the CIB on every change (core/controller's {@link ControllerFencing});
 *   its `fence` is the controller's hook and it serves the API's fencing routes; failed
 *   fencing is retried with new transitions once the controller is attached, up to
 *   `stonith-max-attempts`;
 * - the executor of this node's fence device resources (`stonith` class), whose start and
 *   monitors run the fence agent's `monitor` action through the fencer;
 * - one event sequence for the fencer's `fencing` events and the controller's status events
 *   (node, resource, attribute), all handed to `registry.notifyAll` (queued, never blocking);
 * - the alert-agents notifier configured from the CIB's `<alerts>` on every change.
 *
 * @example
 * ```ts
 * const f = await startFencing({ service, registry, nodeName, log, stateDir });
 * const ctl = new Controller({ ..., fence: f.fence, notify: f.notify, stonith: f.devices });
 * f.fencing.attach(ctl);
 * createApi({ service, token, fencing: f.fencing });
 * ```
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FenceApi } from "../../core/api/mod.ts";
import type { Cib, CibElement } from "../../core/cib/model.ts";
import { ControllerFencing, loadFenceHistory } from "../../core/controller/mod.ts";
import { StonithDeviceExecutor } from "../../core/controller/fencing.ts";
import { eventSequence } from "../../core/controller/notify.ts";
import { Fencer } from "../../core/fencer/mod.ts";
import type { Registry } from "../../core/plugin/registry.ts";
import type { ClusterEvent, Logger } from "../../core/plugin/types.ts";
import { alertAgentsNotifier, type AlertXmlNode, parseAlertsElement } from "../../plugins/alert-agents/mod.ts";

/** Options of {@link startFencing}. */
export interface StartFencingOptions {
  readonly service: { get(): Cib; apply(edit: (cib: Cib) => Cib): Promise<unknown>; onChange(cb: () => void): () => void };
  readonly registry: Registry;
  readonly nodeName: string;
  readonly log: Logger;
  /** Where `fencing.json` is kept. */
  readonly stateDir: string;
}

/** What the daemon holds. */
export interface RunningFencing {
  /** The controller's `fence` hook. */
  readonly fence: ControllerFencing["fence"];
  /** The controller's `notify` sink (events numbered in one sequence with the fencer's). */
  readonly notify: (event: ClusterEvent) => void;
  /** For the API's fencing routes (and `attach(controller)` for retries). */
  readonly fencing: ControllerFencing;
  /** The controller's `stonith` executor: fence device resources of this node. */
  readonly devices: StonithDeviceExecutor;
  close(): Promise<void>;
}

function alertsSection(cib: Cib): CibElement | undefined {
  for (const c of cib.children) {
    if (c.tag !== "configuration" || !("attrs" in c)) continue;
    for (const s of c.children) if (s.tag === "alerts" && "attrs" in s) return s;
  }
  return undefined;
}

/** Start the fencing and notification wiring (see the module documentation). */
export async function startFencing(o: StartFencingOptions): Promise<RunningFencing> {
  const path = join(o.stateDir, "fencing.json");
  const history = await loadFenceHistory(path, o.log);
  const next = eventSequence();
  const notify = (e: ClusterEvent): void => {
    try {
      o.registry.notifyAll({ ...e, sequence: next() });
    } catch (err) {
      o.log.warn(`Cannot queue a ${e.kind} event: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const fencer = new Fencer({ agents: o.registry, localNode: o.nodeName, history, log: o.log, onEvent: notify });
  const fencing = new ControllerFencing({ fencer, cib: o.service, localNode: o.nodeName, log: o.log, historyPath: path });
  fencing.start();
  const devices = new StonithDeviceExecutor({ monitor: (d, ms) => fencer.monitor(d, ms), log: o.log });

  // <alerts> from the CIB; a CIB that never had one leaves the plugin's own configuration alone.
  let lastAlerts: CibElement | undefined;
  const configureAlerts = (): void => {
    const el = alertsSection(o.service.get());
    if (el === lastAlerts) return;
    lastAlerts = el;
    try {
      alertAgentsNotifier.configure(parseAlertsElement(el as AlertXmlNode | undefined, (w) => o.log.warn(`alerts: ${w}`)));
    } catch (e) {
      o.log.warn(`Cannot configure the alert agents: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  configureAlerts();
  const offAlerts = o.service.onChange(configureAlerts);

  return {
    fence: fencing.fence,
    notify,
    fencing,
    devices,
    close: async () => {
      offAlerts();
      devices.stopAll();
      await fencing.close();
    },
  };
}

/** `{fencing}` for `createApi` when `controller` (what startController returned) has one; else `{}`. */
export function apiFencing(controller: unknown): { fencing?: FenceApi } {
  const f = (controller as { fencing?: unknown } | undefined)?.fencing;
  return f instanceof ControllerFencing ? { fencing: f } : {};
}

/**
 * Plugin configurations from `DIR/plugins.json` (an object: plugin name -> its configuration,
 * e.g. `{"webhook": {"url": "...", "secretFile": "..."}, "fence-agents": {"directory": "..."}}`).
 * A missing file is `{}`; an unreadable one is `{}` with a warning (its content is never logged:
 * it may hold secrets).
 */
export async function readPluginConfigs(stateDir: string, log: Logger): Promise<Record<string, unknown>> {
  const path = join(stateDir, "plugins.json");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return {};
  }
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new TypeError("expected a JSON object of plugin configurations");
    return v as Record<string, unknown>;
  } catch (e) {
    log.warn(`Cannot read plugin configurations from "${path}": ${e instanceof SyntaxError ? "not valid JSON" : e instanceof Error ? e.message : String(e)}; ignoring them`);
    return {};
  }
}
