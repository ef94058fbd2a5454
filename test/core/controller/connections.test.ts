import { describe, expect, it } from "vitest";
import { parseCib as parseCibText, serializeCib } from "../../../core/cib/mod.ts";
import type { Cib } from "../../../core/cib/model.ts";
import { Controller, nodeAttribute, type RemoteLink, type RemoteTarget } from "../../../core/controller/mod.ts";
import { schedule } from "../../../core/scheduler/mod.ts";
import { FakeExecutor, FakeLink } from "./_fake_executor.ts";
import { dummyCib, MemoryCib } from "./_fixtures.ts";

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** rem1 (connection with a 30 s monitor: only an immediate failure can be fast) and onrem on it. */
function remoteCib(): Cib {
  const extra = `
      <primitive id="rem1" class="ocf" provider="pacemaker" type="remote">
        <instance_attributes id="rem1-ia"><nvpair id="rem1-ia-s" name="server" value="127.0.0.9"/></instance_attributes>
        <operations><op id="rem1-mon" name="monitor" interval="30s" timeout="20s"/><op id="rem1-start" name="start" interval="0" timeout="5s"/></operations>
      </primitive>`;
  const text = serializeCib(dummyCib(["onrem"], { extraConfig: extra })).replace("<constraints/>",
    `<constraints><rsc_location id="l1" rsc="onrem" node="rem1" score="INFINITY"/><rsc_location id="l2" rsc="onrem" node="node1" score="-INFINITY"/></constraints>`);
  return parseCibText(text);
}

function setup(connect: (t: RemoteTarget) => Promise<RemoteLink>) {
  const mem = new MemoryCib(remoteCib());
  const ctl = new Controller({
    cib: mem, scheduler: (c, now) => schedule(c, { now }), nodeName: "node1", local: new FakeExecutor(),
    actionGraceMs: 200, connector: { connect },
  });
  return { mem, ctl };
}

describe("remote connections", () => {
  it("fails the connection's monitor as soon as the link drops, without waiting for its 30 s interval", async () => {
    const links = [new FakeLink(), new FakeLink()];
    let n = 0;
    const { mem, ctl } = setup(() => Promise.resolve(links[n++]!));
    ctl.start();
    await until(() => links[0]!.running.has("onrem") && links[0]!.recurring.size === 1);
    await ctl.idle();
    const t0 = Date.now();
    links[0]!.drop("peer reset");
    await until(() => nodeAttribute(mem.get(), "node1", "fail-count-rem1#monitor_30000") === "1", 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(serializeCib(mem.get())).toMatch(/id="rem1_last_failure_0" operation_key="rem1_monitor_30000"[^>]*rc-code="1"/);
    // Recovered: a new link, the resource running there again.
    await until(() => n === 2 && links[1]!.running.has("onrem"), 3000);
    await ctl.idle();
    await ctl.stop();
  });

  it("retries connecting within the start's timeout instead of failing on the first refusal", async () => {
    const link = new FakeLink();
    const targets: RemoteTarget[] = [];
    const { mem, ctl } = setup((t) => {
      targets.push(t);
      return targets.length < 4 ? Promise.reject(new Error("connect ECONNREFUSED")) : Promise.resolve(link);
    });
    const t0 = Date.now();
    ctl.start();
    await until(() => link.running.has("onrem"), 3000);
    await ctl.idle();
    expect(targets.length).toBe(4);
    expect(Date.now() - t0).toBeLessThan(2000);
    const xml = serializeCib(mem.get());
    expect(xml).toMatch(/id="rem1_last_0" operation_key="rem1_start_0"[^>]*rc-code="0"/);
    expect(xml).not.toContain("rem1_last_failure_0");
    expect(xml).toMatch(/<node_state id="rem1" uname="rem1" remote_node="true"[^>]*in_ccm="true"/);
    await ctl.stop();
  });

  it("fails the start with the last error once its timeout has passed", async () => {
    let tries = 0;
    const mem = new MemoryCib(parseCibText(serializeCib(remoteCib()).replace('timeout="5s"', 'timeout="400ms"')));
    const ctl = new Controller({
      cib: mem, scheduler: (c, now) => schedule(c, { now }), nodeName: "node1", local: new FakeExecutor(), actionGraceMs: 200,
      connector: { connect: () => (tries++, Promise.reject(new Error("connect ECONNREFUSED"))) },
    });
    ctl.start();
    await until(() => /rem1_last_failure_0/.test(serializeCib(mem.get())), 3000);
    await ctl.stop();
    expect(tries).toBeGreaterThan(2);
    expect(serializeCib(mem.get())).toMatch(/exit-reason="cannot connect to rem1 at 127\.0\.0\.9:3121: connect ECONNREFUSED"/);
  });
});
