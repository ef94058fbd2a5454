import { describe, expect, it } from "vitest";
import { parseCib, serializeCib } from "../../../core/cib/mod.ts";
import type { Cib } from "../../../core/cib/model.ts";
import { Controller, markNodeFenced, nodeAttribute, recordFailure, type RemoteLink, type RemoteTarget } from "../../../core/controller/mod.ts";
import {
  forgetConnectionFailures, type HeldConnection, heldConnections, ReconnectWatch, WATCH_PERIOD_MS,
} from "../../../core/controller/reconnect_watch.ts";
import type { ControllerClock } from "../../../core/controller/types.ts";
import { schedule, type Transition, type TransitionAction } from "../../../core/scheduler/mod.ts";
import { FakeExecutor, FakeLink } from "./_fake_executor.ts";
import { dummyCib, MemoryCib } from "./_fixtures.ts";

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** rem1 (reconnect_interval `ri`, server 127.0.0.9) and onrem on it; `props` extra cluster options. */
function remoteCib(ri = "5s", props = "", meta = ""): Cib {
  const extra = `
      <primitive id="rem1" class="ocf" provider="pacemaker" type="remote">${meta}
        <instance_attributes id="rem1-ia"><nvpair id="rem1-ia-s" name="server" value="127.0.0.9"/><nvpair id="rem1-ia-ri" name="reconnect_interval" value="${ri}"/></instance_attributes>
        <operations><op id="rem1-mon" name="monitor" interval="30s" timeout="20s"/><op id="rem1-start" name="start" interval="0" timeout="5s"/></operations>
      </primitive>`;
  const text = serializeCib(dummyCib(["onrem"], { extraConfig: extra, props })).replace("<constraints/>",
    `<constraints><rsc_location id="l1" rsc="onrem" node="rem1" score="INFINITY"/><rsc_location id="l2" rsc="onrem" node="node1" score="-INFINITY"/></constraints>`);
  const fencing = props.includes("stonith-enabled");
  const device = '<primitive id="fence1" class="stonith" type="fence_dummy"/>';
  return parseCib(fencing ? text.replace('<nvpair id="o1" name="stonith-enabled" value="false"/>', "").replace("</resources>", `${device}</resources>`) : text);
}

/** A connector whose daemon is "up" or "down"; counts calls and the most attempts in flight. */
function fakeDaemon(refuseDelayMs = 0) {
  const st = { up: true, calls: 0, inFlight: 0, maxInFlight: 0, links: [] as FakeLink[], probesClosed: 0 };
  const connect = async (_t: RemoteTarget): Promise<RemoteLink> => {
    st.calls++;
    st.inFlight++;
    st.maxInFlight = Math.max(st.maxInFlight, st.inFlight);
    try {
      if (refuseDelayMs > 0) await sleep(refuseDelayMs);
      if (!st.up) throw new Error("connect ECONNREFUSED 127.0.0.9:3121");
      const l = new FakeLink();
      const close = l.close.bind(l);
      l.close = () => {
        st.probesClosed++;
        close();
      };
      st.links.push(l);
      return l;
    } finally {
      st.inFlight--;
    }
  };
  return { st, connector: { connect } };
}

type Fence = NonNullable<ConstructorParameters<typeof Controller>[0]["fence"]>;

function setup(cib: Cib, connect: (t: RemoteTarget) => Promise<RemoteLink>, fence?: Fence) {
  const mem = new MemoryCib(cib);
  const ctl = new Controller({
    cib: mem, scheduler: (c, now) => schedule(c, { now }), nodeName: "node1", local: new FakeExecutor(),
    actionGraceMs: 200, connector: { connect }, ...(fence ? { fence } : {}),
  });
  const starts: number[] = [];
  ctl.onTransition((r) => {
    for (const a of r.transition.actions) {
      if (a.kind === "start" && a.resource === "rem1" && (r.result.completed.includes(a.id) || r.result.failed.includes(a.id))) starts.push(Date.now());
    }
  });
  return { mem, ctl, starts };
}

