// Remote and guest nodes in the scheduler: exclusive discovery, container fillers, guest
// fencing by container recovery, and connection resources (Pacemaker 2.1.5 behaviour).
import { describe, expect, it } from "vitest";
import { parseCib } from "../../../core/cib/codec.ts";
import type { Cib } from "../../../core/cib/model.ts";
import { schedule } from "../../../core/scheduler/mod.ts";
import { dummy, lrmRsc, onlineState, op } from "./_fixtures.ts";

const NOW = { now: new Date("2024-01-01T00:00:00Z") };

function build(parts: { options?: Record<string, string>; nodes: string; resources: string; constraints?: string; status: string }): Cib {
  const opts = { "stonith-enabled": "false", ...(parts.options ?? {}) };
  const nv = Object.entries(opts).map(([k, v]) => `<nvpair id="o-${k}" name="${k}" value="${v}"/>`).join("");
  return parseCib(`<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1">
  <configuration><crm_config><cluster_property_set id="opts">${nv}</cluster_property_set></crm_config>
  <nodes>${parts.nodes}</nodes><resources>${parts.resources}</resources><constraints>${parts.constraints ?? ""}</constraints></configuration>
  <status>${parts.status}</status></cib>`);
}

const remoteConn = (id: string): string => `<primitive id="${id}" class="ocf" provider="pacemaker" type="remote"/>`;
const started = (id: string, call = 2): string => lrmRsc(id, op(id, "start", 0, call));

describe("exclusive resource discovery", () => {
  const nodes = `<node id="1" uname="n1"><instance_attributes id="n1-a"><nvpair id="n1-r" name="role" value="db"/></instance_attributes></node><node id="2" uname="n2"/>`;
  const rule = `<rsc_location id="l" rsc="a" resource-discovery="exclusive"><rule id="l-r" score="0"><expression id="l-e" attribute="role" operation="eq" value="db"/></rule></rsc_location>`;

  it("keeps the resource off every node no exclusive location selected, remote nodes included", () => {
    const t = schedule(build({
      nodes, resources: remoteConn("r1") + dummy("a"), constraints: rule,
      status: onlineState("1", "n1", started("r1")) + onlineState("2", "n2", started("a")),
    }), NOW);
    expect(t.placement.a).toEqual([{ node: "n1", role: "Started" }]);
    expect(t.summary).toContainEqual({ action: "move", resource: "a", from: "n2", to: "n1" });
    expect(t.scores.a?.r1).toBe(-1_000_000);
    expect(t.scores.a?.n2).toBe(-1_000_000);
  });

  it("bans the resource everywhere when the exclusive rule matches no node", () => {
    const none = rule.replace('value="db"', 'value="web"');
    const t = schedule(build({ nodes, resources: dummy("a"), constraints: none, status: onlineState("1", "n1") + onlineState("2", "n2") }), NOW);
    expect(t.placement.a ?? []).toEqual([]);
    expect(t.summary).toEqual([]);
  });
});

describe("resources tied to a container (meta container)", () => {
  const nodes = `<node id="1" uname="n1"/><node id="2" uname="n2"/>`;
  const resources = dummy("c") + dummy("f1", { container: "c" }) + dummy("f2", { container: "c" });

  it("treats a failed filler stop as done and restarts the container on its node", () => {
    const hist = started("c", 1) + lrmRsc("f1", op("f1", "start", 0, 2) + op("f1", "stop", 1, 4)) + started("f2", 3);
    const t = schedule(build({ nodes, resources, status: onlineState("1", "n1", hist) + onlineState("2", "n2") }), NOW);
    expect(t.summary).toEqual(expect.arrayContaining([
      { action: "restart", resource: "c", from: "n1", to: "n1" },
      { action: "start", resource: "f1", from: null, to: "n1" },
      { action: "restart", resource: "f2", from: "n1", to: "n1" },
    ]));
    expect(t.summary).toHaveLength(3);
    expect(t.placement.f1).toEqual([{ node: "n1", role: "Started" }]);
  });

  it("honours a configured on-fail for a filler's stop (the filler stays blocked)", () => {
    const withOp = resources.replace(`<primitive id="f1" class="ocf" provider="heartbeat" type="Dummy">`,
      `<primitive id="f1" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="f1-stop" name="stop" interval="0" on-fail="block"/></operations>`);
    const hist = started("c", 1) + lrmRsc("f1", op("f1", "start", 0, 2) + op("f1", "stop", 1, 4)) + started("f2", 3);
    const t = schedule(build({ nodes, resources: withOp, status: onlineState("1", "n1", hist) + onlineState("2", "n2") }), NOW);
    expect(t.summary).not.toContainEqual({ action: "restart", resource: "c", from: "n1", to: "n1" });
    expect(t.summary).not.toContainEqual({ action: "start", resource: "f1", from: null, to: "n1" });
    expect(t.placement.f1).toEqual([{ node: "n1", role: "Started" }]);
  });
});

