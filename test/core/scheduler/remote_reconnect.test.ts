// A remote connection's reconnect_interval ages its failures: a connection stopped after a
// failure is started again once the interval has passed (Pacemaker 2.1.5 clears the fail count
// and reconnects), and not before.
import { describe, expect, it } from "vitest";
import { parseCib } from "../../../core/cib/codec.ts";
import { schedule } from "../../../core/scheduler/mod.ts";

const FAIL = 1_700_000_000;

/** remote1 (reconnect_interval 5s) stopped after a failed start at FAIL; bd1 prefers remote1. */
function cib(reconnect: string): ReturnType<typeof parseCib> {
  return parseCib(`<cib crm_feature_set="3.16.2" validate-with="pacemaker-3.9" epoch="10" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="1" >
  <configuration>
    <crm_config><cluster_property_set id="cib-bootstrap-options">
      <nvpair id="o1" name="stonith-enabled" value="false"/>
      <nvpair id="o2" name="no-quorum-policy" value="ignore"/>
    </cluster_property_set></crm_config>
    <nodes><node id="1" uname="node1"/></nodes>
    <resources>
      <primitive id="remote1" class="ocf" provider="pacemaker" type="remote">
        <instance_attributes id="remote1-ia"><nvpair id="remote1-s" name="server" value="10.0.0.1"/>RECONNECT</instance_attributes>
        <operations><op id="remote1-mon" name="monitor" interval="30s" timeout="30s"/></operations>
      </primitive>
      <primitive id="bd1" class="ocf" provider="pacemaker" type="Dummy"/>
    </resources>
    <constraints><rsc_location id="l1" rsc="bd1" node="remote1" score="100"/></constraints>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member">
      <transient_attributes id="1"><instance_attributes id="status-1">
        <nvpair id="s1" name="fail-count-remote1#start_0" value="INFINITY"/>
        <nvpair id="s2" name="last-failure-remote1#start_0" value="FAIL"/>
      </instance_attributes></transient_attributes>
      <lrm id="1"><lrm_resources>
        <lrm_resource id="remote1" class="ocf" provider="pacemaker" type="remote">
          <lrm_rsc_op id="remote1_last_0" operation_key="remote1_stop_0" operation="stop" crm_feature_set="3.16.2" transition-key="1:1:0:aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa" transition-magic="0:0;1:1:0:aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa" call-id="6" rc-code="0" op-status="0" interval="0" last-rc-change="EARLIER" exec-time="10" queue-time="0"/>
          <lrm_rsc_op id="remote1_last_failure_0" operation_key="remote1_start_0" operation="start" crm_feature_set="3.16.2" transition-key="2:1:0:aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa" transition-magic="0:1;2:1:0:aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa" call-id="5" rc-code="1" op-status="4" interval="0" last-rc-change="FAIL" exec-time="10" queue-time="0"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
    <node_state id="remote1" uname="remote1" remote_node="true" in_ccm="false" crm-debug-origin="x">
      <lrm id="remote1"><lrm_resources>
        <lrm_resource id="bd1" class="ocf" provider="pacemaker" type="Dummy">
          <lrm_rsc_op id="bd1_last_0" operation_key="bd1_start_0" operation="start" crm_feature_set="3.16.2" transition-key="3:1:0:aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa" transition-magic="0:0;3:1:0:aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa" call-id="3" rc-code="0" op-status="0" interval="0" last-rc-change="EARLIER" exec-time="10" queue-time="0"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
  </status>
</cib>`.replaceAll("FAIL", String(FAIL)).replaceAll("EARLIER", String(FAIL - 1000)).replace("RECONNECT", reconnect));
}

const at = (s: number) => ({ now: new Date((FAIL + s) * 1000) });
const ri = '<nvpair id="remote1-ri" name="reconnect_interval" value="5s"/>';

describe("reconnect_interval of a remote connection", () => {
  it("keeps a failed connection stopped until the interval has passed", () => {
    const t = schedule(cib(ri), at(2));
    expect(t.actions.some((a) => a.resource === "remote1" && a.kind === "start")).toBe(false);
    expect(t.placement.remote1 ?? []).toEqual([]);
  });

  it("starts it again, and what prefers its node, once the interval has passed", () => {
    const t = schedule(cib(ri), at(7));
    expect(t.placement.remote1).toEqual([{ node: "node1", role: "Started" }]);
    expect(t.placement.bd1).toEqual([{ node: "remote1", role: "Started" }]);
    expect(t.actions.find((a) => a.key === "remote1_start_0")?.runnable).toBe(true);
  });

  it("does not age failures of a connection without reconnect_interval (a fatal start failure stays)", () => {
    const t = schedule(cib(""), at(3600));
    expect(t.actions.some((a) => a.resource === "remote1" && a.kind === "start")).toBe(false);
  });
});
