/**
 * The fence-agents provider against real programs: Debian's fence_dummy (/usr/sbin) and the
 * fence_recorder test agent (test/fixtures/fence), through every action, failures and timeouts.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { afterAll, describe, expect, it } from "vitest";
import { conformance, type FenceAgent, type Logger, type PluginContext } from "../../../core/plugin/mod.ts";
import plugin, { createFenceAgentsProvider, fenceAgentFeatures } from "../../../plugins/fence-agents/mod.ts";

const FIXTURE = new URL("../../fixtures/fence/fence_recorder", import.meta.url).pathname;
const tmp = mkdtempSync(`${tmpdir()}/atrium-fence-`);
const binDir = `${tmp}/bin`;
mkdirSync(binDir);
copyFileSync(FIXTURE, `${binDir}/fence_recorder`);
chmodSync(`${binDir}/fence_recorder`, 0o755);
writeFileSync(`${binDir}/not_a_fence_agent`, "#!/bin/sh\n");
mkdirSync(`${binDir}/fence_a_directory`);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const logged: string[] = [];
const log: Logger = {
  debug: (m, f) => logged.push(`${m} ${JSON.stringify(f ?? {})}`),
  info: (m, f) => logged.push(`${m} ${JSON.stringify(f ?? {})}`),
  warn: (m, f) => logged.push(`${m} ${JSON.stringify(f ?? {})}`),
  error: (m, f) => logged.push(`${m} ${JSON.stringify(f ?? {})}`),
};
const ctx: PluginContext = { log, signal: new AbortController().signal, runtime: "node", killGraceMs: 200 };

const provider = createFenceAgentsProvider({ directory: binDir, retryDelayMs: 50 });

async function recorder(): Promise<FenceAgent> {
  const a = await provider.get("fence_recorder", ctx);
  if (a === undefined) throw new Error("fence_recorder not served");
  return a;
}

/** True while `pid` exists and is not a zombie (an unreaped orphan counts as gone). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return !["Z", "X"].includes(stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3));
  } catch {
    return false;
  }
}

function records(file: string): string[][] {
  return readFileSync(file, "utf8").split("--\n").filter((b) => b !== "").map((b) => b.split("\n").filter((l) => l !== ""));
}

describe("fence-agents provider with fence_recorder", () => {
  it("lists only fence_* files and serves them by name", async () => {
    expect(await provider.list(ctx)).toEqual(["fence_recorder"]);
    expect(await provider.get("fence_a_directory", ctx)).toBeUndefined();
    expect(await provider.get("not_a_fence_agent", ctx)).toBeUndefined();
    expect(await provider.get("fence_../bin/sh", ctx)).toBeUndefined();
    expect(await createFenceAgentsProvider({ directory: `${tmp}/missing` }).list(ctx)).toEqual([]);
  });

  it("sends the stdin protocol as Pacemaker does and records it", async () => {
    const rec = `${tmp}/proto.rec`;
    const a = await recorder();
    const r = await a.run({
      action: "off",
      target: "node1",
      targetNodeId: "1",
      timeoutMs: 10_000,
      params: { record_file: rec, state_file: `${tmp}/proto.state`, pcmk_host_list: "node1", ipaddr: "10.1.1.1" },
    }, ctx);
    expect(r).toMatchObject({ rc: 0, status: "done" });
    expect(r.output).toBe("Success: Powered off\n");
    // fence_recorder declares `plug` (no `port`), so the target travels as plug=.
    expect(records(rec)).toEqual([[
      "action=off",
      "nodename=node1",
      "nodeid=1",
      "plug=node1",
      `record_file=${rec}`,
      `state_file=${tmp}/proto.state`,
      "ipaddr=10.1.1.1",
    ]]);
  });

  it("runs off, status, on, status, reboot, list and monitor with the right exit codes", async () => {
    const a = await recorder();
    const params = { state_file: `${tmp}/cycle.state` };
    const run = (action: "off" | "on" | "reboot" | "status" | "list" | "monitor", target?: string) =>
      a.run({ action, params, timeoutMs: 10_000, ...(target !== undefined ? { target } : {}) }, ctx);
    expect((await run("off", "node2")).rc).toBe(0);
    expect(await run("status", "node2")).toMatchObject({ rc: 2, status: "done", output: "Status: off\n" });
    expect((await run("on", "node2")).rc).toBe(0);
    expect(await run("status", "node2")).toMatchObject({ rc: 0, status: "done" });
    expect((await run("reboot", "node2")).rc).toBe(0);
    expect(await run("list")).toMatchObject({ rc: 0, output: "node1,node1-alias\nnode2,\nnode3,\n" });
    expect(await run("monitor")).toMatchObject({ rc: 0, status: "done" });
  });

  it("runs a device's monitor with its parameters: monitor_mode decides, apart from the fencing mode", async () => {
    const a = await recorder();
    const mrec = `${tmp}/monitor.rec`;
    const rec = `${tmp}/monitor-fencing.rec`;
    const params = { mode: "fail", record_file: rec, monitor_record_file: mrec, pcmk_monitor_retries: "1" };
    expect(await a.run({ action: "monitor", params, timeoutMs: 10_000 }, ctx)).toMatchObject({ rc: 0, status: "done" });
    const failed = await a.run({ action: "monitor", params: { ...params, monitor_mode: "fail" }, timeoutMs: 10_000 }, ctx);
    expect(failed).toMatchObject({ rc: 1, status: "done", reason: "ERROR: Failed: Unable to connect/login to fencing device" });
    // The agent got action=monitor and the device's own parameters, not Pacemaker's.
    expect(records(mrec).map((r) => r.filter((l) => /^(action|mode|monitor_mode)=/.test(l)))).toEqual([
      ["action=monitor", "mode=fail"],
      ["action=monitor", "mode=fail", "monitor_mode=fail"],
    ]);
    expect(records(mrec).flat().some((l) => l.startsWith("pcmk_"))).toBe(false);
    expect(existsSync(rec)).toBe(false);
  });

  it("parses its meta-data: plug host argument, automatic unfencing, list support", async () => {
    const md = await (await recorder()).metadata(ctx);
    expect(md.shortdesc).toBe("Test fence agent that records its requests");
    expect(md.parameters.find((p) => p.name === "plug")?.required).toBe(false);
    const f = fenceAgentFeatures(md);
    expect(f).toMatchObject({ hostArgument: "plug", automaticUnfencing: true, supportsOn: true, supportsList: true, supportsStatus: true });
  });

  it("retries a failure as Pacemaker does, then reports it with secrets masked", async () => {
    const rec = `${tmp}/fail.rec`;
    logged.length = 0;
    const r = await (await recorder()).run({
      action: "reboot",
      target: "node1",
      timeoutMs: 10_000,
      params: { record_file: rec, mode: "fail", passwd: "Sup3rS3cret", pcmk_reboot_retries: "3" },
    }, ctx);
    expect(r).toMatchObject({ rc: 1, status: "done" });
    expect(r.reason).toBe("ERROR: Failed: told to fail (login with password **** refused)");
    expect(records(rec)).toHaveLength(3);
    expect(records(rec)[0]).toContain("passwd=Sup3rS3cret"); // the agent itself gets the secret
    expect(logged.join("\n")).not.toContain("Sup3rS3cret");
    expect(logged.some((l) => l.includes("failed"))).toBe(true);
  });

  it("kills the whole process group at the timeout and reports status timeout", async () => {
    const pidFile = `${tmp}/hang.pid`;
    const t0 = Date.now();
    const r = await (await recorder()).run({
      action: "off",
      target: "node1",
      timeoutMs: 400,
      params: { mode: "hang", pid_file: pidFile },
    }, ctx);
    expect(r.status).toBe("timeout");
    expect(r.rc).not.toBe(0);
    expect(r.reason).toMatch(/timed out after 400ms/);
    expect(Date.now() - t0).toBeLessThan(5000);
    const child = Number(readFileSync(pidFile, "utf8").trim());
    expect(child).toBeGreaterThan(0);
    expect(running(child)).toBe(false);
  });

  it("reports bad requests as error results, never throws", async () => {
    const a = await recorder();
    const bad = await a.run({ action: "off; rm -rf /" as "off", params: {}, timeoutMs: 1000 }, ctx);
    expect(bad).toMatchObject({ rc: 1, status: "error" });
    const inj = await a.run({ action: "off", target: "n", params: { passwd: "x\naction=on" }, timeoutMs: 1000 }, ctx);
    expect(inj.status).toBe("error");
    expect(inj.reason).not.toContain("action=on");
    const unknown = await a.run({ action: "frobnicate" as "off", params: { pcmk_frobnicate_retries: "1" }, timeoutMs: 5000 }, ctx);
    expect(unknown).toMatchObject({ rc: 1, status: "done", reason: "ERROR: Failed: Unrecognised action 'frobnicate'" });
  });

  it("caps captured output at the context's cap", async () => {
    const r = await (await recorder()).run({ action: "list", params: {}, timeoutMs: 5000 }, { ...ctx, outputCapBytes: 5 });
    expect(r).toMatchObject({ rc: 0, status: "done", output: "node1" });
  });

  it("passes the plugin conformance kit", async () => {
    const findings = await conformance.checkFenceAgent(provider, {
      agent: "fence_recorder",
      target: "node1",
      params: { state_file: `${tmp}/conf.state` },
      timeoutMs: 10_000,
      ctx,
    });
    expect(conformance.failures(findings), conformance.formatFindings(findings)).toEqual([]);
  });

  it("is registered by the plugin module, whose setup picks the directory", async () => {
    expect(plugin.name).toBe("fence-agents");
    await plugin.setup?.({ directory: binDir });
    const p = plugin.fenceAgents[0]!;
    expect("list" in p && (await p.list(ctx))).toEqual(["fence_recorder"]);
    await expect(plugin.setup?.({ directory: 7 })).rejects.toThrow(TypeError);
  });
});

const DUMMY = "/usr/sbin/fence_dummy";
const HAVE_DUMMY = existsSync(DUMMY);
if (!HAVE_DUMMY) console.log("SKIP fence_dummy tests: /usr/sbin/fence_dummy (Debian fence-agents) is not installed");

describe.skipIf(!HAVE_DUMMY)("fence-agents provider with Debian's fence_dummy", () => {
  const sys = createFenceAgentsProvider({ retryDelayMs: 50 });
  const state = `${tmp}/dummy.state`;

  async function dummy(): Promise<FenceAgent> {
    const a = await sys.get("fence_dummy", ctx);
    if (a === undefined) throw new Error("fence_dummy not served");
    return a;
  }

  it("is listed among the system's fence agents", async () => {
    const names = await sys.list(ctx);
    expect(names).toContain("fence_dummy");
    expect(names.every((n) => n.startsWith("fence_"))).toBe(true);
  });

  it("parses its meta-data", async () => {
    const md = await (await dummy()).metadata(ctx);
    expect(md.shortdesc).toBe("Dummy fence agent");
    expect(md.parameters.find((p) => p.name === "status_file")?.default).toBe("/tmp/fence_dummy.status");
    expect(md.actions.map((a) => a.name)).toEqual(expect.arrayContaining(["on", "off", "reboot", "status", "monitor", "metadata"]));
    const f = fenceAgentFeatures(md);
    expect(f).toMatchObject({ supportsOn: true, automaticUnfencing: false, supportsList: false, supportsReboot: true });
    expect(f.hostArgument).toBeUndefined();
  });

  it("runs off, status, on, status, monitor in type=file mode", async () => {
    const a = await dummy();
    const params = { type: "file", status_file: state };
    const run = (action: "off" | "on" | "status" | "monitor", target?: string) =>
      a.run({ action, params, timeoutMs: 20_000, ...(target !== undefined ? { target } : {}) }, ctx);
    expect(await run("off", "node1")).toMatchObject({ rc: 0, status: "done" });
    expect(await run("status", "node1")).toMatchObject({ rc: 2, status: "done", output: "Status: OFF\n" });
    expect(await run("on", "node1")).toMatchObject({ rc: 0, status: "done", output: "Success: Powered ON\n" });
    expect(readFileSync(state, "utf8")).toBe("on");
    expect(await run("off", "node1")).toMatchObject({ rc: 0, status: "done", output: "Success: Powered OFF\n" });
    expect(readFileSync(state, "utf8")).toBe("off");
    expect(await run("on", "node1")).toMatchObject({ rc: 0, status: "done" });
    expect(await run("status", "node1")).toMatchObject({ rc: 0, status: "done", output: "Status: ON\n" });
    expect(await run("monitor")).toMatchObject({ rc: 0, status: "done" });
  });

  it("reports list as a failure (fence_dummy has no plugs to list)", async () => {
    const r = await (await dummy()).run({ action: "list", params: { status_file: state, pcmk_list_retries: "1" }, timeoutMs: 20_000 }, ctx);
    expect(r).toMatchObject({ rc: 1, status: "done" });
    expect(r.reason).toMatch(/Unrecognised action 'list'/);
  });
});
