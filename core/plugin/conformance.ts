/**
 * The conformance kit plugin authors run against their plugin (as Nomad's `DriverHarness`):
 * each `check*` drives one contribution through the lifecycle the host relies on and returns a
 * list of findings — nothing is thrown, so it fits any test runner:
 *
 * @example
 * ```ts
 * import plugin from "../src/mod.js";
 * import { conformance } from "atrium/plugin-api";
 * const findings = await conformance.checkResourceClass(plugin.resourceClasses[0], { agent, params: {} });
 * expect(conformance.failures(findings), conformance.formatFindings(findings)).toEqual([]);
 * ```
 *
 * The checks call the plugin's own objects (not the registry's wrappers), so a throw where a
 * result is due is reported as such.
 */
import { checkMetadataShape, type Finding, Findings, testContext } from "./_findings.ts";
import type { AgentRef, OperationRequest, PluginContext, ResourceClass } from "./types.ts";

export { failures, type Finding, Findings, formatFindings, sampleEvents, testContext } from "./_findings.ts";

export { checkFenceAgent, checkLauncher, checkNotifier } from "./_conformance_checks.ts";
export type { FenceCheckOptions, LauncherCheckOptions, NotifierCheckOptions } from "./_conformance_checks.ts";

/** Options of {@link checkResourceClass}. */
export interface ResourceClassCheckOptions {
  /** The agent to drive (a test agent that can start and stop safely). */
  readonly agent: AgentRef;
  readonly params?: Readonly<Record<string, string>>;
  /** The resource id used for the operations (default "conformance-rsc"). */
  readonly resource?: string;
  /** Per-operation timeout (default 20000 ms). */
  readonly timeoutMs?: number;
  readonly ctx?: PluginContext;
}

/**
 * Drive a resource class: metadata parses; monitor of the stopped resource returns 7
 * (not running); start, monitor, stop and a second stop return 0; monitor after stop returns 7;
 * an unknown action gives an error result rather than a throw.
 */
export async function checkResourceClass(rc: ResourceClass, opts: ResourceClassCheckOptions): Promise<Finding[]> {
  const f = new Findings();
  const ctx = opts.ctx ?? testContext();
  const timeoutMs = opts.timeoutMs ?? 20_000;
  f.expect("name", typeof rc?.name === "string" && rc.name.length > 0, `name is ${JSON.stringify(rc?.name)}`);
  const agents = await f.run("listAgents", timeoutMs, () => rc.listAgents(ctx, opts.agent.provider));
  if (agents) {
    const ok = Array.isArray(agents.value) && agents.value.some((a) => a?.type === opts.agent.type);
    f.expect("listAgents", ok, ok ? `lists ${opts.agent.type}` : `does not list ${JSON.stringify(opts.agent.type)}`);
  }
  const md = await f.run("metadata", timeoutMs, () => rc.metadata(opts.agent, ctx));
  if (md) checkMetadataShape(f, "metadata", md.value);

  const op = (action: string): OperationRequest => ({
    resource: opts.resource ?? "conformance-rsc",
    agent: opts.agent,
    action,
    intervalMs: 0,
    timeoutMs,
    params: opts.params ?? {},
    meta: {},
  });
  const steps: [string, string, number][] = [
    ["monitor while stopped", "monitor", 7],
    ["start", "start", 0],
    ["monitor while started", "monitor", 0],
    ["stop", "stop", 0],
    ["stop while stopped", "stop", 0],
    ["monitor after stop", "monitor", 7],
  ];
  for (const [check, action, want] of steps) {
    const r = await f.run(check, timeoutMs + 1000, () => rc.exec(op(action), ctx));
    if (!r) continue;
    const res = r.value;
    const ok = typeof res === "object" && res !== null && res.status === "done" && res.rc === want;
    f.expect(check, ok, ok ? `rc ${want}` : `expected status "done" rc ${want}, got ${JSON.stringify(res)}`);
  }
  const bad = await f.run("unknown action", timeoutMs + 1000, () => rc.exec(op("no-such-action"), ctx));
  if (bad) {
    const res = bad.value;
    const ok = typeof res === "object" && res !== null && typeof res.rc === "number" &&
      !(res.status === "done" && res.rc === 0);
    f.expect("unknown action", ok, ok ? `error result (status ${res.status}, rc ${res.rc})` : `expected an error result, got ${JSON.stringify(res)}`);
  }
  return f.list;
}
