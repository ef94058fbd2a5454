/** Conformance checks for launchers, fence agents and notifiers (see conformance.ts). */
import { checkMetadataShape, type Finding, Findings, sampleEvents, testContext } from "./_findings.ts";
import type {
  ClusterEvent,
  FenceAction,
  FenceAgent,
  FenceAgentProvider,
  GuestHandle,
  GuestLauncher,
  GuestSpec,
  Notifier,
  PluginContext,
} from "./types.ts";

/** Options of {@link checkLauncher}. */
export interface LauncherCheckOptions {
  /** A guest the launcher can start and stop safely. */
  readonly spec: GuestSpec;
  /** Per-call timeout (default 60000 ms). */
  readonly timeoutMs?: number;
  readonly ctx?: PluginContext;
}

/**
 * Drive a launcher: capabilities are declared; start gives a handle naming the launcher,
 * resource and node that survives a JSON round trip (handles are persisted); status is
 * "running"; address is a host and port; recover from the persisted handle is true; stop, then
 * status "stopped", stop again succeeds, recover is false.
 */
export async function checkLauncher(l: GuestLauncher, opts: LauncherCheckOptions): Promise<Finding[]> {
  const f = new Findings();
  const ctx = opts.ctx ?? testContext();
  const t = opts.timeoutMs ?? 60_000;
  f.expect("name", typeof l?.name === "string" && l.name.length > 0, `name is ${JSON.stringify(l?.name)}`);
  const caps = l?.capabilities;
  f.expect(
    "capabilities",
    typeof caps?.migrate === "boolean" && typeof caps?.console === "boolean",
    `capabilities are ${JSON.stringify(caps)}`,
  );
  const started = await f.run("start", t, () => l.start(opts.spec, ctx));
  if (!started) return f.list;
  const h = started.value;
  const handleOk = typeof h === "object" && h !== null && h.launcher === l.name && h.resource === opts.spec.resource &&
    h.node === opts.spec.node && typeof h.state === "object" && h.state !== null;
  f.expect("start handle", handleOk, handleOk ? "names launcher, resource and node" : `got ${JSON.stringify(h)}`);
  let persisted: GuestHandle = h;
  try {
    persisted = JSON.parse(JSON.stringify(h)) as GuestHandle;
    f.pass("handle persists", "survives a JSON round trip");
  } catch (e) {
    f.fail("handle persists", `cannot be serialized: ${(e as Error).message}`);
  }
  const st = await f.run("status while running", t, () => l.status(h, ctx));
  if (st) f.expect("status while running", st.value === "running", `got ${JSON.stringify(st.value)}`);
  const addr = await f.run("address", t, () => l.address(h, ctx));
  if (addr) {
    const a = addr.value;
    const ok = typeof a?.host === "string" && a.host.length > 0 && Number.isInteger(a.port) && a.port > 0 && a.port < 65536;
    f.expect("address", ok, ok ? `${a.host}:${a.port}` : `got ${JSON.stringify(a)}`);
  }
  const rec = await f.run("recover while running", t, () => l.recover(persisted, ctx));
  if (rec) f.expect("recover while running", rec.value === true, `got ${JSON.stringify(rec.value)}`);
  if (await f.run("stop", t, () => l.stop(h, { timeoutMs: t, force: false }, ctx))) f.pass("stop", "resolved");
  const st2 = await f.run("status after stop", t, () => l.status(h, ctx));
  if (st2) f.expect("status after stop", st2.value === "stopped", `got ${JSON.stringify(st2.value)}`);
  if (await f.run("stop while stopped", t, () => l.stop(h, { timeoutMs: t, force: true }, ctx))) {
    f.pass("stop while stopped", "resolved");
  }
  const rec2 = await f.run("recover after stop", t, () => l.recover(persisted, ctx));
  if (rec2) f.expect("recover after stop", rec2.value === false, `got ${JSON.stringify(rec2.value)}`);
  return f.list;
}

/** Options of {@link checkFenceAgent}. */
export interface FenceCheckOptions {
  /** The node (plug) to fence: a test target that can be switched off and on. */
  readonly target: string;
  readonly params?: Readonly<Record<string, string>>;
  /** For a provider: the agent name to check (default: the first it lists). */
  readonly agent?: string;
  /** Per-call timeout (default 60000 ms). */
  readonly timeoutMs?: number;
  readonly ctx?: PluginContext;
}

/**
 * Drive a fence agent (or one agent of a provider): metadata parses; monitor and list succeed;
 * off, status (2), on, status (0), reboot, status (0); an unknown action gives an error result
 * rather than a throw.
 */
