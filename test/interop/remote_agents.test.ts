/**
 * The REAL agents through atrium-remoted (the built dist/atrium-remoted.mjs, real TLS-PSK on
 * loopback, driven by core/remote's RemoteClient), not only through the local executor:
 * ocf:heartbeat:Dummy, ocf:pacemaker:Dummy, ocf:pacemaker:Stateful, ocf:heartbeat:anything,
 * ocf:heartbeat:IPaddr2 validate-all, a missing agent, lsb:logd, and the test-only slow agent
 * timing out without leaving a process behind. Results are checked as Pacemaker's controller
 * sees them (lrmd_exec_rc and lrmd_exec_op_status). The expected pairs were checked against
 * the real pacemaker-remoted 2.1.5 (validate-all 6/0, missing agent 5/7, lsb:logd 7,0,0,0,7 with
 * op-status 0, Stateful promoted monitor 8/0; timeout 1/2 from reference/captures).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { type ExecResult, type ExecSpec, ExecStatus, RemoteClient, type RemoteResource } from "../../core/remote/mod.ts";
import { marker, processesWithCmdline, processesWithEnv, TEST_OCF_ROOT } from "../fixtures/agents/proc.ts";
import { type AtriumRemoted, startAtriumRemoted } from "./remote_helpers.ts";
import { runRemoted } from "../../agents/atrium-remoted/mod.ts";
import { executorBackend } from "../../agents/atrium-remoted/_executor_backend.ts";
import { createOcfClass } from "../../plugins/ocf/mod.ts";
import { createLsbClass } from "../../plugins/lsb/mod.ts";

const BUNDLE = join(import.meta.dirname ?? ".", "../../dist/atrium-remoted.mjs");
const OCF = "/usr/lib/ocf/resource.d";
const NEEDED = [
  BUNDLE,
  `${OCF}/heartbeat/Dummy`,
  `${OCF}/pacemaker/Dummy`,
  `${OCF}/pacemaker/Stateful`,
  `${OCF}/heartbeat/anything`,
  `${OCF}/heartbeat/IPaddr2`,
  "/etc/init.d/logd",
  "/usr/lib/heartbeat/ha_logd",
  `${TEST_OCF_ROOT}/resource.d/atrium-test/Slow`,
];
const missing = NEEDED.filter((p) => !existsSync(p));
const why = missing.length > 0
  ? `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} absent (run "npm run build" / install resource-agents, pacemaker, cluster-glue)`
  : process.getuid?.() !== 0
  ? "not running as root (agents write to /run and lsb:logd starts a daemon)"
  : undefined;
if (why) console.log(`skipping real agents through atrium-remoted: ${why}`);

const tmp = mkdtempSync(join(tmpdir(), "atrium-remote-agents-"));
/** Per-run suffix: ocf:pacemaker:Dummy and Stateful keep their state in /run by resource id. */
const RUN = marker("ra").replace(/[^A-Za-z0-9-]/g, "");
const rid = (name: string) => `${name}-${RUN}`;

/** Both daemons share one key; the second runs with OCF_ROOT at the test-only agents. */
let real: AtriumRemoted | undefined;
let test: AtriumRemoted | undefined;
let c: RemoteClient;
let ct: RemoteClient;

function randomPort(): number {
  return 40_000 + Math.floor(Math.random() * 9_000);
}

