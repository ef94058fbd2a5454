// stonith-max-attempts as Pacemaker 2.1.5's controller applies it: failed fencing of the
// scheduler restarts the transition until the target's failures reach the limit, then waits.
import { describe, expect, it } from "vitest";
import { parseCib, serializeCib } from "../../../core/cib/mod.ts";
import type { Cib } from "../../../core/cib/model.ts";
import { Controller, ControllerFencing, type FencerLike, type Scheduler } from "../../../core/controller/mod.ts";
import { FenceHistory, type FenceOutcome, fencingLimitLines, type FencingAction } from "../../../core/fencer/mod.ts";
import type { Logger } from "../../../core/plugin/types.ts";
import { schedule } from "../../../core/scheduler/mod.ts";
import { FakeExecutor } from "./_fake_executor.ts";
import { MemoryCib } from "./_fixtures.ts";

const scheduler: Scheduler = (cib, now) => schedule(cib, { now });

/** node1 (this node) online; node2 lost while running "a": the scheduler fences node2. */
function uncleanCib(props = ""): Cib {
  return parseCib(`<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.9" crm_feature_set="3.16.1" have-quorum="1">
  <configuration>
    <crm_config><cluster_property_set id="opts">
      <nvpair id="o1" name="stonith-enabled" value="true"/>${props}
    </cluster_property_set></crm_config>
    <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
    <resources>
      <primitive id="fence1" class="stonith" type="fence_dummy">
        <meta_attributes id="fence1-m"><nvpair id="fence1-m-r" name="target-role" value="Stopped"/></meta_attributes>
      </primitive>
      <primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member" crm-debug-origin="test">
      <lrm id="1"><lrm_resources>
        <lrm_resource id="a" class="ocf" provider="pacemaker" type="Dummy">
          <lrm_rsc_op id="a_last_0" operation_key="a_monitor_0" operation="monitor" crm-debug-origin="test" crm_feature_set="3.16.1" transition-key="2:1:7:x" transition-magic="0:7;2:1:7:x" exit-reason="" on_node="node1" call-id="2" rc-code="7" op-status="0" interval="0" last-rc-change="1" exec-time="1" queue-time="0" op-digest="x"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
    <node_state id="2" uname="node2" in_ccm="false" crmd="offline" join="member" expected="member" crm-debug-origin="test">
      <lrm id="2"><lrm_resources>
        <lrm_resource id="a" class="ocf" provider="pacemaker" type="Dummy">
          <lrm_rsc_op id="a_last_0" operation_key="a_start_0" operation="start" crm-debug-origin="test" crm_feature_set="3.16.1" transition-key="3:1:0:x" transition-magic="0:0;3:1:0:x" exit-reason="" on_node="node2" call-id="3" rc-code="0" op-status="0" interval="0" last-rc-change="1" exec-time="1" queue-time="0" op-digest="x"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
  </status>
</cib>`);
}

/** A fencer whose answers come from a script (default: failure). */
class ScriptedFencer implements FencerLike {
  readonly history = new FenceHistory();
  readonly calls: string[] = [];
  answer: (n: number) => "ok" | "fail" | "nodevice" = () => "fail";
  configure(): void {}
  fence(target: string, action: FencingAction): Promise<FenceOutcome> {
    this.calls.push(target);
    const a = this.answer(this.calls.length);
    const now = new Date().toISOString();
    const e = {
      id: `f${this.calls.length}`, target, action, origin: "node1", client: "c", delegate: "node1", state: a === "ok" ? "success" : "failed",
      devices: a === "ok" ? ["f1"] : [], attempts: [], merged: [], startedAt: now, endedAt: now,
      ...(a === "ok" ? {} : { error: a === "nodevice" ? `No fence device can reboot "${target}"` : "device failed" }),
    } as const;
    this.history.record(e);
    return Promise.resolve({ ...e, ok: a === "ok", ...(a === "nodevice" ? { noDevice: true } : {}) });
  }
}

function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: () => {},
    info: (m: string) => void lines.push(`info ${m}`),
    warn: (m: string) => void lines.push(`warn ${m}`),
    error: (m: string) => void lines.push(`error ${m}`),
  };
}

function setup(props = "") {
  const mem = new MemoryCib(uncleanCib(props));
  const fencer = new ScriptedFencer();
  const log = recorder();
  const fencing = new ControllerFencing({ fencer, cib: mem, localNode: "node1", log });
  fencing.start();
  const ctl = new Controller({ cib: mem, scheduler, nodeName: "node1", local: new FakeExecutor(), actionGraceMs: 200, fence: fencing.fence, reprobe: false });
  fencing.attach(ctl);
  return { mem, fencer, fencing, ctl, log };
}

