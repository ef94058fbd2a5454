import { describe, expect, it } from "vitest";
import {
  checkFenceAgent,
  checkLauncher,
  checkNotifier,
  checkResourceClass,
  type Finding,
  failures,
  formatFindings,
} from "../../../core/plugin/conformance.ts";
import { conformance } from "../../../core/plugin/mod.ts";
import * as broken from "../../fixtures/plugins/broken_plugin.js";
import * as good from "../../fixtures/plugins/fixture_plugin.js";

const spec = { resource: "vm1", node: "guest1", params: {}, authkey: new Uint8Array(32), timeoutMs: 1000 };

function failed(findings: readonly Finding[]): string[] {
  return failures(findings).map((f) => f.check);
}

describe("conformance kit", () => {
  it("is part of the public plugin API", () => {
    expect(conformance.checkResourceClass).toBe(checkResourceClass);
    expect(conformance.checkNotifier).toBe(checkNotifier);
  });

  it("passes a well-behaved resource class, launcher, fence agent and notifier", async () => {
    const all = [
      ...(await checkResourceClass(good.resourceClass, { agent: { class: "fixture", type: "memory" } })),
      ...(await checkLauncher(good.launcher, { spec })),
      ...(await checkFenceAgent(good.fenceAgent, { target: "node2" })),
      ...(await checkNotifier(good.notifier)),
    ];
    expect(failures(all), formatFindings(all)).toEqual([]);
    expect(all.length).toBeGreaterThan(30);
    expect(all.map((f) => f.check)).toContain("monitor while stopped");
  });

  it("reports a resource class that lies about being stopped and throws on an unknown action", async () => {
    const f = await checkResourceClass(broken.resourceClass, { agent: { class: "broken", type: "thing" } });
    expect(failed(f)).toEqual(["metadata", "monitor while stopped", "monitor after stop", "unknown action"]);
    expect(f.find((x) => x.check === "unknown action" && !x.ok)!.message).toContain("threw: no idea how to no-such-action");
    expect(f.find((x) => x.check === "metadata" && !x.ok)!.message).toContain("parameters is not an array");
  });

  it("reports a launcher with bad capabilities, a wrong handle, a bad address and a guest that never stops", async () => {
    const f = await checkLauncher(broken.launcher, { spec });
    expect(failed(f)).toEqual(["capabilities", "start handle", "address", "status after stop", "recover after stop"]);
  });

  it("reports a fence agent whose metadata throws, whose status never says off, and whose reboot hangs", async () => {
    const f = await checkFenceAgent(broken.fenceAgent, { target: "node1", timeoutMs: 50 });
    expect(failed(f)).toEqual(["metadata", "status after off", "reboot", "unknown action"]);
    expect(f.find((x) => x.check === "reboot")!.message).toContain("did not settle within 100ms");
  });

  it("checks a fence agent provider through one of the agents it serves", async () => {
    const provider = {
      name: "bridge",
      list: async () => ["fence_fixture"],
      get: async (n: string) => (n === "fence_fixture" ? good.fenceAgent : undefined),
    };
    const f = await checkFenceAgent(provider, { target: "node3" });
    expect(failures(f), formatFindings(f)).toEqual([]);
    expect(f.map((x) => x.check)).toContain("provider get");
  });

  it("reports a notifier whose filter throws or answers non-booleans and whose delivery fails", async () => {
    const f = await checkNotifier(broken.notifier);
    expect(failed(f)).toEqual(["accepts node event 1", "accepts fencing event 2", "notify resource event 3"]);
  });
});
