// Fence device resources (class stonith) as Pacemaker 2.1.5's executor runs them: start runs the
// agent's monitor, probes answer the known state, recurring monitors run the agent and their
// failures are recorded and recovered as any resource's; a device whose start failed is no
// longer used by the fencer of that node.
import { describe, expect, it } from "vitest";
import { parseCib } from "../../../core/cib/mod.ts";
import { Controller, type OpRequest, type Scheduler } from "../../../core/controller/mod.ts";
import { StonithDeviceExecutor } from "../../../core/controller/fencing.ts";
import { type FenceDevice, readFencerConfig } from "../../../core/fencer/mod.ts";
import type { FenceResult } from "../../../core/plugin/types.ts";
import { schedule } from "../../../core/scheduler/mod.ts";
import { clusterStatus } from "../../../core/status/mod.ts";
import { FakeExecutor } from "./_fake_executor.ts";
import { MemoryCib } from "./_fixtures.ts";

const scheduler: Scheduler = (cib, now) => schedule(cib, { now });

function req(action: string, intervalMs = 0, params: Record<string, string> = { ip: "10.0.0.1" }): OpRequest {
  return { resource: "fence1", agent: { class: "stonith", type: "fence_fake" }, action, intervalMs, timeoutMs: 5000, params, meta: {}, userdata: "k" };
}

/** A device monitor answering `answer` and recording the devices it saw. */
function fakeMonitor() {
  const seen: { id: string; agent: string; ip?: string; timeoutMs: number }[] = [];
  const m = {
    seen,
    answer: { rc: 0, status: "done" } as FenceResult,
    /** Answer this failure to the next `failNext` calls (then `answer` again). */
    failNext: 0,
    failure: { rc: 1, status: "done", reason: "Unable to connect/login to fencing device" } as FenceResult,
    monitor: (d: FenceDevice, timeoutMs: number): Promise<FenceResult> => {
      seen.push({ id: d.id, agent: d.agent, ...(d.params["ip"] !== undefined ? { ip: d.params["ip"] } : {}), timeoutMs });
      if (m.failNext > 0 && d.id === "fence1") {
        m.failNext--;
        return Promise.resolve(m.failure);
      }
      return Promise.resolve(m.answer);
    },
  };
  return m;
}

