/**
 * Carrying out one fencing operation, as Pacemaker 2.1.5's fencer does:
 *
 * - with a topology for the target, its levels in index order; every device of a level must
 *   succeed, in order; a level that fails (or names a device that is missing or cannot fence
 *   the target) hands over to the next level. A reboot through a level of several devices turns
 *   them all off, then all on again (failures of the "on" phase are ignored: the node is off);
 * - without one, every device that can fence the target, highest `priority` first (then
 *   configuration order), until one succeeds;
 * - a reboot through an agent without `reboot` runs as off;
 * - an "on" (unfencing) also runs through every other device that can reach the target and
 *   whose `on` is automatic (or that `provides=unfencing`): all of them must succeed;
 * - the requested delay (priority-fencing-delay) is waited once, before the first device;
 *   each device adds its own `pcmk_delay_base`/`pcmk_delay_max` delay before off and reboot.
 * @module
 */
import type { FenceAction, FenceAgent, Logger, PluginContext } from "../plugin/types.ts";
import type { Eligibility } from "./_eligibility.ts";
import { type FencerClock, resultOk, runAgent } from "./_run.ts";
import { deviceDelayMs } from "./delays.ts";
import type { FenceDevice } from "./devices.ts";
import type { AgentFeatures } from "../plugin/fence_features.ts";
import type { FenceAttempt } from "./history.ts";
import { deviceTimeoutMs, hostAlias } from "./targets.ts";
import type { TopologyEntry } from "./topology.ts";

/** A fence device with its agent resolved. */
export interface ResolvedDevice {
  readonly device: FenceDevice;
  readonly agent: FenceAgent;
  readonly features: AgentFeatures;
}

/** What the execution needs from the fencer. */
export interface ExecDeps {
  readonly devices: ReadonlyMap<string, FenceDevice>;
  /** The device's agent, or why it cannot be used. */
  resolve(device: FenceDevice): Promise<ResolvedDevice | string>;
  readonly eligibility: Eligibility;
  readonly clock: FencerClock;
  readonly random: () => number;
  readonly context: (signal: AbortSignal) => PluginContext;
  /** Runs `fn` while holding the device (one action per device at a time). */
  withDevice<T>(deviceId: string, fn: () => Promise<T>): Promise<T>;
  readonly log: Logger;
}

/** One operation to carry out. */
export interface ExecRequest {
  readonly target: string;
  readonly action: "reboot" | "off" | "on";
  readonly timeoutMs: number;
  /** Requested delay in ms (-1: no device delays either). */
  readonly delayMs: number;
  readonly allowSelf: boolean;
}

/** The outcome. */
export interface ExecOutcome {
  readonly ok: boolean;
  readonly devices: readonly string[];
  readonly attempts: readonly FenceAttempt[];
  readonly error?: string;
  /** True when no device could even be tried (Pacemaker's PCMK_EXEC_NO_FENCE_DEVICE). */
  readonly noDevice?: boolean;
}

function iso(clockNow: number): string {
  return new Date(clockNow).toISOString();
}

class Run {
  readonly attempts: FenceAttempt[] = [];
  readonly req: ExecRequest;
  readonly deps: ExecDeps;
  #requested: number;

  constructor(req: ExecRequest, deps: ExecDeps) {
    this.req = req;
    this.deps = deps;
    this.#requested = req.delayMs;
  }

  async attempt(r: ResolvedDevice, action: FenceAction, level?: number): Promise<FenceAttempt> {
    const { device, agent, features } = r;
    const { req, deps } = this;
    const exec: FenceAction = action === "reboot" && !features.supportsReboot ? "off" : action;
    let delayMs = 0;
    if (this.#requested >= 0) {
      delayMs = this.#requested + deviceDelayMs(device, action, req.target, deps.random);
      this.#requested = 0; // the requested delay is for the first device only
    }
    if (delayMs > 0) {
      deps.log.info(`Delaying '${action}' of "${req.target}" through "${device.id}" by ${delayMs}ms`);
      await deps.clock.sleep(delayMs);
    }
    const timeoutMs = deviceTimeoutMs(device.params[`pcmk_${exec}_timeout`]) ?? req.timeoutMs;
    const started = deps.clock.now();
    const plug = hostAlias(device.hostMap, req.target) ?? req.target;
    const { result, tries } = await deps.withDevice(device.id, () =>
      runAgent(agent, { action: exec, target: plug, params: device.params, timeoutMs }, deps.context, deps.clock)
    );
    const a: FenceAttempt = {
      device: device.id,
      action: exec,
      ...(level !== undefined ? { level } : {}),
      ok: resultOk(exec, result),
      rc: result.rc,
      status: result.status,
      ...(result.reason !== undefined ? { reason: result.reason } : {}),
      tries,
      delayMs,
      startedAt: iso(started),
      endedAt: iso(deps.clock.now()),
    };
    this.attempts.push(a);
    return a;
  }
}