/** Wait until the controller has been idle for a while (retries start from idle). */
async function settle(ctl: Controller): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await ctl.idle();
    await new Promise((r) => setTimeout(r, 30));
  }
  await ctl.idle();
}

describe("stonith-max-attempts", () => {
  it("retries a failing fencing with new transitions until the limit, then gives up and reports it", async () => {
    const s = setup(`<nvpair id="o2" name="stonith-max-attempts" value="4"/>`);
    s.ctl.start();
    await settle(s.ctl);
    expect(s.fencer.calls).toEqual(["node2", "node2", "node2", "node2"]);
    expect(s.fencing.maxAttempts).toBe(4);
    expect(s.fencing.failureCount("node2")).toBe(4);
    expect(s.log.lines).toContain("warn Too many failures (4) to fence node2, giving up");
    // Every failure is logged as Pacemaker logs it; the last one also gives up.
    expect(s.log.lines.filter((l) => l.includes("(aborting transition)"))).toHaveLength(4);
    const limits = s.fencing.limits();
    expect(limits).toEqual([{ target: "node2", failures: 4, max_attempts: 4, limit_reached: true, hint: expect.stringMatching(/atrium resource cleanup/) }]);
    expect(fencingLimitLines(limits).slice(0, 3)).toEqual(["", "Fencing Limits:", "  * node2: fencing failed 4 times (stonith-max-attempts=4), giving up for now"]);

    // The next trigger (a CIB change) tries once more and gives up again at once.
    s.mem.set(parseCib(serializeCib(s.mem.get()).replace(`</cluster_property_set>`, `<nvpair id="o3" name="cluster-name" value="c1"/></cluster_property_set>`)));
    await settle(s.ctl);
    expect(s.fencer.calls).toHaveLength(5);
    expect(s.log.lines).toContain("warn Too many failures (5) to fence node2, giving up");

    // A success resets the count; the node is recorded fenced and nothing is left to do.
    s.fencer.answer = () => "ok";
    s.mem.set(parseCib(serializeCib(s.mem.get()).replace(`value="c1"`, `value="c2"`)));
    await settle(s.ctl);
    expect(s.fencer.calls).toHaveLength(6);
    expect(s.fencing.failureCount("node2")).toBe(0);
    expect(s.fencing.limits()).toEqual([]);
    expect(fencingLimitLines(s.fencing.limits())).toEqual([]);
    await s.ctl.stop();
    await s.fencing.close();
  });

  it("defaults to 10 attempts, and an invalid value falls back to 10 with a warning naming it", async () => {
    const s = setup(`<nvpair id="o2" name="stonith-max-attempts" value="0"/>`);
    expect(s.fencing.maxAttempts).toBe(10);
    expect(s.log.lines).toContain(
      `warn Using the default value 10 for cluster option "stonith-max-attempts" because "0" is invalid: expected a positive integer or INFINITY`,
    );
    s.ctl.start();
    await settle(s.ctl);
    expect(s.fencer.calls).toHaveLength(10);
    expect(s.fencing.limits()[0]).toMatchObject({ target: "node2", failures: 10, limit_reached: true });
    await s.ctl.stop();
    await s.fencing.close();
  });

  it("gives up for now at once when no device can fence the target, counting the failure", async () => {
    const s = setup();
    s.fencer.answer = () => "nodevice";
    s.ctl.start();
    await settle(s.ctl);
    expect(s.fencer.calls).toHaveLength(1);
    expect(s.log.lines.some((l) => l.startsWith("warn Fence operation for node2 failed") && l.endsWith("(aborting transition and giving up for now)"))).toBe(true);
    expect(s.fencing.limits()).toEqual([{ target: "node2", failures: 1, max_attempts: 10, limit_reached: false }]);
    await s.ctl.stop();
    await s.fencing.close();
  });

  it("a successful fencing of another client resets the count; removing the node forgets it", async () => {
    const s = setup();
    s.fencer.answer = (n) => (n <= 2 ? "fail" : "ok");
    expect(await s.fencing.fence("node2", "reboot")).toBe(false);
    expect(await s.fencing.fence("node2", "reboot")).toBe(false);
    expect(s.fencing.failureCount("node2")).toBe(2);
    expect((await s.fencing.request({ target: "node2", client: "atrium-api" })).ok).toBe(true);
    expect(s.fencing.failureCount("node2")).toBe(0);

    s.fencer.answer = () => "fail";
    expect(await s.fencing.fence("node2", "reboot")).toBe(false);
    expect(s.fencing.failureCount("node2")).toBe(1);
    s.mem.set(parseCib(serializeCib(s.mem.get()).replace(`<node id="2" uname="node2"/>`, ``)));
    expect(s.fencing.failureCount("node2")).toBe(0);
    await s.fencing.close();
  });
});
