/**
 * The `systemd` resource class, driven through `systemctl` (no D-Bus client needed):
 * start/stop wait for the job (no --no-block) and then for the unit to settle; monitor reads
 * ActiveState; existence is LoadState; the unit's own TimeoutStartUSec/TimeoutStopUSec are read.
 * @module
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import {
  abortableSleep,
  type AgentMetadata,
  type AgentRef,
  AtriumError,
  contextRunOptions,
  type OperationRequest,
  type OperationResult,
  type PluginContext,
  type ResourceClass,
  runProcess,
} from "../../core/plugin/mod.ts";
import { activeStateToOcf, parseShow, parseTimespanMs, systemdMetadataXml, unitName } from "./units.ts";

/** Options of {@link createSystemdClass}. */
export interface SystemdClassOptions {
  /** The systemctl program (default "systemctl", looked up on PATH). */
  readonly systemctl?: string;
  /** Environment for systemctl (e.g. a PATH). */
  readonly env?: Readonly<Record<string, string>>;
  /** Where Pacemaker-style drop-ins go (default /run/systemd/system); null disables them. */
  readonly overrideRoot?: string | null;
  /** Pause between state polls while a unit is activating/deactivating (default 200 ms). */
  readonly pollMs?: number;
}

/** A unit name: no path separators, never starting with "-" (systemctl would read an option). */
const NAME = /^[A-Za-z0-9:_.@\\][A-Za-z0-9:_.@\\-]*$/;
const SHOW_PROPS = ["LoadState", "ActiveState", "SubState", "Description", "TimeoutStartUSec", "TimeoutStopUSec"];

/**
 * Create the `systemd` resource class.
 *
 * @example
 * ```ts
 * const systemd = createSystemdClass();
 * const r = await systemd.exec({ ...op, agent: { class: "systemd", type: "nginx" }, action: "start" }, ctx);
 * ```
 */
