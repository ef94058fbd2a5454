import { describe, expect, it } from "vitest";
import { parseCib, serializeCib } from "../../../core/cib/mod.ts";
import type { Cib } from "../../../core/cib/model.ts";
import { Controller, nodeAttribute, type RemoteTarget, withConnectionOrdering } from "../../../core/controller/mod.ts";
import type { GuestHandle, GuestLauncher, GuestSpec } from "../../../core/plugin/mod.ts";
import { schedule, type Transition, type TransitionAction } from "../../../core/scheduler/mod.ts";
import { FakeExecutor, FakeLink } from "./_fake_executor.ts";
import { dummyCib, MemoryCib } from "./_fixtures.ts";

function withConstraints(cib: Cib, xml: string): Cib {
  return parseCib(serializeCib(cib).replace("<constraints/>", `<constraints>${xml}</constraints>`));
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}

class FakeLauncher implements GuestLauncher {
  readonly name = "fake";
  readonly capabilities = { migrate: false, console: false };
  readonly started: GuestSpec[] = [];
  status_: "running" | "stopped" | "failed" = "stopped";
  start(spec: GuestSpec): Promise<GuestHandle> {
    this.started.push(spec);
    this.status_ = "running";
    return Promise.resolve({ launcher: "fake", resource: spec.resource, node: spec.node, state: { pid: 1 } });
  }
  stop(): Promise<void> {
    this.status_ = "stopped";
    return Promise.resolve();
  }
  status(): Promise<"running" | "stopped" | "failed"> {
    return Promise.resolve(this.status_);
  }
  address(): Promise<{ host: string; port: number }> {
    return Promise.resolve({ host: "10.200.0.2", port: 3121 });
  }
  recover(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

const GUEST = `
      <primitive id="vm1" class="launcher" type="fake">
        <instance_attributes id="vm1-ia"><nvpair id="vm1-ia-1" name="image" value="x"/></instance_attributes>
        <meta_attributes id="vm1-meta"><nvpair id="vm1-m1" name="remote-node" value="guest1"/><nvpair id="vm1-m2" name="remote-connect-timeout" value="5s"/></meta_attributes>
        <operations><op id="vm1-mon" name="monitor" interval="40ms" timeout="20s"/></operations>
      </primitive>`;

describe("routing to guest nodes", () => {
  it("starts the container through its launcher, connects to the launcher's address, then runs the guest's resources there", async () => {
    const cib = withConstraints(dummyCib(["ong"], { extraConfig: GUEST }),
      `<rsc_location id="l1" rsc="ong" node="guest1" score="INFINITY"/><rsc_location id="l2" rsc="ong" node="node1" score="-INFINITY"/>`);
    const mem = new MemoryCib(cib);
    const local = new FakeExecutor();
    const link = new FakeLink();
    const launcher = new FakeLauncher();
    const targets: RemoteTarget[] = [];
    const key = new Uint8Array([1, 2, 3]);
    const ctl = new Controller({
      cib: mem, nodeName: "node1", local, scheduler: (c, now) => schedule(c, { now }), authkey: key,
      launcher: (n) => (n === "fake" ? launcher : undefined),
      connector: { connect: (t) => { targets.push(t); return Promise.resolve(link); } },
    });
    ctl.start();
    await until(() => link.running.has("ong"));
    await ctl.idle();
    expect(launcher.started).toEqual([{ resource: "vm1", node: "guest1", params: { image: "x" }, authkey: key, timeoutMs: 20000 }]);
    expect(targets).toEqual([{ node: "guest1", host: "10.200.0.2", port: 3121, timeoutMs: 3000 }]);
    expect(local.calls).toEqual([]);
    const xml = serializeCib(mem.get());
    expect(xml).toMatch(/<lrm_resource id="vm1" type="fake" class="launcher">/);
    expect(xml).toMatch(/<lrm_resource id="guest1" type="remote" class="ocf" provider="pacemaker">/);
    expect(xml).toMatch(/<node_state id="guest1" uname="guest1" remote_node="true"[^>]*in_ccm="true"/);
    expect(xml).toMatch(/id="ong_last_0" operation_key="ong_start_0"[^>]*on_node="guest1"[^>]*rc-code="0"/);
    // The implicit connection gets Pacemaker's 30s monitor (its first run is a poke).
    await until(() => /id="guest1_monitor_30000"[^>]*rc-code="0"/.test(serializeCib(mem.get())));
    expect(link.pokes).toBeGreaterThan(0);
    // The container dies: its recurring monitor reports it and the controller records the failure.
    launcher.status_ = "failed";
    await until(() => /id="vm1_last_failure_0"/.test(serializeCib(mem.get())), 3000);
    await ctl.stop();
  });

  it("fails actions for a node it cannot reach (no connector) without crashing", async () => {
    const cib = withConstraints(dummyCib(["ong"], { extraConfig: GUEST }),
      `<rsc_location id="l1" rsc="ong" node="guest1" score="INFINITY"/><rsc_location id="l2" rsc="ong" node="node1" score="-INFINITY"/>`);
    const mem = new MemoryCib(cib);
    const ctl = new Controller({ cib: mem, nodeName: "node1", local: new FakeExecutor(), scheduler: (c, now) => schedule(c, { now }) });
    let runs = 0;
    ctl.onTransition(() => runs++);
    ctl.start();
    await until(() => nodeAttribute(mem.get(), "node1", "fail-count-vm1#start_0") === "INFINITY");
    await ctl.idle();
    const settled = runs;
    await new Promise((r) => setTimeout(r, 100));
    expect(runs).toBe(settled);
    expect(runs).toBeLessThan(12);
    await ctl.stop();
  });
});

describe("controller restart", () => {
  it("re-probes its connection resources: without a link they are down and get reconnected", async () => {
    const extra = `
      <primitive id="rem1" class="ocf" provider="pacemaker" type="remote">
        <operations><op id="rem1-mon" name="monitor" interval="1s" timeout="20s"/></operations>
      </primitive>`;
    const cib = withConstraints(dummyCib(["onrem"], { extraConfig: extra }),
      `<rsc_location id="l1" rsc="onrem" node="rem1" score="INFINITY"/><rsc_location id="l2" rsc="onrem" node="node1" score="-INFINITY"/>`);
    const mem = new MemoryCib(cib);
    const first = new FakeLink();
    const ctl1 = new Controller({ cib: mem, nodeName: "node1", local: new FakeExecutor(), scheduler: (c, now) => schedule(c, { now }), connector: { connect: () => Promise.resolve(first) } });
    ctl1.start();
    await until(() => first.recurring.size === 1);
    await ctl1.idle();
    await ctl1.stop();
    expect(first.connected).toBe(false);
    // The guest kept running its resource; a new controller finds the connection down, reconnects,
    // re-probes the remote node (running) and only re-creates the monitor.
    const second = new FakeLink();
    second.running.add("onrem");
    const ctl2 = new Controller({ cib: mem, nodeName: "node1", local: new FakeExecutor(), scheduler: (c, now) => schedule(c, { now }), connector: { connect: () => Promise.resolve(second) } });
    ctl2.start();
    await until(() => second.recurring.size === 1);
    await ctl2.idle();
    expect(second.actions()).toEqual(["monitor:onrem", "monitor_10000:onrem"]);
    expect(serializeCib(mem.get())).toMatch(/id="rem1_last_0" operation_key="rem1_start_0"/);
    await ctl2.stop();
  });
});

describe("withConnectionOrdering()", () => {
  const a = (id: number, kind: TransitionAction["kind"], resource: string, node: string, inputs: number[] = []): TransitionAction =>
    ({ id, kind, key: `${resource}_${kind}_0`, resource, node, interval: 0, timeout: 1000, inputs, runnable: true });
  const tr = (actions: TransitionAction[]): Transition =>
    ({ actions, summary: [], placement: {}, current: {}, nodes: {}, nodesBefore: {}, scores: {}, explain: {}, warnings: [] });

  it("orders actions on a remote node after its connection's start, stops included when the connection is recovered", () => {
    const t = withConnectionOrdering(tr([a(0, "start", "r1", "rem"), a(1, "start", "rem", "n1", [3]), a(2, "stop", "r2", "rem"), a(3, "stop", "rem", "n1", [])]), "n1");
    expect(t.actions.map((x) => x.inputs)).toEqual([[1], [3], [1], []]);
  });

  it("orders stops on a remote node before a connection that only stops", () => {
    const t = withConnectionOrdering(tr([a(0, "stop", "r2", "rem"), a(1, "demote", "r3", "rem"), a(2, "stop", "rem", "n1")]), "n1");
    expect(t.actions.map((x) => x.inputs)).toEqual([[], [], [0, 1]]);
  });

  it("does not hold a connection's stop behind a blocked stop on its node (a lost node without fencing)", () => {
    const blocked = { ...a(0, "stop", "r2", "rem"), runnable: false };
    const t = withConnectionOrdering(tr([blocked, a(1, "stop", "r3", "rem"), a(2, "stop", "rem", "n1")]), "n1");
    expect(t.actions.map((x) => x.inputs)).toEqual([[], [], [1]]);
  });

  it("leaves a transition with nothing missing unchanged", () => {
    const t = tr([a(0, "start", "r1", "n1")]);
    expect(withConnectionOrdering(t, "n1")).toBe(t);
  });
});
