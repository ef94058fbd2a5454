/**
 * The ocf class with REAL agents from Debian's resource-agents and pacemaker packages
 * (OCF_ROOT /usr/lib/ocf), driven through the executor, plus test-only agents for timeouts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { Executor, type ExecRequest } from "../../../core/executor/mod.ts";
import { createOcfClass } from "../../../plugins/ocf/mod.ts";
import { marker, processesWithCmdline, processesWithEnv, TEST_OCF_ROOT } from "../../fixtures/agents/proc.ts";

const ROOT = "/usr/lib/ocf";
const HAVE_AGENTS = existsSync(`${ROOT}/resource.d/heartbeat/Dummy`) && existsSync(`${ROOT}/resource.d/pacemaker/Stateful`);
if (!HAVE_AGENTS) console.log("SKIP real OCF agent tests: resource-agents/pacemaker not installed under /usr/lib/ocf");

const tmp = mkdtempSync(`${tmpdir()}/atrium-ocf-`);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const real = createOcfClass({ root: ROOT });
const fixtures = createOcfClass({ root: TEST_OCF_ROOT });
const ex = new Executor({
  resolveClass: (n) => (n === "ocf" ? real : n === "ocf-test" ? fixtures : undefined),
  killGraceMs: 300,
});

function rid(name: string): string {
  return marker(name);
}

function op(resource: string, action: string, extra: Partial<ExecRequest> = {}): ExecRequest {
  return { resource, action, timeoutMs: 20_000, ...extra };
}

describe.skipIf(!HAVE_AGENTS)("ocf class with real agents", () => {
  it("runs ocf:heartbeat:Dummy through probe, start, monitor, stop", async () => {
    const id = rid("hb-dummy");
    const state = `${tmp}/${id}.state`;
    ex.register({ id, agent: { class: "ocf", provider: "heartbeat", type: "Dummy" }, params: { state } });
    const probe = await ex.run(op(id, "monitor"));
    expect(probe).toMatchObject({ rc: 7, status: "done", probe: true });
    expect((await ex.run(op(id, "start"))).rc).toBe(0);
    expect(existsSync(state)).toBe(true);
    expect((await ex.run(op(id, "monitor"))).rc).toBe(0);
    expect((await ex.run(op(id, "stop"))).rc).toBe(0);
    expect(existsSync(state)).toBe(false);
    expect((await ex.run(op(id, "monitor"))).rc).toBe(7);
    // Stop of a stopped resource succeeds (OCF requires it).
    expect((await ex.run(op(id, "stop"))).rc).toBe(0);
    const h = ex.history(id)!;
    expect(h.operations.map((o) => `${o.action}_${o.intervalMs}`)).toEqual(["start_0", "monitor_0", "stop_0"]);
    expect(h.started).toBe(false);
    ex.unregister(id);
  });

  it("gives agents the OCF environment Pacemaker gives them", async () => {
    const id = rid("env");
    const envfile = `${tmp}/${id}.env`;
    ex.register({ id, agent: { class: "ocf", provider: "pacemaker", type: "Dummy" }, params: { state: `${tmp}/${id}.state`, envfile } });
    const r = await ex.run(op(id, "start", { meta: { notify: "true", clone_max: "2" }, timeoutMs: 12_345 }));
    expect(r.rc).toBe(0);
    const env = readFileSync(envfile, "utf8");
    for (const line of [
      "OCF_ROOT=/usr/lib/ocf",
      "OCF_RA_VERSION_MAJOR=1",
      "OCF_RA_VERSION_MINOR=1",
      `OCF_RESOURCE_INSTANCE=${id}`,
      "OCF_RESOURCE_TYPE=Dummy",
      "OCF_RESOURCE_PROVIDER=pacemaker",
      "OCF_EXIT_REASON_PREFIX=ocf-exit-reason:",
      `OCF_RESKEY_envfile=${envfile}`,
      "OCF_RESKEY_CRM_meta_timeout=12345",
      "OCF_RESKEY_CRM_meta_interval=0",
      "OCF_RESKEY_CRM_meta_name=start",
      "OCF_RESKEY_CRM_meta_notify=true",
      "OCF_RESKEY_CRM_meta_clone_max=2",
    ]) {
      expect(env).toContain(`\n${line}\n`);
    }
    await ex.run(op(id, "stop"));
    ex.unregister(id);
  });

  it("delivers the notify environment to ocf:pacemaker:Stateful", async () => {
    const id = rid("notify");
    const envfile = `${tmp}/${id}.env`;
    ex.register({ id, agent: { class: "ocf", provider: "pacemaker", type: "Stateful" }, params: { state: `${tmp}/${id}.state`, envfile } });
    const meta = {
      notify_type: "pre",
      notify_operation: "start",
      notify_start_resource: `${id}:1 `,
      notify_start_uname: "node2 ",
      notify_active_resource: `${id}:0 `,
    };
    expect((await ex.run(op(id, "notify", { meta }))).rc).toBe(0);
    const env = readFileSync(envfile, "utf8");
    expect(env).toContain("OCF_RESKEY_CRM_meta_notify_type=pre\n");
    expect(env).toContain("OCF_RESKEY_CRM_meta_notify_operation=start\n");
    expect(env).toContain("OCF_RESKEY_CRM_meta_notify_start_uname=node2 \n");
    ex.unregister(id);
  });

  it("promotes and demotes ocf:pacemaker:Stateful (monitor rc 8 when promoted)", async () => {
    const id = rid("stateful");
    ex.register({ id, agent: { class: "ocf", provider: "pacemaker", type: "Stateful" }, params: { state: `${tmp}/${id}.state` } });
    expect((await ex.run(op(id, "monitor"))).rc).toBe(7);
    expect((await ex.run(op(id, "start"))).rc).toBe(0);
    expect((await ex.run(op(id, "monitor"))).rc).toBe(0);
    expect((await ex.run(op(id, "promote"))).rc).toBe(0);
    expect((await ex.run(op(id, "monitor"))).rc).toBe(8);
    expect((await ex.run(op(id, "demote"))).rc).toBe(0);
    expect((await ex.run(op(id, "monitor"))).rc).toBe(0);
    expect((await ex.run(op(id, "stop"))).rc).toBe(0);
    expect((await ex.run(op(id, "monitor"))).rc).toBe(7);
    ex.unregister(id);
  });

  it("runs reload-agent, migrate_to, migrate_from and validate-all on ocf:pacemaker:Dummy", async () => {
    const id = rid("migrate");
    ex.register({ id, agent: { class: "ocf", provider: "pacemaker", type: "Dummy" }, params: { state: `${tmp}/${id}.state` } });
    expect((await ex.run(op(id, "start"))).rc).toBe(0);
    expect((await ex.run(op(id, "reload-agent"))).rc).toBe(0);
    expect((await ex.run(op(id, "migrate_to", { meta: { migrate_target: "node2", migrate_source: "node1" } }))).rc).toBe(0);
    expect((await ex.run(op(id, "migrate_from", { meta: { migrate_target: "node2", migrate_source: "node1" } }))).rc).toBe(0);
    expect((await ex.run(op(id, "validate-all"))).rc).toBe(0);
    expect((await ex.run(op(id, "stop"))).rc).toBe(0);
    const unknown = await ex.run(op(id, "frobnicate"));
    expect(unknown.rc).toBe(3);
    ex.unregister(id);
  });

  it("reports validate-all rejecting bad parameters (rc 6) with the agent's exit reason", async () => {
    const id = rid("ipaddr");
    ex.register({ id, agent: { class: "ocf", provider: "heartbeat", type: "IPaddr2" }, params: { ip: "not-an-ip" } });
    const r = await ex.run(op(id, "validate-all"));
    expect(r).toMatchObject({ rc: 6, status: "done" });
    expect(r.reason).toBe("[findif] failed");
    ex.unregister(id);
    const d = rid("dummy-bad");
    ex.register({ id: d, agent: { class: "ocf", provider: "pacemaker", type: "Dummy" }, params: { op_sleep: "abc" } });
    expect((await ex.run(op(d, "validate-all"))).rc).toBe(6);
    ex.unregister(d);
  });

  it("passes the monitor depth as OCF_CHECK_LEVEL", async () => {
    const id = rid("depth");
    ex.register({ id, agent: { class: "ocf", provider: "pacemaker", type: "Dummy" }, params: { state: "/nonexistent-dir/x.state" } });
    expect((await ex.run(op(id, "validate-all"))).rc).toBe(0);
    expect((await ex.run(op(id, "validate-all", { depth: 10 }))).rc).toBe(2);
    ex.unregister(id);
  });

  it("runs a real long-lived process with ocf:heartbeat:anything and leaves nothing after stop", async () => {
    const id = rid("anything");
    const secs = `${1000 + Math.floor(Math.random() * 900)}.${Date.now() % 1000}`;
    ex.register({
      id,
      agent: { class: "ocf", provider: "heartbeat", type: "anything" },
      params: { binfile: "/bin/sleep", cmdline_options: secs, pidfile: `${tmp}/${id}.pid`, logfile: "/dev/null" },
    });
    expect((await ex.run(op(id, "start"))).rc).toBe(0);
    const pids = processesWithCmdline(`/bin/sleep ${secs}`);
    expect(pids).toHaveLength(1);
    expect(readFileSync(`${tmp}/${id}.pid`, "utf8").trim()).toBe(String(pids[0]));
    expect((await ex.run(op(id, "monitor"))).rc).toBe(0);
    expect((await ex.run(op(id, "stop"))).rc).toBe(0);
    expect(processesWithCmdline(`/bin/sleep ${secs}`)).toEqual([]);
    expect((await ex.run(op(id, "monitor"))).rc).toBe(7);
    ex.unregister(id);
  });

  it("reports a missing agent as not installed with a clear reason", async () => {
    const id = rid("missing");
    ex.register({ id, agent: { class: "ocf", provider: "heartbeat", type: "NoSuchAgent" } });
    const r = await ex.run(op(id, "start"));
    expect(r).toMatchObject({ rc: 5, status: "not_installed" });
    expect(r.reason).toContain("/usr/lib/ocf/resource.d/heartbeat/NoSuchAgent");
    ex.register({ id, agent: { class: "ocf", provider: "../..", type: "sh" } });
    expect((await ex.run(op(id, "start"))).status).toBe("not_installed");
    ex.unregister(id);
  });

  it("reads and caches real meta-data", async () => {
    const md = await ex.metadata({ class: "ocf", provider: "pacemaker", type: "Stateful" });
    expect(md.actions.find((a) => a.name === "promote")?.timeoutMs).toBe(10_000);
    expect(md.actions.filter((a) => a.name === "monitor").map((a) => [a.intervalMs, a.role])).toEqual([
      [10_000, "Promoted"],
      [11_000, "Unpromoted"],
    ]);
    const dummy = await ex.metadata({ class: "ocf", provider: "pacemaker", type: "Dummy" });
    expect(dummy.parameters.find((p) => p.name === "state")).toMatchObject({ unique: true, reloadable: false });
    expect(dummy.parameters.find((p) => p.name === "passwd")).toMatchObject({ reloadable: true });
    expect(await ex.metadata({ class: "ocf", provider: "pacemaker", type: "Dummy" })).toBe(dummy);
    await expect(ex.metadata({ class: "ocf", provider: "heartbeat", type: "NoSuchAgent" })).rejects.toMatchObject({
      code: "AGENT_NOT_INSTALLED",
    });
  });

  it("lists providers and agents", async () => {
    const ctx = { log: { debug() {}, info() {}, warn() {}, error() {} }, signal: new AbortController().signal, runtime: "node" as const };
    expect(await real.listProviders!(ctx)).toEqual(expect.arrayContaining(["heartbeat", "pacemaker"]));
    const agents = await real.listAgents(ctx, "pacemaker");
    expect(agents).toContainEqual({ class: "ocf", provider: "pacemaker", type: "Stateful" });
    expect(agents.every((a) => a.provider === "pacemaker")).toBe(true);
    const test = await fixtures.listAgents(ctx);
    expect(test).toEqual([{ class: "ocf", provider: "atrium-test", type: "Slow" }]); // NotExecutable is skipped
  });
});

describe("ocf class with test-only agents", () => {
  it("times out a slow agent, kills its whole process group and leaves no child", async () => {
    const id = rid("slow");
    const m = marker("slow");
    ex.register({ id, agent: { class: "ocf-test", provider: "atrium-test", type: "Slow" }, params: { sleep: "30", marker: m } });
    const t0 = Date.now();
    const r = await ex.run(op(id, "start", { timeoutMs: 300 }));
    expect(r).toMatchObject({ rc: 1, status: "timeout", reason: "timed out after 300ms" });
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(processesWithEnv(`OCF_RESKEY_marker=${m}`)).toEqual([]);
    ex.unregister(id);
  });

  it("escalates to SIGKILL for an agent that ignores SIGTERM, leaving no child", async () => {
    const id = rid("stubborn");
    const m = marker("stubborn");
    ex.register({
      id,
      agent: { class: "ocf-test", provider: "atrium-test", type: "Slow" },
      params: { sleep: "30", ignore_term: "1", marker: m },
    });
    const r = await ex.run(op(id, "monitor", { timeoutMs: 200 }));
    expect(r.status).toBe("timeout");
    expect(processesWithEnv(`OCF_RESKEY_marker=${m}`)).toEqual([]);
    ex.unregister(id);
  });

  it("caps agent output at outputCapBytes and keeps it in history", async () => {
    const small = new Executor({ resolveClass: () => fixtures, outputCapBytes: 4096 });
    const id = rid("spam");
    small.register({ id, agent: { class: "ocf", provider: "atrium-test", type: "Slow" }, params: { spam: "2000000" } });
    const r = await small.run(op(id, "monitor"));
    expect(r.rc).toBe(0);
    expect(r.stdout.length).toBe(4096);
    expect(small.history(id)!.last!.stdout.length).toBe(4096);
  });

  it("maps exit codes and reads the last exit reason", async () => {
    const id = rid("rc");
    for (const [code, rc] of [[8, 8], [190, 190], [42, 1], [6, 6]] as const) {
      ex.register({ id, agent: { class: "ocf-test", provider: "atrium-test", type: "Slow" }, params: { rc: String(code), reason: "it broke" } });
      const r = await ex.run(op(id, "monitor"));
      expect([r.rc, r.reason]).toEqual([rc, "it broke"]);
    }
    ex.unregister(id);
  });

  it("reports a non-executable agent as insufficient privileges", async () => {
    const id = rid("noexec");
    ex.register({ id, agent: { class: "ocf-test", provider: "atrium-test", type: "NotExecutable" } });
    expect(await ex.run(op(id, "start"))).toMatchObject({ rc: 4, status: "error" });
    ex.unregister(id);
  });

  it("keeps a real recurring monitor on a fixed-rate schedule", async () => {
    const id = rid("rate");
    ex.register({ id, agent: { class: "ocf-test", provider: "atrium-test", type: "Slow" } });
    const seen: { scheduledAt: number; runAt: number; run: number }[] = [];
    const off = ex.on("result", (r) => {
      if (r.resource === id && r.status === "done") seen.push(r);
    });
    ex.exec(op(id, "monitor", { intervalMs: 100, timeoutMs: 5000 }));
    await new Promise((r) => setTimeout(r, 1050));
    ex.cancel(id, "monitor", 100);
    off();
    expect(seen.length).toBeGreaterThanOrEqual(9);
    const first = seen[0]!.scheduledAt;
    expect(seen.map((r) => r.scheduledAt - first)).toEqual(seen.map((r) => r.run * 100));
    const lateness = seen.map((r) => r.runAt - r.scheduledAt);
    expect(lateness.reduce((a, b) => a + b, 0) / lateness.length).toBeLessThan(100);
    ex.unregister(id);
  });

  it("cancels a running recurring monitor by killing the agent", async () => {
    const id = rid("cancel");
    const m = marker("cancel");
    ex.register({ id, agent: { class: "ocf-test", provider: "atrium-test", type: "Slow" }, params: { sleep: "30", marker: m } });
    const done = new Promise<string>((resolve) => {
      const off = ex.on("result", (r) => {
        if (r.resource === id) {
          off();
          resolve(r.status);
        }
      });
    });
    ex.exec(op(id, "monitor", { intervalMs: 1000, timeoutMs: 60_000 }));
    await new Promise((r) => setTimeout(r, 150));
    expect(ex.cancel(id, "monitor", 1000)).toBe(true);
    expect(await done).toBe("cancelled");
    expect(processesWithEnv(`OCF_RESKEY_marker=${m}`)).toEqual([]);
    ex.unregister(id);
  });
});