describe("guest nodes", () => {
  const nodes = `<node id="1" uname="n1"/><node id="2" uname="n2"/>`;
  const vm = `<primitive id="vm" class="ocf" provider="heartbeat" type="Dummy"><meta_attributes id="vm-m"><nvpair id="vm-rn" name="remote-node" value="g1"/></meta_attributes></primitive>`;
  const guestState = (lrm: string): string => `<node_state id="g1" uname="g1" remote_node="true"><lrm id="g1"><lrm_resources>${lrm}</lrm_resources></lrm></node_state>`;

  it("fences a guest whose resident failed with on-fail=fence by recovering its container", () => {
    const fs = `<primitive id="fs" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="fs-mon" name="monitor" interval="10s" on-fail="fence"/></operations>
      <meta_attributes id="fs-m"><nvpair id="fs-mt" name="migration-threshold" value="1"/></meta_attributes></primitive>`;
    const other = dummy("b");
    const t = schedule(build({
      options: { "stonith-enabled": "true" }, nodes, resources: vm + fs + other + `<primitive id="st" class="stonith" type="fence_dummy"/>`,
      constraints: `<rsc_location id="b-g1" rsc="b" node="g1" score="INFINITY"/><rsc_location id="vm-n1" rsc="vm" node="n1" score="100"/>`,
      status: onlineState("1", "n1", started("vm", 1) + started("g1", 2) + started("st", 3)) + onlineState("2", "n2")
        + guestState(lrmRsc("fs", op("fs", "start", 0, 4) + op("fs", "monitor", 7, 5, { interval: 10000 })) + started("b", 6)),
    }), NOW);
    expect(t.summary).toContainEqual({ action: "fence", node: "g1", op: "reboot" });
    expect(t.summary).toContainEqual({ action: "recover", resource: "vm", from: "n1", to: "n1" });
    expect(t.summary).toContainEqual({ action: "restart", resource: "b", from: "g1", to: "g1" });
    expect(t.nodesBefore.g1).toEqual({ type: "guest", state: "online" });
    expect(t.nodes.g1).toEqual({ type: "guest", state: "online" });
  });

  it("moves (not recovers) the container of an idle guest whose host is lost", () => {
    const t = schedule(build({
      options: { "stonith-enabled": "true" }, nodes, resources: vm + `<primitive id="st" class="stonith" type="fence_dummy"/>`,
      status: `<node_state id="1" uname="n1" in_ccm="false" crmd="offline" join="down" expected="member"><lrm id="1"><lrm_resources>${started("vm", 1)}${started("g1", 2)}</lrm_resources></lrm></node_state>`
        + onlineState("2", "n2", started("st", 3)) + guestState(""),
    }), NOW);
    expect(t.summary).toContainEqual({ action: "fence", node: "n1", op: "reboot" });
    expect(t.summary).toContainEqual({ action: "fence", node: "g1", op: "reboot" });
    expect(t.summary).toContainEqual({ action: "move", resource: "vm", from: "n1", to: "n2" });
  });
});

