import { describe, expect, it } from "vitest";
import { schedule } from "../../../core/scheduler/mod.ts";
import { parseCib } from "../../../core/cib/codec.ts";
import { cib, dummy, lrmRsc, onlineState, op } from "./_fixtures.ts";

const NOW = { now: new Date("2024-01-01T00:00:00Z") };
const started = (r: string): string => lrmRsc(r, op(r, "start", 0, 3));

function utilCib(parts: { strategy: string; nodes: string; resources: string; constraints?: string; status: string; stickiness?: string }): ReturnType<typeof parseCib> {
  return parseCib(`<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1">
  <configuration><crm_config><cluster_property_set id="o">
    <nvpair id="o1" name="stonith-enabled" value="false"/>
    <nvpair id="o2" name="placement-strategy" value="${parts.strategy}"/>
  </cluster_property_set></crm_config>
  <nodes>${parts.nodes}</nodes><resources>${parts.resources}</resources><constraints>${parts.constraints ?? ""}</constraints>
  ${parts.stickiness ? `<rsc_defaults><meta_attributes id="d"><nvpair id="d1" name="resource-stickiness" value="${parts.stickiness}"/></meta_attributes></rsc_defaults>` : ""}
  </configuration><status>${parts.status}</status></cib>`);
}

function utilNode(id: string, cpu: number, standby = false): string {
  return `<node id="${id}" uname="${id}"><utilization id="${id}-u"><nvpair id="${id}-cpu" name="cpu" value="${cpu}"/></utilization>`
    + (standby ? `<instance_attributes id="${id}-a"><nvpair id="${id}-s" name="standby" value="on"/></instance_attributes>` : "") + "</node>";
}

function utilRsc(id: string, cpu: number, priority?: number): string {
  const meta = priority === undefined ? "" : `<meta_attributes id="${id}-m"><nvpair id="${id}-p" name="priority" value="${priority}"/></meta_attributes>`;
  return `<primitive id="${id}" class="ocf" provider="heartbeat" type="Dummy">${meta}<utilization id="${id}-u"><nvpair id="${id}-c" name="cpu" value="${cpu}"/></utilization></primitive>`;
}

