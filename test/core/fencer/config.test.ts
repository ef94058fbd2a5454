import { describe, expect, it } from "vitest";
import { parseCib } from "../../../core/cib/codec.ts";
import {
  agentFeatures,
  deviceDelayMs,
  deviceTimeoutMs,
  delayBaseFor,
  fenceDevice,
  hostCheckOf,
  NO_FEATURES,
  parseHostMap,
  parseTargetList,
  priorityFencingDelayMs,
  readFencerConfig,
  readTopology,
  staticTargets,
  topologyFor,
} from "../../../core/fencer/mod.ts";

const CIB = `<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.7">
  <configuration>
    <crm_config><cluster_property_set id="cib-bootstrap-options">
      <nvpair id="o1" name="stonith-timeout" value="90s"/>
      <nvpair id="o2" name="priority-fencing-delay" value="15s"/>
      <nvpair id="o3" name="stonith-action" value="poweroff"/>
    </cluster_property_set></crm_config>
    <nodes>
      <node id="1" uname="node1"><instance_attributes id="n1-a"><nvpair id="n1-r" name="rack" value="r1"/></instance_attributes></node>
      <node id="2" uname="node2"/>
    </nodes>
    <resources>
      <primitive id="ipmi1" class="stonith" type="fence_ipmilan">
        <instance_attributes id="ipmi1-ia">
          <nvpair id="ipmi1-h" name="pcmk_host_list" value="node1"/>
          <nvpair id="ipmi1-a" name="action" value="poweroff"/>
          <nvpair id="ipmi1-p" name="ip" value="10.0.0.1"/>
        </instance_attributes>
        <instance_attributes id="ipmi1-ia2">
          <rule id="ipmi1-r" score="0"><expression id="ipmi1-e" attribute="#uname" operation="eq" value="node2"/></rule>
          <nvpair id="ipmi1-ip2" name="ip" value="10.0.0.99"/>
        </instance_attributes>
        <meta_attributes id="ipmi1-m"><nvpair id="ipmi1-pr" name="priority" value="7"/></meta_attributes>
      </primitive>
      <primitive id="off1" class="stonith" type="fence_dummy">
        <meta_attributes id="off1-m"><nvpair id="off1-tr" name="target-role" value="Stopped"/></meta_attributes>
      </primitive>
      <primitive id="banned" class="stonith" type="fence_dummy"/>
      <group id="g"><meta_attributes id="g-m"><nvpair id="g-tr" name="target-role" value="stopped"/></meta_attributes>
        <primitive id="ingroup" class="stonith" type="fence_dummy"/>
      </group>
      <clone id="cl"><primitive id="cloned" class="stonith" type="fence_dummy">
        <meta_attributes id="c-m"><nvpair id="c-p" name="provides" value="unfencing"/></meta_attributes></primitive></clone>
      <primitive id="web" class="ocf" provider="heartbeat" type="apache">
        <meta_attributes id="web-m"><nvpair id="web-rq" name="requires" value="unfencing"/></meta_attributes>
      </primitive>
    </resources>
    <constraints>
      <rsc_location id="ban" rsc="banned" node="node1" score="-INFINITY"/>
      <rsc_location id="ban-rule" rsc-pattern="^ipmi" score="-INFINITY">
        <rule id="br" score="-INFINITY"><expression id="bre" attribute="#uname" operation="eq" value="node9"/></rule>
      </rsc_location>
    </constraints>
    <fencing-topology>
      <fencing-level id="l1" target="node1" index="2" devices="psu1,psu2"/>
      <fencing-level id="l2" target="node1" index="1" devices="ipmi1"/>
      <fencing-level id="l3" target="node1" index="2" devices="psu3"/>
      <fencing-level id="l4" target-pattern="^node[0-9]$" index="1" devices="cloned"/>
      <fencing-level id="l5" target-attribute="rack" target-value="r1" index="1" devices="rackpdu"/>
      <fencing-level id="l6" target="node2" index="10" devices="x"/>
      <fencing-level id="l7" index="1" devices="x"/>
    </fencing-topology>
  </configuration>
  <status/>
</cib>`;

