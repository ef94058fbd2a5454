import { describe, expect, it } from "vitest";
import { clearFailures } from "../../../core/controller/_dispatch.ts";
import { clearExpiredFailures, expiredFailures } from "../../../core/controller/expired_failures.ts";
import { nodeAttribute, recordFailure } from "../../../core/controller/mod.ts";
import { parseCib, serializeCib } from "../../../core/cib/mod.ts";
import type { Cib } from "../../../core/cib/model.ts";
import { dummyCib } from "./_fixtures.ts";

const T0 = 1_700_000_000_000;

function failed(cib: Cib, rsc: string, atMs: number, interval = 10_000): Cib {
  return recordFailure(cib, "node1", rsc, "monitor", interval, { now: atMs });
}

function withMeta(id: string, meta: string): string {
  return `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="${id}-m">${meta}</meta_attributes></primitive>`;
}

describe("expired failures (clear_failcount)", () => {
  it("finds a resource whose failures are all older than its failure-timeout, and only then", () => {
    const base = dummyCib([], { extraConfig: withMeta("d1", `<nvpair id="d1-ft" name="failure-timeout" value="60s"/>`) });
    const c = failed(failed(base, "d1", T0), "d1", T0 + 30_000, 0);
    expect(expiredFailures(c, T0 + 89_000)).toEqual([]); // the second failure is 59 s old
    expect(expiredFailures(c, T0 + 90_000)).toEqual([{ node: "node1", resource: "d1" }]);
  });

  it("leaves resources without failure-timeout alone, and uses rsc_defaults", () => {
    const plain = failed(dummyCib(["d2"]), "d2", T0);
    expect(expiredFailures(plain, T0 + 86_400_000)).toEqual([]);
    const defaults = `<constraints/><rsc_defaults><meta_attributes id="rd"><nvpair id="rd-ft" name="failure-timeout" value="10s"/></meta_attributes></rsc_defaults>`;
    const c = failed(parseCib(serializeCib(dummyCib(["d2"])).replace("<constraints/>", defaults)), "d2", T0);
    expect(expiredFailures(c, T0 + 9_000)).toEqual([]);
    expect(expiredFailures(c, T0 + 10_000)).toEqual([{ node: "node1", resource: "d2" }]);
  });

  it("ages a remote connection's failures by its reconnect_interval", () => {
    const remote = `<primitive id="rem1" class="ocf" provider="pacemaker" type="remote"><instance_attributes id="rem1-ia">
      <nvpair id="rem1-s" name="server" value="127.0.0.9"/><nvpair id="rem1-ri" name="reconnect_interval" value="5s"/></instance_attributes></primitive>`;
    const c = failed(dummyCib([], { extraConfig: remote }), "rem1", T0, 30_000);
    expect(expiredFailures(c, T0 + 4_000)).toEqual([]);
    expect(expiredFailures(c, T0 + 5_000)).toEqual([{ node: "node1", resource: "rem1" }]);
  });

  it("clears them through the write function, and the attributes are gone", async () => {
    const base = dummyCib([], { extraConfig: withMeta("d1", `<nvpair id="d1-ft" name="failure-timeout" value="1s"/>`) });
    let cib = failed(base, "d1", T0);
    expect(nodeAttribute(cib, "node1", "fail-count-d1#monitor_10000")).toBe("1");
    const n = await clearExpiredFailures(cib, T0 + 2_000, async (edit) => void (cib = edit(cib)));
    expect(n).toBe(1);
    expect(nodeAttribute(cib, "node1", "fail-count-d1#monitor_10000")).toBeUndefined();
    expect(nodeAttribute(cib, "node1", "last-failure-d1#monitor_10000")).toBeUndefined();
    expect(await clearExpiredFailures(cib, T0 + 3_000, async () => { throw new Error("no write expected"); })).toBe(0);
    expect(clearFailures(cib, "node1", "d1")).toEqual(cib);
  });
});
