/**
 * The controller as atriumd runs it: the plugin registry with the built-ins (the netns
 * launcher keeps its guests' state under `DIR/guests`), the local executor over the
 * registry's resource classes, remote/guest connections with the daemon's authkey, the
 * registry's launchers (whose stops end forced, ./_launchers.ts), fencing (./_fencing.ts), the
 * implicit monitor of remote connections (./_connection_monitor.ts), and the controller (core/controller) over the CIB service and the
 * scheduler. Launcher handles are kept in `DIR/guests.json` so that a restarted daemon adopts
 * its running guests instead of losing track of them.
 *
 * Shutdown is Pacemaker's: the node's `shutdown` attribute is set, the scheduler stops what
 * runs here (guests first hand over their resources), the controller waits for that (up to
 * `shutdownTimeoutMs`), then everything is closed and the attribute is cleared.
 *
 * @example
 * ```ts
 * await runAtriumd(argv, io, { ...hooks, startController: (ctx) => startController(ctx, { stateDir }) });
 * ```
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Cib, type CibElement, isElement } from "../../core/cib/model.ts";
import {
  cibAccess,
  Controller,
  localExecutor,
  nodeAttribute,
  remoteConnector,
  setNodeAttribute,
} from "../../core/controller/mod.ts";
import { Executor } from "../../core/executor/mod.ts";
import { registerPlugins } from "../../core/plugin/bootstrap.ts";
import { Registry } from "../../core/plugin/registry.ts";
import type { GuestHandle, Logger } from "../../core/plugin/types.ts";
import { schedule } from "../../core/scheduler/mod.ts";
import { builtinPlugins } from "../_builtin_plugins.ts";
import { withConnectionMonitors, withConnectionRetry } from "./_connection_monitor.ts";
import { readPluginConfigs, type RunningFencing, startFencing } from "./_fencing.ts";
import { stopForcefully } from "./_launchers.ts";
import type { ControllerContext } from "./mod.ts";

/** Options of {@link startController}. */
export interface StartControllerOptions {
  /** The daemon's state directory (guest state and `guests.json` live there). */
  readonly stateDir: string;
  /** Longest wait for the node's resources to stop at shutdown (default 120 000 ms). */
  readonly shutdownTimeoutMs?: number;
  /** Plugin configurations by plugin name (merged over atriumd's defaults). */
  readonly pluginConfigs?: Readonly<Record<string, unknown>>;
}