async function until(cond: () => boolean, ms = 4000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("StonithDeviceExecutor", () => {
  it("start runs the agent's monitor with the device's parameters; probes answer the known state", async () => {
    const m = fakeMonitor();
    const x = new StonithDeviceExecutor({ monitor: m.monitor });
    expect((await x.exec(req("monitor"))).rc).toBe(7); // never started: not running
    expect(m.seen).toEqual([]);
    const start = await x.exec(req("start"));
    expect(start).toMatchObject({ rc: 0, status: "done", action: "start" });
    expect(m.seen).toEqual([{ id: "fence1", agent: "fence_fake", ip: "10.0.0.1", timeoutMs: 5000 }]);
    expect((await x.exec(req("monitor"))).rc).toBe(0);
    expect((await x.exec(req("stop"))).rc).toBe(0);
    expect((await x.exec(req("monitor"))).rc).toBe(7);
    expect(m.seen).toHaveLength(1); // probes and stop run nothing

    m.answer = { rc: 1, status: "done", reason: "Unable to connect" };
    const failed = await x.exec(req("start"));
    expect(failed).toMatchObject({ rc: 1, status: "done", reason: "Unable to connect" });
    expect(x.started("fence1")).toBe(false);
    expect((await x.exec(req("monitor"))).rc).toBe(7);
    m.answer = { rc: 1, status: "timeout", reason: "monitor timed out after 5000ms" };
    expect(await x.exec(req("start"))).toMatchObject({ rc: 1, status: "timeout" });
    m.answer = { rc: 1, status: "not_installed", reason: "no plugin provides fence agent" };
    expect(await x.exec(req("start"))).toMatchObject({ rc: 5, status: "not_installed" });
    expect(await x.exec(req("reload"))).toMatchObject({ rc: 3 });
  });

  it("recurring monitors run the agent every interval, report later runs to listeners and stop on cancel", async () => {
    const m = fakeMonitor();
    const x = new StonithDeviceExecutor({ monitor: m.monitor });
    const later: number[] = [];
    x.onResult((r) => later.push(r.rc));
    // Not started: "not active" without running the agent.
    expect(await x.exec(req("monitor", 20))).toMatchObject({ rc: 7, reason: `"fence1" not active` });
    expect(m.seen).toHaveLength(0);
    await x.cancel("fence1", "monitor", 20);
    await x.exec(req("start"));
    expect((await x.exec(req("monitor", 20))).rc).toBe(0);
    await until(() => later.length >= 2);
    m.answer = { rc: 1, status: "done", reason: "plug status" };
    await until(() => later.includes(1));
    expect(await x.cancel("fence1", "monitor", 20)).toBe(true);
    const n = later.length;
    await new Promise((r) => setTimeout(r, 80));
    expect(later.length).toBe(n);
    expect(await x.cancel("fence1", "monitor", 20)).toBe(false);
    x.stopAll();
  });
});

function deviceCib(): string {
  return `<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.9" crm_feature_set="3.16.1" have-quorum="1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>
    <nodes><node id="1" uname="node1"/></nodes>
    <resources>
      <primitive id="fence1" class="stonith" type="fence_fake">
        <instance_attributes id="fence1-ia"><nvpair id="fence1-ip" name="ip" value="10.0.0.1"/><nvpair id="fence1-hl" name="pcmk_host_list" value="node2"/></instance_attributes>
        <operations><op id="fence1-mon" name="monitor" interval="50ms" timeout="5s"/></operations>
      </primitive>
      <primitive id="fence2" class="stonith" type="fence_fake">
        <instance_attributes id="fence2-ia"><nvpair id="fence2-ip" name="ip" value="10.0.0.2"/><nvpair id="fence2-hl" name="pcmk_host_list" value="node2"/></instance_attributes>
      </primitive>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member" crm-debug-origin="test"/>
  </status>
</cib>`;
}

describe("Fence device resources under the controller", () => {
  it("starts devices through their monitor, records a failed monitor as any resource's, recovers, and bans a device whose start fails", async () => {
    const mem = new MemoryCib(parseCib(deviceCib()));
    const m = fakeMonitor();
    const stonith = new StonithDeviceExecutor({ monitor: m.monitor });
    const ctl = new Controller({ cib: mem, scheduler, nodeName: "node1", local: new FakeExecutor(), stonith, actionGraceMs: 200, reprobe: false });
    ctl.start();
    await until(() => stonith.started("fence1") && stonith.started("fence2"));
    await until(() => m.seen.filter((s) => s.id === "fence1").length >= 3); // start, then the recurring monitor
    expect(m.seen.find((s) => s.id === "fence2")).toEqual({ id: "fence2", agent: "fence_fake", ip: "10.0.0.2", timeoutMs: 20_000 });
    expect(readFencerConfig(mem.get(), { localNode: "node1" }).devices.map((d) => d.id)).toEqual(["fence1", "fence2"]);

    // One failed run of the recurring monitor: recorded as any resource's failed monitor
    // (status shows it, fail count 1), recovered by a restart whose monitor works again.
    m.failNext = 1;
    await until(() => hasAttr(mem, "fail-count-fence1#monitor_50"));
    await until(() => stonith.started("fence1") && restarted(mem));
    await ctl.idle();
    let failed = clusterStatus(mem.get()).failed_actions.filter((f) => f.resource === "fence1");
    expect(failed.map((f) => [f.action, f.interval, f.rc])).toEqual([["monitor", 50, 1]]);
    expect(failed[0]!.reason).toContain("Unable to connect/login to fencing device");
    expect(readFencerConfig(mem.get(), { localNode: "node1" }).devices.map((d) => d.id)).toEqual(["fence1", "fence2"]);

    // The device stays broken: the next failed monitor's restart fails in its start (the
    // monitor it runs), which is fatal: the fencer of node1 no longer uses the device.
    m.failNext = 1_000;
    await until(() => hasAttr(mem, "fail-count-fence1#start_0"));
    await ctl.idle();
    failed = clusterStatus(mem.get()).failed_actions.filter((f) => f.resource === "fence1");
    expect(failed.map((f) => [f.action, f.rc])).toContainEqual(["start", 1]);
    expect(stonith.started("fence1")).toBe(false);
    const cfg = readFencerConfig(mem.get(), { localNode: "node1" });
    expect(cfg.devices.map((d) => d.id)).toEqual(["fence2"]);
    expect(cfg.skipped).toEqual([{ id: "fence1", reason: "its fail count 1000000 reached migration-threshold 1000000 on node1" }]);
    await ctl.stop();
    stonith.stopAll();
  });
});

/** fence1's last start is newer than its last failure (it was restarted after the failure). */
function restarted(mem: MemoryCib): boolean {
  const ops: Record<string, number> = {};
  const walk = (el: { tag?: string; attrs?: Record<string, string>; children?: readonly unknown[] }): void => {
    if (el.tag === "lrm_rsc_op" && el.attrs?.id?.startsWith("fence1_")) ops[el.attrs.id] = Number(el.attrs["call-id"]);
    for (const c of el.children ?? []) walk(c as never);
  };
  walk(mem.get() as never);
  return ops["fence1_last_0"] !== undefined && ops["fence1_last_failure_0"] !== undefined && ops["fence1_last_0"] > ops["fence1_last_failure_0"];
}

function hasAttr(mem: MemoryCib, name: string): boolean {
  const walk = (el: { tag?: string; attrs?: Record<string, string>; children?: readonly unknown[] }): boolean =>
    (el.tag === "nvpair" && el.attrs?.name === name) || (el.children ?? []).some((c) => walk(c as never));
  return walk(mem.get() as never);
}