describe("assignment order and placement (conformance fixes)", () => {
  it("with a placement strategy, breaks current-score ties by the score on the best node (standby node last)", () => {
    // rsc1 sticks to standby node1, rsc2 to node2, each with 100; node2 (the only usable node) ranks
    // first, where rsc2 scores higher, so rsc2 keeps node2 and rsc1 has nowhere to go.
    const t = schedule(utilCib({
      strategy: "balanced", stickiness: "100",
      nodes: utilNode("node1", 1, true) + utilNode("node2", 1),
      resources: utilRsc("rsc1", 1) + utilRsc("rsc2", 1),
      status: onlineState("node1", "node1", started("rsc1")) + onlineState("node2", "node2", started("rsc2")),
    }), NOW);
    expect(t.placement.rsc2).toEqual([{ node: "node2", role: "Started" }]);
    expect(t.placement.rsc1).toEqual([]);
    expect(t.summary).toEqual([{ action: "stop", resource: "rsc1", from: "node1", to: null }]);
  });

  it("assigns a dependent's colocation primaries in primary priority order", () => {
    // member1a follows rsc2 (priority 1000), the group follows rsc3 (priority 2000): rsc3 goes first
    // and takes node1's whole capacity, so rsc2 cannot run anywhere.
    const t = schedule(utilCib({
      strategy: "utilization",
      nodes: utilNode("node1", 2) + utilNode("node2", 1),
      resources: `<group id="g"><meta_attributes id="g-m"><nvpair id="g-p" name="priority" value="3000"/></meta_attributes>`
        + dummy("member1a") + dummy("member1b") + "</group>" + utilRsc("rsc2", 2, 1000) + utilRsc("rsc3", 2, 2000),
      constraints: `<rsc_colocation id="c1" rsc="member1a" with-rsc="rsc2" score="4000"/>
        <rsc_colocation id="c2" rsc="g" with-rsc="rsc3" score="4000"/>`,
      status: onlineState("node1", "node1") + onlineState("node2", "node2"),
    }), NOW);
    expect(t.placement.rsc3).toEqual([{ node: "node1", role: "Started" }]);
    expect(t.placement.rsc2).toEqual([]);
    expect(t.placement.member1a).toEqual([{ node: "node1", role: "Started" }]);
  });

  it("ignores a colocation between two templates", () => {
    const resources = `<template id="t1" class="ocf" provider="heartbeat" type="Dummy"/><template id="t2" class="ocf" provider="heartbeat" type="Dummy"/>
      <primitive id="a1" template="t1"/><primitive id="a2" template="t1"/><primitive id="b1" template="t2"/><primitive id="b2" template="t2"/>`;
    const t = schedule(cib({
      nodes: ["n1", "n2"], resources,
      constraints: `<rsc_colocation id="c" rsc="t1" with-rsc="t2" score="INFINITY"/>`,
      status: onlineState("1", "n1") + onlineState("2", "n2"),
    }), NOW);
    // Without the colocation the four resources spread two per node.
    const nodes = ["a1", "a2", "b1", "b2"].map((r) => t.placement[r]?.[0]?.node);
    expect(nodes.filter((n) => n === "n1")).toHaveLength(2);
    expect(nodes.filter((n) => n === "n2")).toHaveLength(2);
  });

  it("under no-quorum-policy=freeze still moves an active resource but blocks new starts", () => {
    const t = schedule(cib({
      options: { "no-quorum-policy": "freeze" }, quorum: false,
      nodes: ["node1", "node2"], resources: dummy("rsc1") + dummy("rsc2") + dummy("rsc3"),
      status: onlineState("1", "node1", started("rsc1") + started("rsc2")) + onlineState("2", "node2"),
    }), NOW);
    expect(t.placement.rsc1).toEqual([{ node: "node1", role: "Started" }]);
    expect(t.placement.rsc2).toEqual([{ node: "node2", role: "Started" }]);
    expect(t.placement.rsc3).toEqual([]);
    expect(t.summary).toContainEqual({ action: "move", resource: "rsc2", from: "node1", to: "node2" });
    expect(t.summary).toContainEqual(expect.objectContaining({ action: "start", resource: "rsc3", blocked: true }));
  });

  it("ignores a not-installed probe result older than failure-timeout", () => {
    const probe = (r: string): string => lrmRsc(r, `<lrm_rsc_op id="${r}_last_failure_0" operation="monitor" interval="0" rc-code="5" op-status="0" call-id="2" transition-key="1:1:7:abc" last-rc-change="1000"/>`);
    const t = schedule(cib({
      nodes: ["n1"], resources: dummy("a", { "failure-timeout": "10" }) + dummy("b"),
      status: onlineState("1", "n1", probe("a") + probe("b")),
    }), NOW);
    expect(t.placement.a).toEqual([{ node: "n1", role: "Started" }]);
    expect(t.placement.b).toEqual([]);
  });

  it("keeps every instance of an anonymous clone off a node where its agent is not installed", () => {
    const probe = lrmRsc("p", `<lrm_rsc_op id="p_last_failure_0" operation="monitor" interval="0" rc-code="5" op-status="0" call-id="2" transition-key="1:1:7:abc"/>`);
    const t = schedule(cib({
      nodes: ["n1", "n2"], resources: `<clone id="pc">${dummy("p")}</clone>`,
      status: onlineState("1", "n1", probe) + onlineState("2", "n2"),
    }), NOW);
    expect(t.placement.p).toEqual([{ node: "n2", role: "Started" }]);
  });

  it("blocks the start of a resource not yet probed on a node that is still joining", () => {
    const pending = `<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="pending" expected="member"/>`;
    const t = schedule(cib({
      options: { "stonith-enabled": "true" }, nodes: ["n1", "n2"],
      resources: `<primitive id="f" class="stonith" type="fence_dummy"/>` + dummy("a"),
      status: onlineState("1", "n1") + pending,
    }), NOW);
    expect(t.placement.a).toEqual([]);
    expect(t.summary).toContainEqual({ action: "start", resource: "a", from: null, to: "n1", blocked: true });
  });

  it("ignores migration-threshold for a resource whose failures are ignored (on-fail=ignore)", () => {
    const rsc = `<primitive id="a" class="ocf" provider="heartbeat" type="Dummy">
      <meta_attributes id="a-m"><nvpair id="a-mt" name="migration-threshold" value="2"/></meta_attributes>
      <operations><op id="a-mon" name="monitor" interval="10s" on-fail="ignore"/></operations></primitive>`;
    const hist = lrmRsc("a", op("a", "start", 0, 3) + op("a", "monitor", 7, 4, { interval: 10000, expected: 0 }));
    const attrs = `<transient_attributes id="1"><instance_attributes id="s1">
      <nvpair id="s1-fc" name="fail-count-a#monitor_10000" value="2"/></instance_attributes></transient_attributes>`;
    const n1 = onlineState("1", "n1", hist).replace("</node_state>", `${attrs}</node_state>`);
    const t = schedule(cib({ nodes: ["n1", "n2"], resources: rsc, status: n1 + onlineState("2", "n2") }), NOW);
    expect(t.placement.a).toEqual([{ node: "n1", role: "Started" }]);
    expect(t.summary).toEqual([]);
  });

  it("anti-colocates each member of a sequential resource set with every member before it", () => {
    const t = schedule(cib({
      nodes: ["n1", "n2", "n3"], resources: dummy("a") + dummy("b") + dummy("c"),
      constraints: `<rsc_colocation id="only-one" score="-INFINITY"><resource_set id="s" sequential="true">
        <resource_ref id="a"/><resource_ref id="b"/><resource_ref id="c"/></resource_set></rsc_colocation>`,
      status: onlineState("1", "n1", started("a")) + onlineState("2", "n2", started("b")) + onlineState("3", "n3", started("c")),
    }), NOW);
    expect(t.summary).toEqual([]);
    // Two nodes only: c may not share a node with a (nor b), so it has nowhere to go.
    const two = schedule(cib({
      nodes: ["n1", "n2"], resources: dummy("a") + dummy("b") + dummy("c"),
      constraints: `<rsc_colocation id="only-one" score="-INFINITY"><resource_set id="s">
        <resource_ref id="a"/><resource_ref id="b"/><resource_ref id="c"/></resource_set></rsc_colocation>`,
      status: onlineState("1", "n1", started("a")) + onlineState("2", "n2", started("b")),
    }), NOW);
    expect(two.placement.c).toEqual([]);
  });

  it("locks a resource to its cleanly shutting-down node when shutdown-lock is set", () => {
    const n1 = onlineState("1", "n1", started("a")).replace("</node_state>",
      `<transient_attributes id="1"><instance_attributes id="s1"><nvpair id="s1-sd" name="shutdown" value="1704067100"/></instance_attributes></transient_attributes></node_state>`);
    const t = schedule(cib({
      options: { "shutdown-lock": "true" }, nodes: ["n1", "n2"], resources: dummy("a"),
      status: n1 + onlineState("2", "n2"),
    }), NOW);
    expect(t.placement.a).toEqual([]);
    expect(t.summary).toEqual([{ action: "stop", resource: "a", from: "n1", to: null }]);
  });

  it("keeps a resource locked to a down node until shutdown-lock-limit passes", () => {
    const down = (lock: number): string => `<node_state id="1" uname="n1" in_ccm="false" crmd="offline" join="down" expected="down">
      <lrm id="1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy" shutdown-lock="${lock}">
      ${op("a", "stop", 0, 4)}</lrm_resource></lrm_resources></lrm></node_state>`;
    const nowS = NOW.now.getTime() / 1000;
    const run = (lock: number) => schedule(cib({
      options: { "shutdown-lock": "true", "shutdown-lock-limit": "5m" }, nodes: ["n1", "n2"], resources: dummy("a"),
      status: down(lock) + onlineState("2", "n2"),
    }), NOW);
    expect(run(nowS - 60).placement.a).toEqual([]);
    expect(run(nowS - 600).placement.a).toEqual([{ node: "n2", role: "Started" }]);
  });
});
