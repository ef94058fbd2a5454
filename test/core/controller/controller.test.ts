import { describe, expect, it } from "vitest";
import { serializeCib } from "../../../core/cib/mod.ts";
import type { Cib } from "../../../core/cib/model.ts";
import { Controller, nodeAttribute, type RemoteTarget, type Scheduler, type TransitionReport } from "../../../core/controller/mod.ts";
import { schedule } from "../../../core/scheduler/mod.ts";
import { FakeExecutor, FakeLink } from "./_fake_executor.ts";
import { dummyCib, MemoryCib } from "./_fixtures.ts";

const realScheduler: Scheduler = (cib, now) => schedule(cib, { now });

function setup(cib: Cib, extra: Partial<ConstructorParameters<typeof Controller>[0]> = {}) {
  const mem = new MemoryCib(cib);
  const local = new FakeExecutor();
  const reports: TransitionReport[] = [];
  let schedules = 0;
  let inFlight = 0, maxInFlight = 0;
  const scheduler: Scheduler = (c, now) => {
    schedules++;
    return realScheduler(c, now);
  };
  const ctl = new Controller({ cib: mem, scheduler, nodeName: "node1", local, actionGraceMs: 200, ...extra });
  ctl.onTransition((r) => reports.push(r));
  const origExec = local.exec.bind(local);
  local.exec = async (req) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try { return await origExec(req); } finally { inFlight--; }
  };
  return { mem, local, ctl, reports, schedules: () => schedules, maxInFlight: () => maxInFlight };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("Controller", () => {
  it("starts three resources, records them, runs monitors, and then has nothing to do", async () => {
    const s = setup(dummyCib(["a", "b", "c"]));
    s.ctl.start();
    await until(() => s.local.running.size === 3 && s.local.recurring.size === 3);
    await s.ctl.idle();
    expect(s.local.actions().filter((x) => x.startsWith("start")).sort()).toEqual(["start:a", "start:b", "start:c"]);
    expect(s.local.peak).toBeGreaterThan(1);
    const xml = serializeCib(s.mem.get());
    for (const r of ["a", "b", "c"]) {
      expect(xml).toMatch(new RegExp(`id="${r}_last_0" operation_key="${r}_start_0"[^>]*rc-code="0"`));
      expect(xml).toMatch(new RegExp(`id="${r}_monitor_10000"[^>]*rc-code="0"`));
    }
    const last = s.reports.at(-1)!;
    expect(last.transition.actions.filter((a) => a.runnable)).toEqual([]);
    const calls = s.local.calls.length;
    s.ctl.trigger("test");
    await s.ctl.idle();
    expect(s.local.calls.length).toBe(calls);
    await s.ctl.stop();
  });

  it("recovers a resource whose recurring monitor fails (stop + start), counting the failure", async () => {
    const s = setup(dummyCib(["d1"]));
    s.ctl.start();
    await until(() => s.local.recurring.size === 1);
    await s.ctl.idle();
    const before = s.local.calls.length;
    s.local.kill("d1");
    await until(() => s.local.running.has("d1") && s.local.recurring.size === 1 && s.local.calls.length >= before + 3);
    await s.ctl.idle();
    expect(s.local.actions().slice(before)).toEqual(["stop:d1", "start:d1", "monitor_10000:d1"]);
    const cib = s.mem.get();
    expect(nodeAttribute(cib, "node1", "fail-count-d1#monitor_10000")).toBe("1");
    expect(serializeCib(cib)).toMatch(/id="d1_last_failure_0" operation_key="d1_monitor_10000"[^>]*rc-code="7"/);
    expect(serializeCib(cib)).toMatch(/id="d1_last_0" operation_key="d1_start_0"/);
    await s.ctl.stop();
  });

  it("aborts the transition on an unexpected result and re-schedules (start failure -> INFINITY fail count, stop)", async () => {
    const s = setup(dummyCib(["bad", "good"]));
    s.local.rcs.set("bad start", 1);
    s.ctl.start();
    await until(() => nodeAttribute(s.mem.get(), "node1", "fail-count-bad#start_0") === "INFINITY");
    await until(() => s.local.actions().includes("stop:bad"));
    await s.ctl.idle();
    expect(s.reports.some((r) => r.result.aborted && (r.result.reason ?? "").includes("bad_start_0"))).toBe(true);
    expect(s.local.running.has("good")).toBe(true);
    expect(s.local.running.has("bad")).toBe(false);
    await s.ctl.stop();
  });

  it("coalesces bursts of triggers and never runs two transitions at once", async () => {
    const events: string[] = [];
    const mem = new MemoryCib(dummyCib(["x1", "x2"]));
    const local = new FakeExecutor();
    local.delayMs = 10;
    const ctl = new Controller({
      cib: mem, nodeName: "node1", local, scheduler: (c, now) => { events.push("S"); return schedule(c, { now }); },
    });
    ctl.onTransition(() => events.push("E"));
    ctl.start();
    for (let i = 0; i < 50; i++) ctl.trigger(`burst ${i}`);
    await ctl.idle();
    expect(events.length).toBeLessThanOrEqual(8);
    expect(events.join("")).toMatch(/^(SE)+$/);
    expect(local.running.size).toBe(2);
    await ctl.stop();
  });

  it("aborts a running transition when the configuration changes, then follows the new configuration", async () => {
    const s = setup(dummyCib(["p1"]));
    s.local.delayMs = 50;
    s.ctl.start();
    await until(() => s.local.calls.length >= 1);
    s.mem.set(mergeConfig(s.mem.get(), dummyCib(["p1", "p2"])));
    await until(() => s.local.running.has("p2") && s.local.recurring.size === 2, 5000);
    await s.ctl.idle();
    expect(s.reports.some((r) => r.result.reason === "CIB changed")).toBe(true);
    await s.ctl.stop();
  });

  it("times out an action that never answers, records nothing for it and aborts", async () => {
    const s = setup(dummyCib(["h"], { startTimeout: "100ms" }));
    s.local.hang.add("h start");
    s.ctl.start();
    await until(() => s.reports.length >= 1, 5000);
    expect(s.reports[0]!.result.reason).toMatch(/^Timed out: action \d+ h_start_0/);
    await s.ctl.stop();
  });

  it("routes a remote node's resources through the connection opened by its connection resource", async () => {
    const link = new FakeLink();
    const targets: RemoteTarget[] = [];
    const extra = `
      <primitive id="rem1" class="ocf" provider="pacemaker" type="remote">
        <instance_attributes id="rem1-ia"><nvpair id="rem1-ia-s" name="server" value="127.0.0.9"/><nvpair id="rem1-ia-p" name="port" value="3999"/></instance_attributes>
        <operations><op id="rem1-mon" name="monitor" interval="30ms" timeout="20s"/></operations>
      </primitive>`;
    let cib = dummyCib(["onrem"], { extraConfig: extra });
    cib = withConstraint(cib, `<rsc_location id="loc1" rsc="onrem" node="rem1" score="INFINITY"/><rsc_location id="loc2" rsc="onrem" node="node1" score="-INFINITY"/>`);
    const links = [link, new FakeLink()];
    const s = setup(cib, { connector: { connect: (t) => { targets.push(t); return Promise.resolve(links[targets.length - 1]!); } } });
    s.ctl.start();
    await until(() => link.running.has("onrem") && link.recurring.size === 1, 5000);
    await s.ctl.idle();
    expect(targets).toEqual([{ node: "rem1", host: "127.0.0.9", port: 3999, timeoutMs: 3000 }]);
    expect(s.local.running.has("onrem")).toBe(false);
    const xml = serializeCib(s.mem.get());
    expect(xml).toMatch(/<node_state id="rem1" uname="rem1" remote_node="true"[^>]*in_ccm="true"/);
    expect(xml).toMatch(/id="rem1_last_0" operation_key="rem1_start_0"[^>]*on_node="node1"/);
    expect(xml).toMatch(/id="onrem_last_0" operation_key="onrem_start_0"[^>]*on_node="rem1"/);
    await until(() => link.pokes > 0, 2000);
    // The peer goes away: the connection's monitor fails, the connection is recovered, the node
    // re-probed through the new link, and its resource started there again.
    link.drop("peer reset");
    const relink = links[1]!;
    await until(() => targets.length === 2 && relink.running.has("onrem") && relink.recurring.size === 1, 5000);
    await s.ctl.idle();
    // Re-probe through the new link (not running there), then a new plan: start, monitor.
    expect(relink.actions()).toEqual(["monitor:onrem", "start:onrem", "monitor_10000:onrem"]);
    expect(nodeAttribute(s.mem.get(), "node1", "fail-count-rem1#monitor_30")).toBe("1");
    await s.ctl.stop();
  });
});

function mergeConfig(current: Cib, next: Cib): Cib {
  const status = current.children.find((c) => c.tag === "status");
  return { ...next, children: next.children.map((c) => (c.tag === "status" && status ? status : c)) };
}

function withConstraint(cib: Cib, xml: string): Cib {
  const text = serializeCib(cib).replace("<constraints/>", `<constraints>${xml}</constraints>`);
  return parseCibText(text);
}

import { parseCib as parseCibText } from "../../../core/cib/mod.ts";