/** Run until onrem runs on rem1, then kill the "daemon" (the link drops, connections are refused). */
async function runThenKill(cib: Cib, fence?: Fence) {
  const d = fakeDaemon();
  const s = setup(cib, d.connector.connect, fence);
  s.ctl.start();
  await until(() => d.st.links[0]?.running.has("onrem") === true);
  await s.ctl.idle();
  d.st.up = false;
  d.st.links[0]!.drop("peer reset");
  await until(() => nodeAttribute(s.mem.get(), "node1", "fail-count-rem1#monitor_30000") === "1", 1000);
  return { ...s, d };
}

describe("early reconnection of remote nodes held down by reconnect_interval", () => {
  it("starts the connection within a watch period of the daemon's return, long before the interval", async () => {
    const { ctl, mem, d, starts } = await runThenKill(remoteCib("5s"));
    const before = starts.length;
    // Held down: the connection is stopped and only watched (no start) while the daemon is away.
    await sleep(700);
    await ctl.idle();
    expect(starts.length).toBe(before);
    expect(d.st.calls).toBeGreaterThanOrEqual(2);
    expect(d.st.maxInFlight).toBe(1);
    const back = Date.now();
    d.st.up = true;
    await until(() => d.st.links.some((l) => l.connected && l.running.has("onrem")), 3000);
    const ms = Date.now() - back;
    expect(ms).toBeLessThan(1000);
    // The probe link was closed; exactly one start brought the node back.
    expect(d.st.probesClosed).toBeGreaterThanOrEqual(1);
    await ctl.idle();
    expect(starts.length).toBe(before + 1);
    const xml = serializeCib(mem.get());
    expect(xml).not.toContain("fail-count-rem1");
    expect(xml).not.toContain("last-failure-rem1");
    expect(xml).toMatch(/<node_state id="rem1" uname="rem1" remote_node="true"[^>]*in_ccm="true"/);
    await ctl.stop();
  });

  it("never starts a connection whose node needs fencing: no watch until the fencing is done", async () => {
    let done: ((ok: boolean) => void) | undefined;
    const fenced: string[] = [];
    const fence: Fence = (node, _op, write) => new Promise<boolean>((resolve) => {
      fenced.push(node);
      done = (ok) => void write!((c) => markNodeFenced(c, node, Date.now() / 1000)).then(() => resolve(ok));
    });
    const { ctl, mem, d, starts } = await runThenKill(remoteCib("5s", '<nvpair id="o3" name="stonith-enabled" value="true"/>'), fence);
    await until(() => done !== undefined, 2000);
    expect(fenced).toEqual(["rem1"]);
    const calls = d.st.calls;
    const before = starts.length;
    d.st.up = true;
    await sleep(600);
    // The node is unclean and being fenced: not watched, not started.
    expect(d.st.calls).toBe(calls);
    expect(starts.length).toBe(before);
    const t0 = Date.now();
    done!(true);
    await until(() => d.st.links.some((l) => l.connected && l.running.has("onrem")), 3000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(nodeAttribute(mem.get(), "node1", "fail-count-rem1#monitor_30000")).toBeUndefined();
    await ctl.idle();
    await ctl.stop();
  });

  it("does not watch a node whose fencing keeps failing (it still needs fencing)", async () => {
    let tries = 0;
    const fence: Fence = () => (tries++, Promise.resolve(false));
    const { ctl, d, starts } = await runThenKill(remoteCib("5s", '<nvpair id="o3" name="stonith-enabled" value="true"/>'), fence);
    await until(() => tries >= 1, 2000);
    const calls = d.st.calls;
    const before = starts.length;
    d.st.up = true;
    await sleep(800);
    expect(d.st.calls).toBe(calls);
    expect(starts.length).toBe(before);
    await ctl.stop();
  });

  it("does not watch a connection that is disabled (target-role=Stopped)", async () => {
    const meta = '<meta_attributes id="rem1-m"><nvpair id="rem1-m-tr" name="target-role" value="Started"/></meta_attributes>';
    const { ctl, mem, d } = await runThenKill(remoteCib("5s", "", meta));
    await mem.apply((c) => parseCib(serializeCib(c).replace('name="target-role" value="Started"', 'name="target-role" value="Stopped"')));
    await ctl.idle();
    await sleep(WATCH_PERIOD_MS);
    const calls = d.st.calls;
    d.st.up = true;
    await sleep(700);
    expect(d.st.calls).toBe(calls);
    expect(nodeAttribute(mem.get(), "node1", "fail-count-rem1#monitor_30000")).toBe("1");
    await ctl.stop();
  });

  it("stops watching when the connection is deleted", async () => {
    const { ctl, mem, d } = await runThenKill(remoteCib("5s"));
    await sleep(300);
    const callsBefore = d.st.calls;
    expect(callsBefore).toBeGreaterThanOrEqual(2);
    await mem.apply((c) => parseCib(serializeCib(c).replace(/<primitive id="rem1"[\s\S]*?<\/primitive>/, "")));
    await ctl.idle();
    const calls = d.st.calls;
    await sleep(700);
    expect(d.st.calls).toBe(calls);
    await ctl.stop();
  });

  it("stops watching when the controller stops", async () => {
    const { ctl, d } = await runThenKill(remoteCib("5s"));
    await sleep(300);
    await ctl.stop();
    const calls = d.st.calls;
    await sleep(700);
    expect(d.st.calls).toBe(calls);
  });
});

function act(kind: TransitionAction["kind"], resource: string | undefined, node: string, runnable = true): TransitionAction {
  return { id: 1, kind, key: `${resource ?? node}_${kind}`, ...(resource ? { resource } : {}), node, interval: 0, timeout: 20_000, inputs: [], runnable };
}

function transition(actions: TransitionAction[]): Transition {
  return { actions, summary: [], placement: {}, nodes: {} } as unknown as Transition;
}

describe("heldConnections()", () => {
  const NOW = 1_000_000_000;
  const failed = (cib: Cib, at = NOW - 1000) => recordFailure(cib, "node1", "rem1", "monitor", 30000, { now: at });

  it("lists a connection whose failure is younger than its interval when the later schedule starts it", () => {
    const ats: number[] = [];
    const held = heldConnections(failed(remoteCib("5s")), transition([]), NOW, (at) => {
      ats.push(at.getTime());
      return transition([act("start", "rem1", "node1")]);
    });
    expect(held).toEqual([{ resource: "rem1", node: "rem1", host: "127.0.0.9", port: 3121, intervalMs: 5000, untilMs: NOW + 4000 }]);
    expect(ats.length).toBe(1);
    expect(ats[0]!).toBeGreaterThanOrEqual(NOW + 4000);
  });

  it("is empty without a recent failure, without reconnect_interval, or when the current transition acts", () => {
    let planned = 0;
    const plan = () => (planned++, transition([act("start", "rem1", "node1")]));
    expect(heldConnections(remoteCib("5s"), transition([]), NOW, plan)).toEqual([]);
    expect(heldConnections(failed(remoteCib("5s"), NOW - 6000), transition([]), NOW, plan)).toEqual([]);
    expect(heldConnections(failed(remoteCib("0")), transition([]), NOW, plan)).toEqual([]);
    expect(heldConnections(failed(remoteCib("5s")), transition([act("stop", "rem1", "node1")]), NOW, plan)).toEqual([]);
    expect(heldConnections(failed(remoteCib("5s")), transition([act("fence", undefined, "rem1")]), NOW, plan)).toEqual([]);
    expect(planned).toBe(0);
  });

  it("is empty when the later schedule would fence the node or cannot start the connection", () => {
    const cib = failed(remoteCib("5s"));
    expect(heldConnections(cib, transition([]), NOW, () => transition([act("fence", undefined, "rem1"), act("start", "rem1", "node1")]))).toEqual([]);
    expect(heldConnections(cib, transition([]), NOW, () => transition([act("start", "rem1", "node1", false)]))).toEqual([]);
    expect(heldConnections(cib, transition([]), NOW, () => transition([]))).toEqual([]);
  });

  it("forgetConnectionFailures() removes the connection's failure attributes on every node, nothing else", () => {
    const cib = recordFailure(failed(remoteCib("5s")), "node1", "onrem", "monitor", 10000, { now: NOW });
    const out = serializeCib(forgetConnectionFailures(cib, "rem1"));
    expect(out).not.toContain("fail-count-rem1");
    expect(out).not.toContain("last-failure-rem1");
    expect(out).toContain("fail-count-onrem#monitor_10000");
    const clean = remoteCib("5s");
    expect(forgetConnectionFailures(clean, "rem1")).toBe(clean);
  });
});

/** A manual clock. */
function manualClock() {
  let now = 1_000_000;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  const clock: ControllerClock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = next++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (h) => void timers.delete(h as number),
  };
  const advance = async (ms: number) => {
    now += ms;
    for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at > now) continue;
      timers.delete(id);
      t.fn();
    }
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  return { clock, advance, pending: () => timers.size };
}

