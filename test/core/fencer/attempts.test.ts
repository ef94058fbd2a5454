import { describe, expect, it } from "vitest";
import { parseCib } from "../../../core/cib/codec.ts";
import {
  DEFAULT_STONITH_MAX_ATTEMPTS,
  emptyFencerConfig,
  failureAttributes,
  failureBan,
  FenceFailureCounts,
  fenceDevice,
  Fencer,
  fencingLimitLines,
  fencingLimits,
  parseStonithMaxAttempts,
  readFencerConfig,
  readStonithMaxAttempts,
} from "../../../core/fencer/mod.ts";
import { type Call, FAIL, fakeAgent, fakeClock, source } from "./_fake.ts";

describe("stonith-max-attempts values (Pacemaker 2.1.5: pcmk__valid_positive_number, char2score)", () => {
  it("reads positive integers and INFINITY, capped at 1000000", () => {
    expect(DEFAULT_STONITH_MAX_ATTEMPTS).toBe(10);
    expect(parseStonithMaxAttempts(undefined)).toBe(10);
    expect(parseStonithMaxAttempts("3")).toBe(3);
    expect(parseStonithMaxAttempts("+7")).toBe(7);
    expect(parseStonithMaxAttempts("  12")).toBe(12);
    expect(parseStonithMaxAttempts("INFINITY")).toBe(1_000_000);
    expect(parseStonithMaxAttempts("+INFINITY")).toBe(1_000_000);
    expect(parseStonithMaxAttempts("5000000")).toBe(1_000_000);
  });

  it("falls back to 10 with a warning naming a bad value; trailing characters only warn", () => {
    for (const bad of ["0", "-1", "abc", "", "infinity", "-INFINITY", "99999999999999999999", "e3"]) {
      const warnings: string[] = [];
      expect(parseStonithMaxAttempts(bad, (m) => warnings.push(m))).toBe(10);
      expect(warnings).toEqual([
        `Using the default value 10 for cluster option "stonith-max-attempts" because ${JSON.stringify(bad)} is invalid: expected a positive integer or INFINITY`,
      ]);
    }
    const warnings: string[] = [];
    expect(parseStonithMaxAttempts("5 tries", (m) => warnings.push(m))).toBe(5);
    expect(warnings).toEqual([`Ignoring the characters left over after parsing cluster option "stonith-max-attempts" "5 tries": " tries"`]);
  });

  it("is read from crm_config", () => {
    const cib = parseCib(`<cib admin_epoch="0" epoch="1" num_updates="0"><configuration><crm_config>
      <cluster_property_set id="cib-bootstrap-options"><nvpair id="o1" name="stonith-max-attempts" value="2"/></cluster_property_set>
      </crm_config><nodes/><resources/><constraints/></configuration><status/></cib>`);
    expect(readStonithMaxAttempts(cib)).toBe(2);
    expect(readStonithMaxAttempts(parseCib(`<cib admin_epoch="0" epoch="1" num_updates="0"><configuration><crm_config/><nodes/><resources/><constraints/></configuration><status/></cib>`))).toBe(10);
  });
});

describe("FenceFailureCounts", () => {
  it("counts per target, resets one or all, and reports the targets at the limit", () => {
    const c = new FenceFailureCounts();
    expect(c.increment("node2")).toBe(1);
    expect(c.increment("node2")).toBe(2);
    expect(c.increment("node3")).toBe(1);
    expect(c.count("Node2")).toBe(0); // exact names, as Pacemaker's table
    expect(c.reached("node2", 2)).toBe(true);
    expect(c.reached("node3", 2)).toBe(false);
    const limits = fencingLimits(c, 2);
    expect(limits.map((l) => [l.target, l.failures, l.limit_reached])).toEqual([["node2", 2, true], ["node3", 1, false]]);
    expect(limits[0]!.hint).toMatch(/not retried until the next cluster-recheck-interval or CIB change.*atrium resource cleanup DEVICE.*atrium fence node2/);
    expect(limits[1]!.hint).toBeUndefined();
    const lines = fencingLimitLines(limits);
    expect(lines.slice(0, 3)).toEqual(["", "Fencing Limits:", "  * node2: fencing failed 2 times (stonith-max-attempts=2), giving up for now"]);
    expect(lines).toHaveLength(4);
    c.reset("node2");
    expect(c.count("node2")).toBe(0);
    expect(fencingLimitLines(fencingLimits(c, 2))).toEqual([]);
    c.reset();
    expect(c.entries()).toEqual([]);
  });
});

function cibWith(status: string, meta = ""): string {
  return `<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.7"><configuration>
  <crm_config/><nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
  <resources>
    <primitive id="f1" class="stonith" type="fence_fake">${meta}</primitive>
    <primitive id="f2" class="stonith" type="fence_fake"/>
  </resources><constraints/></configuration>
  <status><node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member">
    <transient_attributes id="1"><instance_attributes id="status-1">${status}</instance_attributes></transient_attributes>
  </node_state></status></cib>`;
}

