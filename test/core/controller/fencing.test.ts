import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCib, serializeCib } from "../../../core/cib/mod.ts";
import type { Cib } from "../../../core/cib/model.ts";
import { Controller, ControllerFencing, type FencerLike, loadFenceHistory, markNodeFenced, type Scheduler, type TransitionReport } from "../../../core/controller/mod.ts";
import { FenceHistory, type FenceOutcome, type FencerConfig, type FencingAction } from "../../../core/fencer/mod.ts";
import { schedule } from "../../../core/scheduler/mod.ts";
import { FakeExecutor } from "./_fake_executor.ts";
import { MemoryCib } from "./_fixtures.ts";

const scheduler: Scheduler = (cib, now) => schedule(cib, { now });

/** node1 (this node) online; node2 lost while running "a"; a remote node; a guest node. */
function uncleanCib(): Cib {
  return parseCib(`<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.9" crm_feature_set="3.16.1" have-quorum="1">
  <configuration>
    <crm_config><cluster_property_set id="opts">
      <nvpair id="o1" name="stonith-enabled" value="true"/>
    </cluster_property_set></crm_config>
    <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
    <resources>
      <primitive id="fence1" class="stonith" type="fence_dummy"/>
      <primitive id="a" class="ocf" provider="pacemaker" type="Dummy">
        <operations><op id="a-mon" name="monitor" interval="10s" timeout="20s"/></operations>
      </primitive>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member" crm-debug-origin="test">
      <lrm id="1"><lrm_resources>
        <lrm_resource id="fence1" class="stonith" type="fence_dummy">
          <lrm_rsc_op id="fence1_last_0" operation_key="fence1_start_0" operation="start" crm-debug-origin="test" crm_feature_set="3.16.1" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" exit-reason="" on_node="node1" call-id="1" rc-code="0" op-status="0" interval="0" last-rc-change="1" exec-time="1" queue-time="0" op-digest="x"/>
        </lrm_resource>
        <lrm_resource id="a" class="ocf" provider="pacemaker" type="Dummy">
          <lrm_rsc_op id="a_last_0" operation_key="a_monitor_0" operation="monitor" crm-debug-origin="test" crm_feature_set="3.16.1" transition-key="2:1:7:x" transition-magic="0:7;2:1:7:x" exit-reason="" on_node="node1" call-id="2" rc-code="7" op-status="0" interval="0" last-rc-change="1" exec-time="1" queue-time="0" op-digest="x"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
    <node_state id="2" uname="node2" in_ccm="false" crmd="offline" join="member" expected="member" crm-debug-origin="test">
      <transient_attributes id="2"><instance_attributes id="status-2"><nvpair id="status-2-x" name="x" value="1"/></instance_attributes></transient_attributes>
      <lrm id="2"><lrm_resources>
        <lrm_resource id="a" class="ocf" provider="pacemaker" type="Dummy">
          <lrm_rsc_op id="a_last_0" operation_key="a_start_0" operation="start" crm-debug-origin="test" crm_feature_set="3.16.1" transition-key="3:1:0:x" transition-magic="0:0;3:1:0:x" exit-reason="" on_node="node2" call-id="3" rc-code="0" op-status="0" interval="0" last-rc-change="1" exec-time="1" queue-time="0" op-digest="x"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
  </status>
</cib>`);
}

/** A fencer that answers from a table and records calls (and the order against starts). */
class FakeFencer implements FencerLike {
  readonly history = new FenceHistory();
  readonly calls: { target: string; action: FencingAction; kind?: string }[] = [];
  configured = 0;
  ok = true;
  constructor(readonly log: string[]) {}
  configure(_c: FencerConfig): void {
    this.configured++;
  }
  fence(target: string, action: FencingAction, options: { kind?: string } = {}): Promise<FenceOutcome> {
    this.calls.push({ target, action, ...(options.kind !== undefined ? { kind: options.kind } : {}) });
    this.log.push(`fence:${target}:${this.ok ? "ok" : "failed"}`);
    const now = new Date().toISOString();
    const e = {
      id: `f${this.calls.length}`, target, action, origin: "node1", client: "c", delegate: "node1", state: this.ok ? "success" : "failed",
      devices: ["fence1"], attempts: [], merged: [], startedAt: now, endedAt: now, ...(this.ok ? {} : { error: "device failed" }),
    } as const;
    this.history.record(e);
    return Promise.resolve({ ...e, ok: this.ok });
  }
}