export async function checkFenceAgent(a: FenceAgent | FenceAgentProvider, opts: FenceCheckOptions): Promise<Finding[]> {
  const f = new Findings();
  const ctx = opts.ctx ?? testContext();
  const t = opts.timeoutMs ?? 60_000;
  f.expect("name", typeof a?.name === "string" && a.name.length > 0, `name is ${JSON.stringify(a?.name)}`);
  let agent: FenceAgent;
  if (!("run" in a) && typeof (a as FenceAgentProvider).list === "function") {
    const p = a as FenceAgentProvider;
    const names = await f.run("provider list", t, () => p.list(ctx));
    if (!names) return f.list;
    const ok = Array.isArray(names.value) && names.value.every((n) => typeof n === "string");
    if (!f.expect("provider list", ok && names.value.length > 0, `got ${JSON.stringify(names.value)}`)) return f.list;
    const name = opts.agent ?? names.value[0]!;
    const got = await f.run("provider get", t, () => p.get(name, ctx));
    if (!got) return f.list;
    if (!f.expect("provider get", typeof got.value?.run === "function", `get(${JSON.stringify(name)}) gave ${typeof got.value}`)) {
      return f.list;
    }
    agent = got.value!;
  } else agent = a as FenceAgent;

  const md = await f.run("metadata", t, () => agent.metadata(ctx));
  if (md) checkMetadataShape(f, "metadata", md.value);
  const run = async (check: string, action: FenceAction | string, want: readonly number[], target?: string) => {
    const r = await f.run(check, t + Math.min(1000, t), () =>
      agent.run({ action: action as FenceAction, params: opts.params ?? {}, timeoutMs: t, ...(target ? { target } : {}) }, ctx));
    if (!r) return;
    const res = r.value;
    const ok = typeof res === "object" && res !== null && res.status === "done" && want.includes(res.rc);
    f.expect(check, ok, ok ? `rc ${res.rc}` : `expected status "done" rc ${want.join(" or ")}, got ${JSON.stringify(res)}`);
  };
  await run("monitor", "monitor", [0]);
  await run("list", "list", [0]);
  await run("status", "status", [0, 2], opts.target);
  await run("off", "off", [0], opts.target);
  await run("status after off", "status", [2], opts.target);
  await run("on", "on", [0], opts.target);
  await run("status after on", "status", [0], opts.target);
  await run("reboot", "reboot", [0], opts.target);
  await run("status after reboot", "status", [0], opts.target);
  const bad = await f.run("unknown action", t + Math.min(1000, t), () =>
    agent.run({ action: "no-such-action" as FenceAction, target: opts.target, params: opts.params ?? {}, timeoutMs: t }, ctx));
  if (bad) {
    const res = bad.value;
    const ok = typeof res === "object" && res !== null && typeof res.rc === "number" && !(res.status === "done" && res.rc === 0);
    f.expect("unknown action", ok, ok ? `error result (status ${res.status}, rc ${res.rc})` : `expected an error result, got ${JSON.stringify(res)}`);
  }
  return f.list;
}

/** Options of {@link checkNotifier}. */
export interface NotifierCheckOptions {
  /** Events to offer (default: one of each kind, {@link sampleEvents}). */
  readonly events?: readonly ClusterEvent[];
  /** Per-delivery timeout (default 10000 ms). */
  readonly timeoutMs?: number;
  readonly ctx?: PluginContext;
}

/**
 * Drive a notifier: `accepts` (if any) returns a boolean for every event without throwing and
 * accepts at least one; `notify` resolves for every accepted event within the timeout.
 */
export async function checkNotifier(n: Notifier, opts: NotifierCheckOptions = {}): Promise<Finding[]> {
  const f = new Findings();
  const ctx = opts.ctx ?? testContext();
  const t = opts.timeoutMs ?? 10_000;
  f.expect("name", typeof n?.name === "string" && n.name.length > 0, `name is ${JSON.stringify(n?.name)}`);
  let accepted = 0;
  for (const ev of opts.events ?? sampleEvents()) {
    const label = `${ev.kind} event ${ev.sequence}`;
    let take = true;
    if (n.accepts) {
      try {
        const r: unknown = n.accepts(ev);
        if (!f.expect(`accepts ${label}`, typeof r === "boolean", `returned ${JSON.stringify(r)}`)) continue;
        take = r as boolean;
      } catch (e) {
        f.fail(`accepts ${label}`, `threw: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
    }
    if (!take) continue;
    accepted++;
    if (await f.run(`notify ${label}`, t, () => n.notify(ev, ctx))) f.pass(`notify ${label}`, "resolved");
  }
  f.expect("accepts some event", accepted > 0, `${accepted} event(s) accepted`);
  return f.list;
}