describe("ReconnectWatch", () => {
  const held = (untilMs: number): HeldConnection => ({ resource: "rem1", node: "rem1", host: "127.0.0.9", port: 3121, intervalMs: 5000, untilMs });

  it("tries once per period, one attempt at a time, and releases once when the daemon answers", async () => {
    const { clock, advance } = manualClock();
    const { st, connector } = fakeDaemon();
    st.up = false;
    const released: string[] = [];
    const w = new ReconnectWatch({ connector, clock, release: (h) => (released.push(h.resource), Promise.resolve()) });
    w.update([held(clock.now() + 5000)]);
    await advance(0);
    expect(st.calls).toBe(1);
    await advance(100);
    expect(st.calls).toBe(1);
    await advance(150);
    expect(st.calls).toBe(2);
    w.update([held(clock.now() + 4750)]);
    expect(st.calls).toBe(2);
    st.up = true;
    await advance(250);
    expect(st.calls).toBe(3);
    expect(released).toEqual(["rem1"]);
    expect(st.probesClosed).toBe(1);
    expect(w.watching()).toEqual([]);
    // A new failure right after an early release waits for the interval (no start storm).
    w.update([held(clock.now() + 5000)]);
    expect(w.watching()).toEqual([]);
    await advance(5000);
    w.update([held(clock.now() + 5000)]);
    expect(w.watching()).toEqual(["rem1"]);
    w.stop();
  });

  it("ends a watch when the interval expires, when no longer held, and on stop", async () => {
    const { clock, advance, pending } = manualClock();
    const { st, connector } = fakeDaemon();
    st.up = false;
    const w = new ReconnectWatch({ connector, clock, release: () => Promise.resolve() });
    w.update([held(clock.now() + 600)]);
    await advance(0);
    await advance(250);
    await advance(250);
    expect(st.calls).toBe(3);
    await advance(250);
    expect(st.calls).toBe(3);
    expect(w.watching()).toEqual([]);
    w.update([held(clock.now() + 5000)]);
    await advance(0);
    expect(w.watching()).toEqual(["rem1"]);
    w.update([]);
    expect(w.watching()).toEqual([]);
    expect(pending()).toBe(0);
    w.update([held(clock.now() + 5000)]);
    w.stop();
    st.up = true;
    await advance(1000);
    expect(w.watching()).toEqual([]);
    w.update([held(clock.now() + 5000)]);
    expect(w.watching()).toEqual([]);
  });
});