function setup(ok: boolean) {
  const order: string[] = [];
  const mem = new MemoryCib(uncleanCib());
  const fencer = new FakeFencer(order);
  fencer.ok = ok;
  const fencing = new ControllerFencing({ fencer, cib: mem, localNode: "node1", now: () => 1_700_000_000_000 });
  fencing.start();
  const local = new FakeExecutor();
  local.running.add("fence1");
  const exec = local.exec.bind(local);
  local.exec = (req) => {
    order.push(`${req.action}:${req.resource}`);
    return exec(req);
  };
  const ctl = new Controller({ cib: mem, scheduler, nodeName: "node1", local, actionGraceMs: 200, fence: fencing.fence, reprobe: false });
  const reports: TransitionReport[] = [];
  ctl.onTransition((r) => reports.push(r));
  return { mem, fencer, fencing, ctl, order, local, reports };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("ControllerFencing", () => {
  it("the scheduler orders the recovery of an unclean node's resources after its fencing", () => {
    const t = scheduler(uncleanCib(), new Date());
    const fence = t.actions.find((a) => a.kind === "fence" && a.node === "node2");
    const start = t.actions.find((a) => a.kind === "start" && a.resource === "a");
    expect(fence).toBeDefined();
    expect(start?.node).toBe("node1");
    const byId = new Map(t.actions.map((a) => [a.id, a]));
    const seen = new Set<number>();
    const stack = [...start!.inputs];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(byId.get(id)?.inputs ?? []));
    }
    expect(seen.has(fence!.id)).toBe(true);
  });

  it("fences through the fencer, records the node clean and down, then recovers its resources", async () => {
    const s = setup(true);
    s.ctl.start();
    await until(() => s.local.running.has("a"));
    await s.ctl.idle();
    await s.ctl.stop();
    expect(s.fencer.calls[0]).toEqual({ target: "node2", action: "reboot", kind: "cluster" });
    expect(s.order.indexOf("fence:node2:ok")).toBeGreaterThanOrEqual(0);
    expect(s.order.indexOf("fence:node2:ok")).toBeLessThan(s.order.indexOf("start:a"));
    const xml = serializeCib(s.mem.get());
    const ns = /<node_state id="2"[^>]*>/.exec(xml)?.[0] ?? "";
    expect(ns).toMatch(/join="down"/);
    expect(ns).toMatch(/expected="down"/);
    expect(ns).toMatch(/in_ccm="false"/);
    expect(ns).toMatch(/crm-debug-origin="send_stonith_update"/);
    expect(xml).not.toMatch(/on_node="node2"/);
    expect(xml).not.toMatch(/status-2-x/);
    expect(s.fencer.configured).toBeGreaterThan(0);
    expect(s.fencing.history({ target: "node2" }).map((e) => e.state)).toEqual(["success"]);
    // The fencing's record is the controller's own write: the transition goes on to the start.
    const first = s.reports.find((r) => r.transition.actions.some((a) => a.kind === "fence"))!;
    const startId = first.transition.actions.find((a) => a.kind === "start" && a.resource === "a")!.id;
    expect(first.result.aborted).toBe(false);
    expect(first.result.completed).toContain(startId);
  });

  it("a failed fencing blocks the recovery: the node stays unclean and nothing starts", async () => {
    const s = setup(false);
    s.ctl.start();
    await until(() => s.fencer.calls.length >= 1);
    await s.ctl.idle();
    await s.ctl.stop();
    expect(s.order.filter((x) => x.startsWith("start:a"))).toEqual([]);
    const first = s.reports.find((r) => r.transition.actions.some((a) => a.kind === "fence"))!;
    const startId = first.transition.actions.find((a) => a.kind === "start" && a.resource === "a")!.id;
    expect(first.result.notRun).toContain(startId);
    expect(s.local.running.has("a")).toBe(false);
    const xml = serializeCib(s.mem.get());
    expect(/<node_state id="2"[^>]*>/.exec(xml)?.[0]).toMatch(/join="member"/);
    expect(xml).toMatch(/on_node="node2"/);
  });

  it("confirms a guest node's fencing without asking the fencer", async () => {
    const order: string[] = [];
    const fencer = new FakeFencer(order);
    const cib = parseCib(serializeCib(uncleanCib()).replace(
      `<primitive id="a" class="ocf" provider="pacemaker" type="Dummy">`,
      `<primitive id="a" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="a-m"><nvpair id="a-m-rn" name="remote-node" value="guest1"/></meta_attributes>`,
    ));
    const fencing = new ControllerFencing({ fencer, cib: new MemoryCib(cib), localNode: "node1" });
    expect(await fencing.fence("guest1", "reboot")).toBe(true);
    expect(fencer.calls).toEqual([]);
    expect(await fencing.fence("node2", "off")).toBe(true);
    expect(fencer.calls).toEqual([{ target: "node2", action: "off", kind: "cluster" }]);
  });

  it("re-reads the fencing configuration when the configuration changes, not on status updates", async () => {
    const mem = new MemoryCib(uncleanCib());
    const fencer = new FakeFencer([]);
    const fencing = new ControllerFencing({ fencer, cib: mem, localNode: "node1" });
    fencing.start();
    expect(fencer.configured).toBe(1);
    await mem.apply((c) => markNodeFenced(c, "node2", 1));
    expect(fencer.configured).toBe(1);
    mem.set(parseCib(serializeCib(mem.get()).replace(`value="true"/>`, `value="true"/><nvpair id="o2" name="stonith-timeout" value="30s"/>`)));
    expect(fencer.configured).toBe(2);
    await fencing.close();
    mem.set(uncleanCib());
    expect(fencer.configured).toBe(2);
  });

  it("marks a remote node fenced with node_fenced and keeps the history in a file", async () => {
    const cib = parseCib(`<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.9"><configuration><crm_config/><nodes/><resources>
      <primitive id="r1" class="ocf" provider="pacemaker" type="remote"/></resources><constraints/></configuration>
      <status><node_state id="r1" uname="r1" remote_node="true" in_ccm="true" crm-debug-origin="x"><lrm id="r1"/></node_state></status></cib>`);
    const out = serializeCib(markNodeFenced(cib, "r1", 1234.5));
    expect(out).toMatch(/<node_state id="r1" uname="r1" remote_node="true" in_ccm="false" crm-debug-origin="send_stonith_update" node_fenced="1234"\/>/);

    const dir = await mkdtemp(join(tmpdir(), "atrium-fencing-"));
    try {
      const path = join(dir, "fencing.json");
      const fencer = new FakeFencer([]);
      const fencing = new ControllerFencing({ fencer, cib: new MemoryCib(cib), localNode: "node1", historyPath: path });
      const r = await fencing.request({ target: "r1", reason: "test" });
      expect(r.ok).toBe(true);
      expect(fencer.calls).toEqual([{ target: "r1", action: "reboot", kind: "remote" }]);
      await fencing.close();
      expect(JSON.parse(await readFile(path, "utf8")).entries).toHaveLength(1);
      const back = await loadFenceHistory(path);
      expect(back.list().map((e) => e.target)).toEqual(["r1"]);
      expect((await loadFenceHistory(join(dir, "missing.json"))).list()).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
