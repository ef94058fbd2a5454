import { describe, expect, it } from "vitest";
import { schedule } from "../../../core/scheduler/mod.ts";
import { cib, lrmRsc, onlineState, op } from "./_fixtures.ts";

const NOW = { now: new Date("2024-01-01T00:00:00Z") };

function stateful(id: string, cloneMeta: Record<string, string> = {}, childXml?: string): string {
  const m = Object.entries({ promotable: "true", "promoted-max": "1", ...cloneMeta })
    .map(([k, v]) => `<nvpair id="${id}-${k}" name="${k}" value="${v}"/>`).join("");
  const child = childXml ?? `<primitive id="${id}-rsc" class="ocf" provider="pacemaker" type="Stateful"/>`;
  return `<clone id="${id}"><meta_attributes id="${id}-m">${m}</meta_attributes>${child}</clone>`;
}

function attrs(node: string, pairs: Record<string, string>): string {
  const nv = Object.entries(pairs).map(([k, v]) => `<nvpair id="${node}-${k}" name="${k}" value="${v}"/>`).join("");
  return `<transient_attributes id="${node}"><instance_attributes id="${node}-a">${nv}</instance_attributes></transient_attributes>`;
}

function state(id: string, uname: string, lrm: string, nodeAttrs = ""): string {
  return onlineState(id, uname, lrm).replace("</node_state>", `${nodeAttrs}</node_state>`);
}

describe("promotable clone roles (conformance fixes)", () => {
  it("counts an unmanaged promoted instance (failed demote, blocked) against promoted-max", () => {
    const failedDemote = lrmRsc("s-rsc:0", op("s-rsc:0", "monitor", 8, 2) + `<lrm_rsc_op id="s-rsc:0_demote_0" operation="demote" interval="0" rc-code="1" op-status="0" call-id="4" transition-key="1:1:0:abc"/>`, "ocf", "Stateful");
    const unpromoted = lrmRsc("s-rsc:1", op("s-rsc:1", "start", 0, 3), "ocf", "Stateful");
    const rsc = stateful("s").replace("/></clone>", `><operations><op id="dm" name="demote" interval="0" on-fail="block"/></operations></primitive></clone>`);
    const t = schedule(cib({
      nodes: ["n1", "n2"], resources: rsc,
      status: state("1", "n1", failedDemote, attrs("n1", { "master-s-rsc:0": "10" }))
        + state("2", "n2", unpromoted, attrs("n2", { "master-s-rsc:1": "5" })),
    }), NOW);
    expect(t.placement["s-rsc"]).toEqual([{ node: "n1", role: "Promoted" }, { node: "n2", role: "Unpromoted" }]);
    expect(t.summary.some((e) => e.action === "promote")).toBe(false);
  });

  it("does not promote an instance where an Unpromoted-role colocation puts it with its primary", () => {
    const t = schedule(cib({
      nodes: ["n1", "n2"],
      resources: `<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"/>` + stateful("s"),
      constraints: `<rsc_location id="l" rsc="a" node="n2" score="5000"/>
        <rsc_colocation id="c" rsc="s" rsc-role="Unpromoted" with-rsc="a" score="INFINITY"/>`,
      status: state("1", "n1", "", attrs("n1", { "master-s-rsc": "5" })) + state("2", "n2", "", attrs("n2", { "master-s-rsc": "10" })),
    }), NOW);
    expect(t.placement.a).toEqual([{ node: "n2", role: "Started" }]);
    expect(t.placement["s-rsc"]).toEqual([{ node: "n1", role: "Promoted" }, { node: "n2", role: "Unpromoted" }]);
  });

  it("does not promote a cloned group when one of its members cannot run", () => {
    // g2:0 reached its migration-threshold on both nodes, so it cannot run; g1:0 stays unpromoted.
    const group = `<group id="g"><primitive id="g1" class="ocf" provider="pacemaker" type="Stateful"/>`
      + `<primitive id="g2" class="ocf" provider="pacemaker" type="Stateful"><meta_attributes id="g2-m">`
      + `<nvpair id="g2-mt" name="migration-threshold" value="1"/></meta_attributes></primitive></group>`;
    const failed = { "fail-count-g2:0": "1" };
    const t = schedule(cib({
      nodes: ["n1", "n2"], resources: stateful("s", { "clone-max": "1", "globally-unique": "true" }, group),
      status: state("1", "n1", lrmRsc("g1:0", op("g1:0", "start", 0, 3), "ocf", "Stateful"),
        attrs("n1", { "master-g1:0": "10", "master-g2:0": "10", ...failed })) + state("2", "n2", "", attrs("n2", failed)),
    }), NOW);
    expect(t.placement.g1).toEqual([{ node: "n1", role: "Unpromoted" }]);
    expect(t.placement.g2 ?? []).toEqual([]);
  });

  it("adds the clone's own location score to the promotion score of instances that have one", () => {
    const run = (withAttrs: boolean) => schedule(cib({
      nodes: ["n1", "n2"], resources: stateful("s", { "clone-max": "2" }),
      constraints: `<rsc_location id="prefer" rsc="s" node="n2" score="500"/>`,
      status: state("1", "n1", "", withAttrs ? attrs("n1", { "master-s-rsc": "200" }) : "")
        + state("2", "n2", "", withAttrs ? attrs("n2", { "master-s-rsc": "100" }) : ""),
    }), NOW);
    expect(run(true).placement["s-rsc"]).toEqual([{ node: "n1", role: "Unpromoted" }, { node: "n2", role: "Promoted" }]);
    // Without a promotion score no location makes an instance promotable.
    expect(run(false).placement["s-rsc"]).toEqual([{ node: "n1", role: "Unpromoted" }, { node: "n2", role: "Unpromoted" }]);
  });
});
