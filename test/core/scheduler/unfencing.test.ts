import { describe, expect, it } from "vitest";
import { schedule } from "../../../core/scheduler/mod.ts";
import { cib, dummy, onlineState } from "./_fixtures.ts";

const NOW = { now: new Date("2024-01-01T00:00:00Z") };
const DEVICE = `<primitive id="scsi" class="stonith" type="fence_scsi">
  <meta_attributes id="scsi-m"><nvpair id="scsi-p" name="provides" value="unfencing"/></meta_attributes></primitive>`;

function unfencedState(id: string, uname: string): string {
  return onlineState(id, uname).replace("</node_state>", `<transient_attributes id="${id}"><instance_attributes id="${id}-a">
    <nvpair id="${id}-u" name="#node-unfenced" value="1704067000"/></instance_attributes></transient_attributes></node_state>`);
}

describe("unfencing (conformance fixes)", () => {
  it("unfences each node not yet unfenced before probing or starting there, and starts after it", () => {
    const t = schedule(cib({
      options: { "stonith-enabled": "true" }, nodes: ["n1", "n2"], resources: DEVICE + dummy("a"),
      constraints: `<rsc_location id="l" rsc="a" node="n2" score="100"/>`,
      status: unfencedState("1", "n1") + onlineState("2", "n2"),
    }), NOW);
    const fences = t.summary.filter((e) => e.action === "fence");
    expect(fences).toEqual([{ action: "fence", node: "n2", op: "on" }]);
    const fence = t.actions.find((a) => a.kind === "fence")!;
    expect(fence).toMatchObject({ node: "n2", fenceOp: "on" });
    const start = t.actions.find((a) => a.kind === "start" && a.resource === "a")!;
    expect(start.node).toBe("n2");
    expect(start.inputs).toContain(fence.id);
    expect(t.nodes.n2?.state).toBe("online");
  });

  it("does not unfence without a device that provides unfencing", () => {
    const t = schedule(cib({
      options: { "stonith-enabled": "true" }, nodes: ["n1", "n2"],
      resources: `<primitive id="f" class="stonith" type="fence_dummy"/>` + dummy("a"),
      status: onlineState("1", "n1") + onlineState("2", "n2"),
    }), NOW);
    expect(t.summary.some((e) => e.action === "fence")).toBe(false);
  });
});