/** The running controller, as the daemon holds it. */
export interface RunningController {
  readonly controller: Controller;
  readonly registry: Registry;
  /** Fencing (the API's fencing routes use it). */
  readonly fencing: RunningFencing["fencing"];
  /** Stop the node's resources (see the module documentation), then close everything. */
  stop(): Promise<void>;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function toLogger(log: ControllerContext["log"], tag: string): Logger {
  const line = (m: string, f?: Record<string, unknown>): string => {
    const extra = f && Object.keys(f).length > 0 ? ` ${JSON.stringify(f)}` : "";
    return `${tag}${m}${extra}`;
  };
  return {
    debug: (m, f) => log("debug", line(m, f)),
    info: (m, f) => log("info", line(m, f)),
    warn: (m, f) => log("warn", line(m, f)),
    error: (m, f) => log("error", line(m, f)),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Read the persisted launcher handles (an unreadable file is no handles). */
async function readHandles(path: string, log: Logger): Promise<GuestHandle[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return [];
  }
  try {
    const v: unknown = JSON.parse(text);
    if (!Array.isArray(v)) throw new SyntaxError("expected an array");
    return v.filter((h): h is GuestHandle =>
      typeof h === "object" && h !== null && typeof h.launcher === "string" &&
      typeof h.resource === "string" &&
      typeof h.node === "string" && typeof h.state === "object" && h.state !== null
    );
  } catch (e) {
    log.warn(`Cannot read guest handles from "${path}": ${message(e)}; ignoring them`);
    return [];
  }
}

/** Container resources of the CIB (class `launcher`). */
function launcherResources(cib: Cib): Set<string> {
  const out = new Set<string>();
  const walk = (el: CibElement): void => {
    if (el.tag === "primitive" && el.attrs.class === "launcher" && el.attrs.id !== undefined) {
      out.add(el.attrs.id);
    }
    for (const c of el.children) if (isElement(c) && c.tag !== "status") walk(c);
  };
  walk(cib);
  return out;
}

/**
 * Build and start the controller for atriumd (see the module documentation). Rejects when the
 * built-in plugins cannot be registered (nothing is left running then).
 */
export async function startController(
  ctx: ControllerContext,
  opts: StartControllerOptions,
): Promise<RunningController> {
  const log = toLogger(ctx.log, "");
  const registry = new Registry({ log: toLogger(ctx.log, "plugin: ") });
  const configs: Record<string, unknown> = {
    netns: { stateDir: join(opts.stateDir, "guests") },
    ...(await readPluginConfigs(opts.stateDir, log)),
    ...(opts.pluginConfigs ?? {}),
  };
  try {
    await registerPlugins(registry, { builtins: builtinPlugins(), baseDir: opts.stateDir, configs });
  } catch (e) {
    await registry.close().catch(() => []);
    throw e;
  }
  const executor = new Executor({
    resolveClass: (n) => registry.resourceClass(n),
    log: toLogger(ctx.log, "executor: "),
  });
  const local = localExecutor(executor);
  const { service, nodeName, authkey } = ctx;

  // A stale shutdown request (a crash while stopping) must not stop the node again.
  if (nodeAttribute(service.get(), nodeName, "shutdown") !== undefined) {
    await service.apply((cib) => setNodeAttribute(cib, nodeName, "shutdown", undefined)).catch((e) =>
      log.warn(`Cannot clear the shutdown attribute: ${message(e)}`)
    );
  }

  const fencing = await startFencing({ service, registry, nodeName, log, stateDir: opts.stateDir });
  const controller = new Controller({
    cib: cibAccess(service),
    scheduler: (cib, now) => schedule(cib, { now }),
    schedulerView: (cib) => withConnectionRetry(withConnectionMonitors(cib)),
    nodeName,
    local,
    ...(authkey
      ? { connector: remoteConnector({ key: authkey, clientName: `atriumd-${nodeName}` }), authkey }
      : {}),
    launcher: (n) => stopForcefully(registry.launcher(n)),
    fence: fencing.fence,
    stonith: fencing.devices,
    notify: fencing.notify,
    log,
  });
  fencing.fencing.attach(controller);

  // Guests that outlived a previous daemon are adopted before the first schedule.
  const handlesPath = join(opts.stateDir, "guests.json");
  for (const h of await readHandles(handlesPath, log)) {
    try {
      if (await controller.launchers.recover(h)) {
        log.info(`Adopted running guest container "${h.resource}" (node "${h.node}")`);
      }
    } catch (e) {
      log.warn(`Cannot adopt guest container "${h.resource}": ${message(e)}`);
    }
  }
  let lastSaved = "";
  const saveHandles = async (): Promise<void> => {
    const hs = [...launcherResources(service.get())].map((r) => controller.launchers.handle(r)).filter((
      h,
    ): h is GuestHandle => h !== undefined);
    const text = JSON.stringify(hs);
    if (text === lastSaved) return;
    lastSaved = text;
    const tmp = `${handlesPath}.tmp`;
    await writeFile(tmp, text + "\n", { mode: 0o600 });
    await rename(tmp, handlesPath);
  };
  let saving = Promise.resolve();
  const offReport = controller.onTransition(() => {
    saving = saving.then(saveHandles).catch((e) => log.warn(`Cannot save guest handles: ${message(e)}`));
  });

  controller.start();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const limit = opts.shutdownTimeoutMs ?? 120_000;
      try {
        await service.apply((cib) =>
          setNodeAttribute(cib, nodeName, "shutdown", String(Math.floor(Date.now() / 1000)))
        );
        await delay(20);
        const done = await Promise.race([controller.idle().then(() => true), delay(limit).then(() => false)]);
        if (!done) log.warn(`Resources did not stop within ${limit} ms; leaving them as they are`);
      } catch (e) {
        log.warn(`Cannot stop this node's resources: ${message(e)}`);
      }
      offReport();
      await controller.stop();
      await fencing.close();
      await saving;
      await saveHandles().catch((e) => log.warn(`Cannot save guest handles: ${message(e)}`));
      for (const r of executor.recurring()) executor.cancel(r.resource, r.action, r.intervalMs);
      local.close();
      await service.apply((cib) => setNodeAttribute(cib, nodeName, "shutdown", undefined)).catch(() => {});
      const errs = await registry.close();
      for (const e of errs) log.warn(`Plugin teardown failed: ${e.message}`);
    })();
    return stopping;
  };
  return { controller, registry, fencing: fencing.fencing, stop };
}

/**
 * The daemon's controller hook: {@link startController} with the context's state directory and
 * `ATRIUM_SHUTDOWN_TIMEOUT_MS` (milliseconds) from its environment.
 */
export function startNodeController(ctx: ControllerContext): Promise<RunningController> {
  const v = ctx.env.ATRIUM_SHUTDOWN_TIMEOUT_MS;
  const timeout = v !== undefined && /^\d{1,9}$/.test(v) ? { shutdownTimeoutMs: Number(v) } : {};
  return startController(ctx, { stateDir: ctx.stateDir, ...timeout });
}
