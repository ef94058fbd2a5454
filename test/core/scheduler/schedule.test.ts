import { describe, expect, it } from "vitest";
import { schedule } from "../../../core/scheduler/mod.ts";
import { serializeCib } from "../../../core/cib/codec.ts";
import { cib, dummy, lrmRsc, onlineState, op } from "./_fixtures.ts";

const NOW = { now: new Date("2024-01-01T00:00:00Z") };

describe("schedule()", () => {
  it("starts a stopped resource on the lowest-named node when nothing else differs", () => {
    const t = schedule(cib({ nodes: ["n2", "n1"], resources: dummy("a"), status: onlineState("1", "n2") + onlineState("2", "n1") }), NOW);
    expect(t.summary).toEqual([{ action: "start", resource: "a", from: null, to: "n1" }]);
    expect(t.placement.a).toEqual([{ node: "n1", role: "Started" }]);
    const start = t.actions.find((a) => a.kind === "start");
    expect(start).toMatchObject({ resource: "a", node: "n1", interval: 0, runnable: true });
  });

  it("leaves a running resource where it is", () => {
    const running = lrmRsc("a", op("a", "start", 0, 3));
    const t = schedule(cib({ nodes: ["n1", "n2"], resources: dummy("a"), status: onlineState("1", "n1") + onlineState("2", "n2", running) }), NOW);
    expect(t.summary).toEqual([]);
    expect(t.placement.a).toEqual([{ node: "n2", role: "Started" }]);
    expect(t.actions).toEqual([]);
  });

  it("moves a resource to where a location constraint prefers it, stop before start", () => {
    const running = lrmRsc("a", op("a", "start", 0, 3));
    const t = schedule(cib({
      nodes: ["n1", "n2"], resources: dummy("a"),
      constraints: `<rsc_location id="l" rsc="a" node="n1" score="100"/>`,
      status: onlineState("1", "n1") + onlineState("2", "n2", running),
    }), NOW);
    expect(t.summary).toEqual([{ action: "move", resource: "a", from: "n2", to: "n1" }]);
    const stop = t.actions.find((a) => a.kind === "stop")!;
    const start = t.actions.find((a) => a.kind === "start")!;
    expect(start.inputs).toContain(stop.id);
    expect(t.explain.a!.some((c) => c.source.includes("location constraint l") && c.node === "n1" && c.score === 100)).toBe(true);
  });

  it("keeps a sticky resource in place against a weaker preference", () => {
    const running = lrmRsc("a", op("a", "start", 0, 3));
    const t = schedule(cib({
      nodes: ["n1", "n2"], resources: dummy("a", { "resource-stickiness": "200" }),
      constraints: `<rsc_location id="l" rsc="a" node="n1" score="100"/>`,
      status: onlineState("1", "n1") + onlineState("2", "n2", running),
    }), NOW);
    expect(t.summary).toEqual([]);
  });

  it("recovers a resource whose monitor failed", () => {
    const hist = lrmRsc("a", op("a", "start", 0, 3) + op("a", "monitor", 1, 4, { interval: 10000, expected: 0 }));
    const t = schedule(cib({ nodes: ["n1"], resources: dummy("a"), status: onlineState("1", "n1", hist) }), NOW);
    expect(t.summary).toEqual([{ action: "recover", resource: "a", from: "n1", to: "n1" }]);
  });

  it("fences a node that left the cluster unexpectedly and moves its resources", () => {
    const running = lrmRsc("a", op("a", "start", 0, 3));
    const lost = `<node_state id="2" uname="n2" in_ccm="false" crmd="offline" join="down" expected="member">
      <lrm id="2"><lrm_resources>${running}</lrm_resources></lrm></node_state>`;
    const t = schedule(cib({
      options: { "stonith-enabled": "true" }, nodes: ["n1", "n2"],
      resources: `<primitive id="fence" class="stonith" type="fence_xvm"/>` + dummy("a"),
      status: onlineState("1", "n1", lrmRsc("fence", op("fence", "start", 0, 2), "stonith", "fence_xvm")) + lost,
    }), NOW);
    expect(t.summary).toContainEqual({ action: "fence", node: "n2", op: "reboot" });
    expect(t.summary).toContainEqual({ action: "move", resource: "a", from: "n2", to: "n1" });
    const fence = t.actions.find((a) => a.kind === "fence")!;
    const impliedStop = t.actions.find((a) => a.resource === "a" && a.node === "n2")!;
    expect(impliedStop.inputs).toContain(fence.id);
  });

  it("blocks the then-resource when the first cannot start (mandatory order)", () => {
    const t = schedule(cib({
      nodes: ["n1"], resources: dummy("a", { "target-role": "Stopped" }) + dummy("b"),
      constraints: `<rsc_order id="o" first="a" then="b"/>`,
      status: onlineState("1", "n1"),
    }), NOW);
    expect(t.summary).toEqual([{ action: "start", resource: "b", from: null, to: "n1", blocked: true }]);
    expect(t.placement.b ?? []).toEqual([]);
  });

  it("places colocated resources together and keeps anti-colocated ones apart", () => {
    const t = schedule(cib({
      nodes: ["n1", "n2"], resources: dummy("a") + dummy("b") + dummy("c"),
      constraints: `<rsc_location id="l" rsc="a" node="n2" score="10"/>
        <rsc_colocation id="c1" rsc="b" with-rsc="a" score="INFINITY"/>
        <rsc_colocation id="c2" rsc="c" with-rsc="a" score="-INFINITY"/>`,
      status: onlineState("1", "n1") + onlineState("2", "n2"),
    }), NOW);
    expect(t.placement.a).toEqual([{ node: "n2", role: "Started" }]);
    expect(t.placement.b).toEqual([{ node: "n2", role: "Started" }]);
    expect(t.placement.c).toEqual([{ node: "n1", role: "Started" }]);
  });

  it("runs one clone instance per node and promotes the instance with the best promotion score", () => {
    const clone = `<clone id="ms"><meta_attributes id="ms-m"><nvpair id="ms-p" name="promotable" value="true"/></meta_attributes>
      <primitive id="s" class="ocf" provider="pacemaker" type="Stateful"/></clone>`;
    const attrs = (id: string, v: string): string => `<transient_attributes id="${id}"><instance_attributes id="st-${id}">
      <nvpair id="st-${id}-m" name="master-s" value="${v}"/></instance_attributes></transient_attributes>`;
    const st = (id: string, name: string, v: string): string =>
      `<node_state id="${id}" uname="${name}" in_ccm="true" crmd="online" join="member" expected="member">${attrs(id, v)}</node_state>`;
    const t = schedule(cib({ nodes: ["n1", "n2", "n3"], resources: clone, status: st("1", "n1", "5") + st("2", "n2", "10") + st("3", "n3", "1") }), NOW);
    expect(t.placement.s).toEqual([
      { node: "n1", role: "Unpromoted" }, { node: "n2", role: "Promoted" }, { node: "n3", role: "Unpromoted" },
    ]);
  });

  it("stops running resources and blocks starts without quorum (no-quorum-policy=stop)", () => {
    const running = lrmRsc("a", op("a", "start", 0, 3));
    const t = schedule(cib({ quorum: false, nodes: ["n1"], resources: dummy("a") + dummy("b"), status: onlineState("1", "n1", running) }), NOW);
    expect(t.summary).toContainEqual({ action: "stop", resource: "a", from: "n1", to: null });
    expect(t.summary).toContainEqual({ action: "start", resource: "b", from: null, to: "n1", blocked: true });
  });

  it("is deterministic and does not modify its input", () => {
    const c = cib({ nodes: ["n1", "n2"], resources: dummy("a") + dummy("b"), status: onlineState("1", "n1") + onlineState("2", "n2") });
    const before = serializeCib(c);
    const t1 = schedule(c, NOW), t2 = schedule(c, NOW);
    expect(JSON.stringify(t1)).toBe(JSON.stringify(t2));
    expect(serializeCib(c)).toBe(before);
  });

  it("rejects an unparsable explicit time with a RangeError", () => {
    const c = cib({ nodes: ["n1"], resources: "", status: "" });
    expect(() => schedule(c, { now: "not-a-date" })).toThrow(RangeError);
  });
});