describe("fence device parameters", () => {
  it("parses target lists as Pacemaker does", () => {
    expect(parseTargetList("node1, node2;node3\tnode4")).toEqual(["node1", "node2", "node3", "node4"]);
    expect(parseTargetList("n1 on\\nn2 OFF\nfailed: invalid option\nn3/x")).toEqual(["n1", "n2", "n3"]);
    expect(parseTargetList(undefined)).toEqual([]);
  });
  it("parses host maps with ':' or '=', spaces, semicolons and escapes", () => {
    const m = parseHostMap("node1:plug1;node2=plug2 node3:1,2\tnode4:a\\;b");
    expect([...m]).toEqual([["node1", "plug1"], ["node2", "plug2"], ["node3", "1,2"], ["node4", "a;b"]]);
    expect(parseHostMap("").size).toBe(0);
    expect(parseHostMap("garbage").size).toBe(0);
  });
  it("picks the per-node pcmk_delay_base and reads timeouts as whole seconds", () => {
    expect(delayBaseFor("node1:2s;node2:4s", "node2")).toBe("4s");
    expect(delayBaseFor("node1:2s", "node3")).toBeUndefined();
    expect(delayBaseFor("3s", "node3")).toBe("3s");
    expect(deviceTimeoutMs("90s")).toBe(90_000);
    expect(deviceTimeoutMs("60")).toBe(60_000);
    expect(deviceTimeoutMs("x")).toBeUndefined();
    const d = fenceDevice("f", "fence_x", { pcmk_delay_base: "1s", pcmk_delay_max: "3s" });
    expect(deviceDelayMs(d, "off", "n1", () => 0)).toBe(1000);
    expect(deviceDelayMs(d, "reboot", "n1", () => 0.5)).toBe(2000);
    expect(deviceDelayMs(d, "on", "n1", () => 0.5)).toBe(0);
    expect(deviceDelayMs(fenceDevice("g", "fence_x", { pcmk_delay_base: "5s", pcmk_delay_max: "2s" }), "off", "n", () => 0.9)).toBe(2000);
  });
  it("chooses the host check as Pacemaker's default rules say", () => {
    const withList = { ...NO_FEATURES, supportsList: true };
    expect(hostCheckOf(fenceDevice("a", "x", {}), withList)).toBe("dynamic-list");
    expect(hostCheckOf(fenceDevice("a", "x", {}), { ...NO_FEATURES, supportsStatus: true })).toBe("status");
    expect(hostCheckOf(fenceDevice("a", "x", {}), NO_FEATURES)).toBe("none");
    expect(hostCheckOf(fenceDevice("a", "x", { pcmk_host_map: "n:1" }), withList)).toBe("static-list");
    expect(hostCheckOf(fenceDevice("a", "x", { pcmk_host_list: "n", pcmk_host_check: "Status" }), withList)).toBe("status");
    expect(staticTargets(fenceDevice("a", "x", { pcmk_host_list: "n1", pcmk_host_map: "n2:p2" }))).toEqual(["n1", "p2"]);
    expect(agentFeatures({ agent: { class: "stonith", type: "x" }, parameters: [], actions: [{ name: "on", automatic: true }, { name: "off", onTarget: true }] }))
      .toMatchObject({ supportsOn: true, automaticUnfencing: true, onTargetActions: ["off"], supportsReboot: false });
  });
  it("computes priority-fencing-delay as the 2.1.5 scheduler does", () => {
    const nodes = [
      { name: "a", kind: "cluster", online: false, priority: 10 },
      { name: "b", kind: "cluster", online: true, priority: 1 },
    ] as const;
    expect(priorityFencingDelayMs(15_000, "a", nodes)).toBe(15_000);
    expect(priorityFencingDelayMs(15_000, "b", [{ ...nodes[0], online: true }, { ...nodes[1], online: false }])).toBe(0);
    expect(priorityFencingDelayMs(0, "a", nodes)).toBe(0);
    expect(priorityFencingDelayMs(15_000, "a", [nodes[0], { ...nodes[1], priority: 10 }])).toBe(0);
    expect(priorityFencingDelayMs(15_000, "a", [...nodes, { name: "c", kind: "cluster", online: true, priority: 0 }])).toBe(0);
  });
});