function failure(a: FenceAttempt): string {
  return `"${a.device}" ${a.action} failed (${a.reason ?? (a.status === "done" ? `rc ${a.rc}` : a.status)})`;
}

async function capable(r: ResolvedDevice, req: ExecRequest, deps: ExecDeps): Promise<boolean> {
  const e = await deps.eligibility.check(r.device, r.agent, r.features, req.target, req.action, req.allowSelf);
  deps.log.debug(`Device "${r.device.id}" is${e.can ? "" : " not"} eligible to fence (${req.action}) "${req.target}": ${e.why}`);
  return e.can;
}

async function runLevel(run: Run, index: number, ids: readonly string[]): Promise<string | undefined> {
  const { req, deps } = run;
  const resolved: ResolvedDevice[] = [];
  for (const id of ids) {
    const dev = deps.devices.get(id);
    if (dev === undefined) return `level ${index}: device "${id}" is not configured here`;
    const r = await deps.resolve(dev);
    if (typeof r === "string") return `level ${index}: ${r}`;
    if (!(await capable(r, req, deps))) return `level ${index}: device "${id}" cannot fence "${req.target}"`;
    resolved.push(r);
  }
  if (req.action === "reboot" && resolved.length > 1) {
    for (const r of resolved) {
      const a = await run.attempt(r, "off", index);
      if (!a.ok) return `level ${index}: ${failure(a)}`;
    }
    for (const r of resolved) {
      if (!r.features.supportsOn) continue;
      const a = await run.attempt(r, "on", index);
      if (!a.ok) deps.log.warn(`Ignoring failed 'on' of "${req.target}" through "${r.device.id}": the node is off`);
    }
    return undefined;
  }
  for (const r of resolved) {
    const a = await run.attempt(r, req.action, index);
    if (!a.ok) return `level ${index}: ${failure(a)}`;
  }
  return undefined;
}

function isUnfencing(r: ResolvedDevice): boolean {
  return r.features.automaticUnfencing || r.device.provides?.toLowerCase() === "unfencing";
}

/** After a successful "on": the remaining automatic-unfencing devices, in configuration order. */
async function unfenceRemaining(run: Run, outcome: ExecOutcome): Promise<ExecOutcome> {
  const { req, deps } = run;
  if (!outcome.ok || req.action !== "on") return outcome;
  const done = new Set(outcome.devices);
  const devices = [...outcome.devices];
  for (const d of [...deps.devices.values()].sort((a, b) => a.index - b.index)) {
    if (done.has(d.id)) continue;
    const r = await deps.resolve(d);
    if (typeof r === "string" || !isUnfencing(r) || !(await capable(r, req, deps))) continue;
    const a = await run.attempt(r, "on");
    if (!a.ok) return { ok: false, devices: [...devices, d.id], attempts: run.attempts, error: `Unfencing needs "${d.id}": ${failure(a)}` };
    devices.push(d.id);
  }
  return { ok: true, devices, attempts: run.attempts };
}

/** Carry out `req` (see the module documentation). */
export async function execute(req: ExecRequest, deps: ExecDeps, topology: TopologyEntry | undefined): Promise<ExecOutcome> {
  const run = new Run(req, deps);
  return unfenceRemaining(run, await choose(run, topology));
}

async function choose(run: Run, topology: TopologyEntry | undefined): Promise<ExecOutcome> {
  const { req, deps } = run;
  if (topology !== undefined) {
    const errors: string[] = [];
    for (const level of topology.levels) {
      const err = await runLevel(run, level.index, level.devices);
      if (err === undefined) return { ok: true, devices: level.devices, attempts: run.attempts };
      errors.push(err);
      deps.log.warn(`Fencing level ${level.index} of "${req.target}" failed: ${err}`);
    }
    return {
      ok: false, devices: [...new Set(run.attempts.map((a) => a.device))], attempts: run.attempts, error: `All fencing levels failed: ${errors.join("; ")}`,
      ...(run.attempts.length === 0 ? { noDevice: true } : {}),
    };
  }
  const candidates = [...deps.devices.values()].sort((a, b) => b.priority - a.priority || a.index - b.index);
  const resolved = await Promise.all(candidates.map(async (d) => {
    const r = await deps.resolve(d);
    if (typeof r === "string") {
      deps.log.warn(`Skipping fence device "${d.id}": ${r}`);
      return undefined;
    }
    return (await capable(r, req, deps)) ? r : undefined;
  }));
  const usable = resolved.filter((r): r is ResolvedDevice => r !== undefined);
  if (usable.length === 0) {
    return { ok: false, devices: [], attempts: [], error: `No fence device can ${req.action} "${req.target}"`, noDevice: true };
  }
  const errors: string[] = [];
  for (const r of usable) {
    const a = await run.attempt(r, req.action);
    if (a.ok) return { ok: true, devices: [r.device.id], attempts: run.attempts };
    errors.push(failure(a));
  }
  return { ok: false, devices: usable.map((r) => r.device.id), attempts: run.attempts, error: errors.join("; ") };
}