export function createSystemdClass(options: SystemdClassOptions = {}): ResourceClass {
  const systemctl = options.systemctl ?? "systemctl";
  const pollMs = options.pollMs ?? 200;
  const overrideRoot = options.overrideRoot === undefined ? "/run/systemd/system" : options.overrideRoot;

  async function ctl(args: string[], ctx: PluginContext, timeoutMs: number) {
    return runProcess(systemctl, {
      args,
      env: { ...(options.env ?? {}), SYSTEMD_PAGER: "", SYSTEMD_COLORS: "0", LC_ALL: "C" },
      timeoutMs: Math.max(1, timeoutMs),
      ...contextRunOptions(ctx),
    });
  }

  async function show(unit: string, ctx: PluginContext, timeoutMs: number): Promise<Record<string, string> | string> {
    const r = await ctl(["show", unit, ...SHOW_PROPS.map((p) => `--property=${p}`)], ctx, timeoutMs);
    if (r.timedOut || r.aborted) return "timeout";
    if (r.exitCode !== 0) return (r.stderr.trim().split("\n")[0] ?? "") || `systemctl show exited with ${r.exitCode ?? r.signal}`;
    return parseShow(r.stdout);
  }

  async function writeOverride(type: string, unit: string, ctx: PluginContext, timeoutMs: number, remove: boolean): Promise<void> {
    if (overrideRoot === null) return;
    const dir = `${overrideRoot}/${unit}.d`;
    const file = `${dir}/50-pacemaker.conf`;
    try {
      if (remove) {
        await rm(file);
      } else {
        await mkdir(dir, { recursive: true, mode: 0o755 });
        const body = `[Unit]\nDescription=Cluster Controlled ${type}\nBefore=pacemaker.service pacemaker_remote.service\n\n[Service]\nRestart=no\n\n`;
        await writeFile(file, body, { mode: 0o644 });
      }
    } catch {
      return; // Stop of a stopped unit has no drop-in to remove; a write failure is not fatal
    }
    await ctl(["daemon-reload"], ctx, timeoutMs);
  }

  async function exec(op: OperationRequest, ctx: PluginContext): Promise<OperationResult> {
    const t0 = Date.now();
    const left = () => op.timeoutMs - (Date.now() - t0);
    const timedOut = (): OperationResult => ({ rc: 1, status: "timeout", reason: `timed out after ${op.timeoutMs}ms`, durationMs: Date.now() - t0 });
    if (!NAME.test(op.agent.type)) {
      return { rc: 5, status: "not_installed", reason: `systemd unit name "${op.agent.type}" is not valid` };
    }
    const unit = unitName(op.agent.type);
    const first = await show(unit, ctx, left());
    if (first === "timeout") return ctx.signal.aborted && left() > 0 ? { rc: 0, status: "cancelled" } : timedOut();
    if (typeof first === "string") return { rc: 1, status: "error", reason: `Cannot query systemd unit "${unit}": ${first}`, durationMs: Date.now() - t0 };
    const load = first["LoadState"] ?? "";
    if (load !== "loaded" && load !== "masked") {
      return { rc: 5, status: "not_installed", reason: `systemd unit "${unit}" is not installed (LoadState=${load || "unknown"})`, durationMs: Date.now() - t0 };
    }
    const unitTimeout = parseTimespanMs(op.action === "stop" ? first["TimeoutStopUSec"] : first["TimeoutStartUSec"]);
    if ((op.action === "start" || op.action === "stop") && unitTimeout !== undefined && op.timeoutMs < unitTimeout) {
      ctx.log.warn("Operation timeout is shorter than the unit's own timeout", { unit, action: op.action, timeoutMs: op.timeoutMs, unitTimeoutMs: unitTimeout });
    }

    // Poll ActiveState until it settles (Pacemaker re-runs a monitor while it is pending).
    async function settle(state: string | undefined): Promise<{ rc: number; state: string } | "timeout"> {
      let s = state ?? "";
      for (;;) {
        const m = activeStateToOcf(s);
        if (!m.pending) return { rc: m.rc, state: s };
        if (left() <= 0 || ctx.signal.aborted) return "timeout";
        await abortableSleep(Math.min(pollMs, Math.max(1, left())), ctx.signal);
        if (left() <= 0 || ctx.signal.aborted) return "timeout";
        const again = await show(unit, ctx, left());
        if (again === "timeout") return "timeout";
        if (typeof again === "string") return { rc: 1, state: again };
        s = again["ActiveState"] ?? "";
      }
    }

    switch (op.action) {
      case "monitor":
      case "status": {
        const r = await settle(first["ActiveState"]);
        if (r === "timeout") return timedOut();
        return { rc: r.rc, status: "done", ...(r.rc === 7 ? { reason: r.state } : {}), durationMs: Date.now() - t0 };
      }
      case "start":
      case "stop":
      case "restart": {
        if (op.action === "start") await writeOverride(op.agent.type, unit, ctx, left(), false);
        if (op.action === "stop") await writeOverride(op.agent.type, unit, ctx, left(), true);
        const r = await ctl([op.action, unit], ctx, left());
        const base = { stdout: r.stdout, stderr: r.stderr };
        if (r.timedOut || (r.aborted && left() <= 0)) return { ...timedOut(), ...base };
        if (r.aborted) return { ...base, rc: 0, status: "cancelled" };
        if (r.spawnError !== undefined) return { rc: 1, status: "error", reason: `Cannot run systemctl: ${r.spawnError.message}` };
        if (r.exitCode !== 0) {
          return { ...base, rc: 1, status: "done", reason: r.stderr.trim().split("\n")[0] || `systemctl ${op.action} exited with ${r.exitCode}`, durationMs: Date.now() - t0 };
        }
        const after = await show(unit, ctx, left());
        if (after === "timeout") return { ...timedOut(), ...base };
        const s = await settle(typeof after === "string" ? "" : after["ActiveState"]);
        if (s === "timeout") return { ...timedOut(), ...base };
        if (op.action === "stop") {
          // A stop that leaves the unit not running succeeded; still active is a failure.
          return { ...base, rc: s.rc === 7 ? 0 : 1, status: "done", ...(s.rc === 0 ? { reason: `unit is still ${s.state}` } : {}), durationMs: Date.now() - t0 };
        }
        return { ...base, rc: s.rc === 0 ? 0 : 1, status: "done", ...(s.rc !== 0 ? { reason: `unit is ${s.state} after ${op.action}` } : {}), durationMs: Date.now() - t0 };
      }
      case "meta-data":
        return { rc: 0, status: "done", stdout: systemdMetadataXml(op.agent.type, first["Description"] ?? `Systemd unit file for ${op.agent.type}`) };
      default:
        return { rc: 3, status: "done", reason: `Action ${op.action} not implemented for systemd resources` };
    }
  }

  return {
    name: "systemd",
    async listAgents(ctx: PluginContext): Promise<AgentRef[]> {
      const r = await ctl(["list-unit-files", "--type=service", "--no-legend", "--no-pager", "--plain"], ctx, 30_000);
      if (r.exitCode !== 0) return [];
      const out: AgentRef[] = [];
      for (const line of r.stdout.split("\n")) {
        const name = line.trim().split(/\s+/)[0] ?? "";
        if (!name.endsWith(".service")) continue;
        out.push({ class: "systemd", type: name.slice(0, -".service".length) });
      }
      return out;
    },
    async metadata(agent: AgentRef, ctx: PluginContext): Promise<AgentMetadata> {
      const op: OperationRequest = { resource: agent.type, agent, action: "meta-data", intervalMs: 0, timeoutMs: 30_000, params: {}, meta: {} };
      const r = await exec(op, ctx);
      if (r.status !== "done" || r.rc !== 0) {
        throw new AtriumError(r.status === "not_installed" ? "AGENT_NOT_INSTALLED" : "AGENT_METADATA_FAILED",
          `Cannot get meta-data of "systemd:${agent.type}": ${r.reason ?? r.status}`, { plugin: "systemd", hook: "metadata" });
      }
      const show1 = await show(unitName(agent.type), ctx, 30_000);
      const startMs = typeof show1 === "string" ? undefined : parseTimespanMs(show1["TimeoutStartUSec"]);
      const stopMs = typeof show1 === "string" ? undefined : parseTimespanMs(show1["TimeoutStopUSec"]);
      return {
        agent,
        version: "0.1",
        shortdesc: `systemd unit file for ${agent.type}`,
        parameters: [],
        actions: [
          { name: "start", timeoutMs: Math.max(100_000, startMs ?? 0) },
          { name: "stop", timeoutMs: Math.max(100_000, stopMs ?? 0) },
          { name: "status", timeoutMs: 100_000 },
          { name: "monitor", timeoutMs: 100_000, intervalMs: 60_000 },
          { name: "meta-data", timeoutMs: 5_000 },
        ],
        xml: r.stdout ?? "",
      };
    },
    exec,
  };
}