describe("fence devices banned by their failures (the fencer's scheduler run: migration-threshold)", () => {
  const fatal = `<nvpair id="s1" name="fail-count-f1#start_0" value="INFINITY"/><nvpair id="s2" name="last-failure-f1#start_0" value="1700000000"/>`;
  const monitorFail = `<nvpair id="s1" name="fail-count-f1#monitor_60000" value="1"/><nvpair id="s2" name="last-failure-f1#monitor_60000" value="1700000000"/>`;

  it("leaves out a device whose failed start made its fail count INFINITY on the local node", () => {
    const cib = parseCib(cibWith(fatal));
    const cfg = readFencerConfig(cib, { localNode: "node1" });
    expect(cfg.devices.map((d) => d.id)).toEqual(["f2"]);
    expect(cfg.skipped).toEqual([{ id: "f1", reason: "its fail count 1000000 reached migration-threshold 1000000 on node1" }]);
    // Another node's fencer still uses it: failures are per node.
    expect(readFencerConfig(cib, { localNode: "node2" }).devices.map((d) => d.id)).toEqual(["f1", "f2"]);
    expect(failureAttributes(cib, "node1").get("fail-count-f1#start_0")).toBe("INFINITY");
  });

  it("keeps a device with a failed monitor below its migration-threshold; bans it at the threshold", () => {
    expect(readFencerConfig(parseCib(cibWith(monitorFail)), { localNode: "node1" }).devices.map((d) => d.id)).toEqual(["f1", "f2"]);
    const m1 = `<meta_attributes id="f1-m"><nvpair id="f1-mt" name="migration-threshold" value="1"/></meta_attributes>`;
    expect(readFencerConfig(parseCib(cibWith(monitorFail, m1)), { localNode: "node1" }).devices.map((d) => d.id)).toEqual(["f2"]);
    const off = `<meta_attributes id="f1-m"><nvpair id="f1-mt" name="migration-threshold" value="0"/></meta_attributes>`;
    expect(readFencerConfig(parseCib(cibWith(fatal, off)), { localNode: "node1" }).devices.map((d) => d.id)).toEqual(["f1", "f2"]);
  });

  it("ignores fail counts past failure-timeout, and sums clone instances and operations", () => {
    const meta = new Map([["failure-timeout", "60s"]]);
    const attrs = new Map([["fail-count-f1#start_0", "INFINITY"], ["last-failure-f1#start_0", "1700000000"]]);
    expect(failureBan("f1", attrs, meta, new Date(1_700_000_030_000))).toMatch(/reached/);
    expect(failureBan("f1", attrs, meta, new Date(1_700_000_060_000))).toBeUndefined();
    const sum = new Map([["fail-count-f1:0#monitor_10000", "2"], ["fail-count-f1#start_0", "1"], ["fail-count-f10#start_0", "9"]]);
    expect(failureBan("f1", sum, new Map([["migration-threshold", "3"]]), new Date())).toBe("its fail count 3 reached migration-threshold 3");
    expect(failureBan("f1", sum, new Map([["migration-threshold", "4"]]), new Date())).toBeUndefined();
  });
});

describe("Fencer.monitor and no-device outcomes", () => {
  it("runs the agent's monitor with the device's parameters and pcmk_monitor_timeout", async () => {
    const calls: Call[] = [];
    const f = new Fencer({ agents: source(fakeAgent("fence_fake", calls, { behave: { monitor: FAIL } })), localNode: "node1", clock: fakeClock() });
    const d = fenceDevice("f1", "fence_fake", { ip: "10.0.0.1", pcmk_monitor_timeout: "7", pcmk_monitor_retries: "1" });
    const r = await f.monitor(d, 20_000);
    expect(r).toMatchObject({ rc: 1, status: "done" });
    expect(calls.map((c) => [c.action, c.target, c.params["ip"], c.timeoutMs])).toEqual([["monitor", undefined, "10.0.0.1", 7000]]);
    const missing = await f.monitor(fenceDevice("f9", "fence_none", {}), 1000);
    expect(missing).toMatchObject({ rc: 1, status: "not_installed" });
    await expect(f.monitor(d, 0)).rejects.toThrow(RangeError);
  });

  it("marks an outcome where no device could be tried", async () => {
    const f = new Fencer({ agents: source(fakeAgent("fence_fake", [])), localNode: "node1", clock: fakeClock() });
    f.configure({ ...emptyFencerConfig(), devices: [fenceDevice("f1", "fence_fake", { pcmk_host_list: "node3" })] });
    const r = await f.fence("node2", "reboot");
    expect(r).toMatchObject({ ok: false, noDevice: true, devices: [] });
    const ok = await f.fence("node3", "reboot");
    expect(ok.ok).toBe(true);
    expect(ok.noDevice).toBeUndefined();
  });
});