describe("readFencerConfig", () => {
  const cib = parseCib(CIB);
  it("registers enabled, allowed stonith primitives with their parameters and maps 'action'", () => {
    const cfg = readFencerConfig(cib, { localNode: "node1" });
    expect(cfg.devices.map((d) => d.id)).toEqual(["ipmi1", "cloned"]);
    const ipmi = cfg.devices[0]!;
    expect(ipmi).toMatchObject({ agent: "fence_ipmilan", priority: 7, hostList: ["node1"] });
    expect(ipmi.params).toEqual({ pcmk_host_list: "node1", ip: "10.0.0.1", pcmk_off_action: "poweroff", pcmk_reboot_action: "poweroff" });
    expect(cfg.devices[1]!.provides).toBe("unfencing");
    expect(cfg.skipped.map((s) => s.id)).toEqual(["off1", "banned", "ingroup"]);
    expect(cfg.skipped[1]!.reason).toMatch(/banned \(score -INFINITY\)/);
    expect(cfg).toMatchObject({ stonithTimeoutMs: 90_000, priorityFencingDelayMs: 15_000, stonithAction: "off", stonithEnabled: true, requireUnfencing: ["web"] });
    expect(cfg.nodeAttributes.get("node1")?.get("rack")).toBe("r1");
  });
  it("evaluates instance attribute rules and constraints for the local node", () => {
    const cfg = readFencerConfig(cib, { localNode: "node2" });
    expect(cfg.devices.map((d) => d.id)).toEqual(["ipmi1", "banned", "cloned"]);
    expect(cfg.devices[0]!.params["ip"]).toBe("10.0.0.99"); // its rule passes on node2; unscored blocks apply later first
    expect(readFencerConfig(cib, { localNode: "node9" }).devices.map((d) => d.id)).toEqual(["banned", "cloned"]);
  });
  it("reads the topology: index order, same index adds devices, bad levels ignored", () => {
    const t = readTopology(cib);
    expect(t.issues.map((i) => i.id)).toEqual(["l6", "l7"]);
    const n1 = topologyFor(t, "node1")!;
    expect(n1.levels.map((l) => [l.index, l.devices])).toEqual([[1, ["ipmi1"]], [2, ["psu1", "psu2", "psu3"]]]);
    expect(topologyFor(t, "node2")!.kind).toBe("pattern");
    expect(topologyFor(t, "rackhost", new Map([["rack", "r1"]]))!.levels[0]!.devices).toEqual(["rackpdu"]);
    expect(topologyFor(t, "other")).toBeUndefined();
  });
  it("without a local node skips only disabled devices; asymmetric clusters need a location", () => {
    expect(readFencerConfig(cib).devices.map((d) => d.id)).toEqual(["ipmi1", "banned", "cloned"]);
    const asym = parseCib(CIB.replace(`<nvpair id="o3"`, `<nvpair id="o4" name="symmetric-cluster" value="false"/><nvpair id="o3"`)
      .replace(`<rsc_location id="ban"`, `<rsc_location id="allow" rsc="cloned" node="node1" score="0"/><rsc_location id="ban"`));
    const cfg = readFencerConfig(asym, { localNode: "node1" });
    expect(cfg.devices.map((d) => d.id)).toEqual(["cloned"]);
    expect(cfg.skipped.find((s) => s.id === "ipmi1")?.reason).toMatch(/not an allowed node/);
  });
});
