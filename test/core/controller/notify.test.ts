import { describe, expect, it } from "vitest";
import { Controller, eventSequence, type Scheduler, setNodeAttribute, statusEvents, watchClusterEvents } from "../../../core/controller/mod.ts";
import type { ClusterEvent } from "../../../core/plugin/types.ts";
import { schedule } from "../../../core/scheduler/mod.ts";
import { FakeExecutor } from "./_fake_executor.ts";
import { dummyCib, MemoryCib } from "./_fixtures.ts";

const scheduler: Scheduler = (cib, now) => schedule(cib, { now });

describe("statusEvents", () => {
  it("reports node up and down, attribute changes, and nothing when nothing changed", () => {
    const up = dummyCib(["a"]);
    const downXml = JSON.parse(JSON.stringify(up).replace(`"in_ccm":"true"`, `"in_ccm":"false"`).replace(`"crmd":"online"`, `"crmd":"offline"`));
    const seq = eventSequence();
    const lost = statusEvents(up, downXml, { nextSequence: seq, now: () => 0 });
    expect(lost).toEqual([{ kind: "node", sequence: 1, timestamp: "1970-01-01T00:00:00.000Z", node: "node1", nodeId: "1", desc: "lost" }]);
    expect(statusEvents(downXml, up, { nextSequence: seq })[0]).toMatchObject({ kind: "node", sequence: 2, desc: "member" });
    expect(statusEvents(up, up)).toEqual([]);
    const withAttr = setNodeAttribute(up, "node1", "site", "a");
    expect(statusEvents(up, withAttr)).toMatchObject([{ kind: "attribute", node: "node1", attribute: { name: "site", value: "a" } }]);
    expect(statusEvents(withAttr, up)).toMatchObject([{ kind: "attribute", node: "node1", attribute: { name: "site" } }]);
  });
});

describe("Controller notifications", () => {
  it("emits resource results (not expected probes) once each, and failures once", async () => {
    const mem = new MemoryCib(dummyCib(["a", "b"]));
    const local = new FakeExecutor();
    local.rcs.set("b start", 1);
    const events: ClusterEvent[] = [];
    const ctl = new Controller({ cib: mem, scheduler, nodeName: "node1", local, actionGraceMs: 200, notify: (e) => events.push(e) });
    ctl.start();
    const t0 = Date.now();
    while (!local.recurring.has("a monitor 10000") && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 5));
    await ctl.idle();
    await ctl.stop();
    const res = events.filter((e) => e.kind === "resource").map((e) => `${e.resource} ${e.task} ${e.interval} rc=${e.rc}`);
    // probes found "not running" as expected: no events for them
    expect(res.filter((x) => x.includes("monitor 0"))).toEqual([]);
    expect(res).toContain("a start 0 rc=0");
    expect(res).toContain("a monitor 10000 rc=0");
    expect(res.filter((x) => x === "b start 0 rc=1")).toHaveLength(1);
    const fail = events.find((e) => e.kind === "resource" && e.resource === "b" && e.task === "start");
    expect(fail).toMatchObject({ targetRc: 0, status: "0", node: "node1" });
    // fail-count attributes of b
    expect(events.some((e) => e.kind === "attribute" && e.attribute?.name.startsWith("fail-count-b#start_0") === true)).toBe(true);
    const seqs = events.map((e) => e.sequence);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
  });

  it("a throwing sink never breaks the CIB change path", () => {
    const mem = new MemoryCib(dummyCib(["a"]));
    const off = watchClusterEvents(mem, () => {
      throw new Error("boom");
    });
    expect(() => mem.set(setNodeAttribute(mem.get(), "node1", "x", "1"))).not.toThrow();
    off();
  });
});