describe("remote connection resources", () => {
  it("counts a guest connection's failures against its container (migration threshold)", () => {
    // One cluster node: the ban must come from the container's own fail count (fillers
    // included), not from merging the connection's scores, which would be rolled back.
    const vm = `<primitive id="vm" class="ocf" provider="heartbeat" type="Dummy"><meta_attributes id="vm-m"><nvpair id="vm-rn" name="remote-node" value="g1"/></meta_attributes></primitive>`;
    const status = onlineState("1", "n1")
      .replace("</node_state>", `<transient_attributes id="t1"><instance_attributes id="t1-a"><nvpair id="t1-f" name="fail-count-g1" value="INFINITY"/></instance_attributes></transient_attributes></node_state>`);
    const t = schedule(build({ nodes: `<node id="1" uname="n1"/>`, resources: vm, status }), NOW);
    expect(t.scores.vm?.n1).toBe(-1_000_000);
    expect(t.placement.vm ?? []).toEqual([]);
    expect(t.summary).toEqual([]);
  });

  it("finishes a partial live migration of a connection on its target", () => {
    const nodes = `<node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/>`;
    const migrated = lrmRsc("r1", `<lrm_rsc_op id="r1_migrate_to_0" operation="migrate_to" interval="0" rc-code="0" op-status="0" call-id="3" transition-key="1:1:0:abc" migrate_source="n1" migrate_target="n3"/>`
      + op("r1", "start", 0, 2), "ocf", "remote");
    const t = schedule(build({
      nodes, resources: remoteConn("r1"),
      status: onlineState("1", "n1", migrated) + onlineState("2", "n2") + onlineState("3", "n3"),
    }), NOW);
    expect(t.placement.r1).toEqual([{ node: "n3", role: "Started" }]);
    expect(t.summary).toEqual([{ action: "migrate", resource: "r1", from: "n1", to: "n3" }]);
  });

  it("recovers a connection whose start failed elsewhere without fencing its remote node", () => {
    const nodes = `<node id="1" uname="n1"/><node id="2" uname="n2"/>`;
    const failedStart = lrmRsc("r1", op("r1", "start", 1, 2), "ocf", "remote");
    const t = schedule(build({
      options: { "stonith-enabled": "true" }, nodes, resources: `<primitive id="st" class="stonith" type="fence_dummy"/>` + remoteConn("r1"),
      status: onlineState("1", "n1", failedStart + started("st", 1)) + onlineState("2", "n2")
        + `<node_state id="r1" uname="r1" remote_node="true"/>`,
    }), NOW);
    expect(t.summary.filter((e) => e.action === "fence")).toEqual([]);
    expect(t.placement.r1).toHaveLength(1);
    expect(t.summary).toContainEqual({ action: "recover", resource: "r1", from: "n1", to: t.placement.r1![0]!.node });
  });

  it("fences a remote node whose failed connection cannot run anywhere (an exit code of 1 is a failure even if expected)", () => {
    const failedStart = lrmRsc("r1", op("r1", "start", 1, 2, { expected: 1 }), "ocf", "remote");
    const status = onlineState("1", "n1", failedStart + started("st", 1)).replace("</node_state>",
      `<transient_attributes id="t1"><instance_attributes id="t1-a"><nvpair id="t1-f" name="fail-count-r1" value="INFINITY"/></instance_attributes></transient_attributes></node_state>`);
    const t = schedule(build({
      options: { "stonith-enabled": "true" }, nodes: `<node id="1" uname="n1"/>`,
      resources: `<primitive id="st" class="stonith" type="fence_dummy"/>` + remoteConn("r1"), status,
    }), NOW);
    expect(t.summary).toContainEqual({ action: "fence", node: "r1", op: "reboot" });
    expect(t.summary).toContainEqual({ action: "stop", resource: "r1", from: "n1", to: null });
    expect(t.nodes.r1).toEqual({ type: "remote", state: "offline" });
  });
});

describe("resources on a node whose connection stops", () => {
  it("restarts the resources of a guest whose container moves", () => {
    const nodes = `<node id="1" uname="n1"/><node id="2" uname="n2"/>`;
    const vm = `<primitive id="vm" class="ocf" provider="heartbeat" type="Dummy"><meta_attributes id="vm-m"><nvpair id="vm-rn" name="remote-node" value="g1"/></meta_attributes></primitive>`;
    const t = schedule(build({
      nodes, resources: vm + dummy("a"),
      constraints: `<rsc_location id="a-g1" rsc="a" node="g1" score="INFINITY"/><rsc_location id="vm-away" rsc="vm" node="n1" score="-INFINITY"/>`,
      status: onlineState("1", "n1", started("vm", 1) + started("g1", 2)) + onlineState("2", "n2")
        + `<node_state id="g1" uname="g1" remote_node="true"><lrm id="g1"><lrm_resources>${started("a", 3)}</lrm_resources></lrm></node_state>`,
    }), NOW);
    expect(t.summary).toEqual(expect.arrayContaining([
      { action: "move", resource: "vm", from: "n1", to: "n2" },
      { action: "move", resource: "g1", from: "n1", to: "n2" },
      { action: "restart", resource: "a", from: "g1", to: "g1" },
    ]));
    expect(t.placement.a).toEqual([{ node: "g1", role: "Started" }]);
  });

  it("leaves the resources of a remote node alone while its connection migrates", () => {
    const nodes = `<node id="1" uname="n1"/><node id="2" uname="n2"/>`;
    const t = schedule(build({
      nodes, resources: remoteConn("r1") + dummy("a"),
      constraints: `<rsc_location id="a-r1" rsc="a" node="r1" score="INFINITY"/><rsc_location id="r1-away" rsc="r1" node="n1" score="-INFINITY"/>`,
      status: onlineState("1", "n1", lrmRsc("r1", op("r1", "start", 0, 1), "ocf", "remote")) + onlineState("2", "n2")
        + `<node_state id="r1" uname="r1" remote_node="true"><lrm id="r1"><lrm_resources>${started("a", 3)}</lrm_resources></lrm></node_state>`,
    }), NOW);
    expect(t.summary).toEqual([{ action: "migrate", resource: "r1", from: "n1", to: "n2" }]);
  });
});