/** Start atrium-remoted on a random loopback port, retrying once on a port collision. */
async function start(env: Record<string, string>): Promise<AtriumRemoted> {
  let last: unknown;
  for (let i = 0; i < 3; i++) {
    try {
      return await startAtriumRemoted(BUNDLE, randomPort(), { keyBytes: 256, env });
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

async function connect(d: AtriumRemoted, name: string): Promise<RemoteClient> {
  const cl = new RemoteClient({ host: "127.0.0.1", port: d.port, key: d.key, clientName: name });
  const s = await cl.connect();
  expect(s.protocolVersion).toBe("1.1");
  return cl;
}

function spec(rscId: string, action: string, extra: Partial<ExecSpec> = {}, params: Record<string, string> = {}): ExecSpec {
  const intervalMs = extra.intervalMs ?? 0;
  const timeoutMs = extra.timeoutMs ?? 20_000;
  return {
    rscId, action, intervalMs, timeoutMs, startDelayMs: 0, ...extra,
    params: { ...params, CRM_meta_timeout: String(timeoutMs), CRM_meta_interval: String(intervalMs) },
  };
}

/** Pacemaker's view of one result: [lrmd_exec_rc, lrmd_exec_op_status]. */
function seen(r: ExecResult): [number, number] {
  return [r.rc, r.opStatus];
}

const DONE = ExecStatus.DONE;

beforeAll(async () => {
  if (why) return;
  real = await start({ OCF_ROOT: "/usr/lib/ocf" });
  test = await start({ OCF_ROOT: TEST_OCF_ROOT });
  c = await connect(real, "remote-agents");
  ct = await connect(test, "remote-agents-slow");
}, 30_000);

afterAll(async () => {
  c?.close();
  ct?.close();
  await real?.stop();
  await test?.stop();
  rmSync(tmp, { recursive: true, force: true });
  for (const f of [`/run/Dummy-${rid("pcmk-dummy")}.state`, `/run/resource-agents/Dummy-${rid("hb-dummy")}.state`]) rmSync(f, { force: true });
}, 20_000);

/** Register, then probe / start / recurring monitor 1 s (two results) / cancel / stop / probe. */
async function dummyLifecycle(rsc: RemoteResource): Promise<void> {
  const id = rsc.id;
  await c.registerResource(rsc);
  expect(await c.resourceInfo(id)).toEqual(rsc);
  expect(seen(await c.run(spec(id, "monitor")))).toEqual([7, DONE]);
  expect(await c.run(spec(id, "start", { userdata: "u-start" }))).toMatchObject({ rc: 0, opStatus: DONE, userdata: "u-start" });
  const results: ExecResult[] = [];
  const two = new Promise<void>((resolve) => {
    const on = (r: ExecResult) => {
      if (r.rscId === id && r.action === "monitor" && r.intervalMs === 1000 && results.push(r) === 2) {
        c.off("result", on);
        resolve();
      }
    };
    c.on("result", on);
  });
  const mon = await c.exec(spec(id, "monitor", { intervalMs: 1000 }));
  await two;
  expect(results.map((r) => [r.callId, ...seen(r)])).toEqual([[mon, 0, DONE], [mon, 0, DONE]]);
  expect(await c.getRecurring(id)).toEqual([{ rscId: id, action: "monitor", intervalMs: 1000, timeoutMs: 20_000 }]);
  const cancelled = new Promise<ExecResult>((resolve) => {
    const on = (r: ExecResult) => {
      if (r.callId === mon && r.opStatus === ExecStatus.CANCELLED) (c.off("result", on), resolve(r));
    };
    c.on("result", on);
  });
  expect(await c.cancel(id, "monitor", 1000)).toBe(true);
  expect((await cancelled).opStatus).toBe(ExecStatus.CANCELLED);
  expect(await c.getRecurring(id)).toEqual([]);
  expect(seen(await c.run(spec(id, "stop")))).toEqual([0, DONE]);
  expect(seen(await c.run(spec(id, "monitor")))).toEqual([7, DONE]);
  expect(await c.unregisterResource(id)).toBe("done");
}

/** lsb:logd (cluster-glue's init script for ha_logd): probe 7, start, monitor 0, stop, monitor 7. */
async function logdLifecycle(cl: RemoteClient, id: string): Promise<void> {
  await cl.registerResource({ id, standard: "lsb", type: "logd" });
  try {
    expect(seen(await cl.run(spec(id, "monitor")))).toEqual([7, DONE]);
    expect(seen(await cl.run(spec(id, "start")))).toEqual([0, DONE]);
    expect(processesWithCmdline("ha_logd").length).toBeGreaterThan(0);
    expect(seen(await cl.run(spec(id, "monitor")))).toEqual([0, DONE]);
    expect(seen(await cl.run(spec(id, "stop")))).toEqual([0, DONE]);
    expect(processesWithCmdline("ha_logd")).toEqual([]);
    // logd's status exits 1 once stopped (pid file left): LSB "dead" is not running.
    expect(seen(await cl.run(spec(id, "monitor")))).toEqual([7, DONE]);
  } finally {
    if (processesWithCmdline("ha_logd").length > 0) await cl.run(spec(id, "stop")).catch(() => undefined);
    await cl.unregisterResource(id).catch(() => undefined);
  }
}

describe.skipIf(why !== undefined)("real agents through atrium-remoted", () => {
  it("runs ocf:heartbeat:Dummy: probe 7, start, recurring monitor, cancel, stop, probe 7", async () => {
    await dummyLifecycle({ id: rid("hb-dummy"), standard: "ocf", provider: "heartbeat", type: "Dummy" });
  }, 20_000);

  it("runs ocf:pacemaker:Dummy: probe 7, start, recurring monitor, cancel, stop, probe 7", async () => {
    await dummyLifecycle({ id: rid("pcmk-dummy"), standard: "ocf", provider: "pacemaker", type: "Dummy" });
  }, 20_000);

  it("promotes ocf:pacemaker:Stateful: the promoted role's monitor reports rc 8, then demotes and stops", async () => {
    const id = rid("stateful");
    await c.registerResource({ id, standard: "ocf", provider: "pacemaker", type: "Stateful" });
    expect(seen(await c.run(spec(id, "monitor")))).toEqual([7, DONE]);
    expect(seen(await c.run(spec(id, "start")))).toEqual([0, DONE]);
    expect(seen(await c.run(spec(id, "promote")))).toEqual([0, DONE]);
    // Stateful's meta-data: monitor interval 10s for role Promoted (11s for Unpromoted).
    const first = new Promise<ExecResult>((resolve) => {
      const on = (r: ExecResult) => {
        if (r.rscId === id && r.intervalMs === 10_000) (c.off("result", on), resolve(r));
      };
      c.on("result", on);
    });
    const mon = await c.exec(spec(id, "monitor", { intervalMs: 10_000 }, { CRM_meta_role: "Promoted" }));
    const r = await first;
    expect([r.callId, ...seen(r)]).toEqual([mon, 8, DONE]);
    expect(await c.cancel(id, "monitor", 10_000)).toBe(true);
    expect(seen(await c.run(spec(id, "demote")))).toEqual([0, DONE]);
    expect(seen(await c.run(spec(id, "monitor")))).toEqual([0, DONE]);
    expect(seen(await c.run(spec(id, "stop")))).toEqual([0, DONE]);
    expect(seen(await c.run(spec(id, "monitor")))).toEqual([7, DONE]);
    expect(await c.unregisterResource(id)).toBe("done");
  }, 20_000);

  it("runs a real sleep with ocf:heartbeat:anything: the process exists after start and is gone after stop", async () => {
    const id = rid("anything");
    const secs = `${1000 + Math.floor(Math.random() * 900)}.${Date.now() % 1000}`;
    const pidfile = `${tmp}/${id}.pid`;
    const params = { binfile: "/bin/sleep", cmdline_options: secs, pidfile, logfile: "/dev/null" };
    await c.registerResource({ id, standard: "ocf", provider: "heartbeat", type: "anything" });
    try {
      expect(seen(await c.run(spec(id, "monitor", {}, params)))).toEqual([7, DONE]);
      expect(seen(await c.run(spec(id, "start", {}, params)))).toEqual([0, DONE]);
      const pids = processesWithCmdline(`/bin/sleep ${secs}`);
      expect(pids).toHaveLength(1);
      expect(readFileSync(pidfile, "utf8").trim()).toBe(String(pids[0]));
      expect(seen(await c.run(spec(id, "monitor", {}, params)))).toEqual([0, DONE]);
      expect(seen(await c.run(spec(id, "stop", {}, params)))).toEqual([0, DONE]);
      expect(processesWithCmdline(`/bin/sleep ${secs}`)).toEqual([]);
      expect(seen(await c.run(spec(id, "monitor", {}, params)))).toEqual([7, DONE]);
    } finally {
      for (const p of processesWithCmdline(`/bin/sleep ${secs}`)) process.kill(p, "SIGKILL");
      await c.unregisterResource(id);
    }
  }, 20_000);

  it("times out the slow test agent (rc 1, op-status timeout) and leaves no process of its group", async () => {
    const id = rid("slow");
    const m = marker("rslow");
    await ct.registerResource({ id, standard: "ocf", provider: "atrium-test", type: "Slow" });
    const t0 = Date.now();
    const r = await ct.run(spec(id, "start", { timeoutMs: 500 }, { sleep: "30", marker: m }));
    expect(seen(r)).toEqual([1, ExecStatus.TIMEOUT]);
    expect(r.exitReason).toMatch(/\S/);
    expect(Date.now() - t0).toBeLessThan(4000);
    // The executor resolves after the group is reaped; allow the kernel a moment to drop zombies.
    let left = processesWithEnv(`OCF_RESKEY_marker=${m}`);
    for (let i = 0; i < 10 && left.length > 0; i++) {
      await new Promise((res) => setTimeout(res, 100));
      left = processesWithEnv(`OCF_RESKEY_marker=${m}`);
    }
    expect(left).toEqual([]);
    expect(await ct.unregisterResource(id)).toBe("done");
  }, 20_000);

  it("reports a missing agent as Pacemaker does: rc 5, op-status not installed", async () => {
    const id = rid("missing");
    await c.registerResource({ id, standard: "ocf", provider: "pacemaker", type: "NoSuchAgent" });
    const r = await c.run(spec(id, "start", { timeoutMs: 5000 }));
    expect(seen(r)).toEqual([5, ExecStatus.NOT_INSTALLED]);
    expect(r.exitReason).toContain("NoSuchAgent");
    expect(await c.unregisterResource(id)).toBe("done");
  }, 20_000);

  it("reports validate-all of ocf:heartbeat:IPaddr2 with a bad ip as rc 6 with the agent's exit reason", async () => {
    const id = rid("ipaddr");
    await c.registerResource({ id, standard: "ocf", provider: "heartbeat", type: "IPaddr2" });
    const r = await c.run(spec(id, "validate-all", {}, { ip: "not-an-ip" }));
    expect(seen(r)).toEqual([6, DONE]);
    expect(r.exitReason).toBe("[findif] failed");
    expect(await c.unregisterResource(id)).toBe("done");
  }, 20_000);

  // The built daemon serves the ocf, lsb and systemd classes, as the real pacemaker-remoted does.
  it("runs lsb:logd through the built daemon, monitor mapped to status", async () => {
    await logdLifecycle(c, rid("logd"));
  }, 30_000);

  it("kept both daemons up", () => {
    expect(real!.child.exitCode).toBeNull();
    expect(test!.child.exitCode).toBeNull();
    expect(`${real!.log()}${test!.log()}`).not.toMatch(/ error: /);
  });
});
