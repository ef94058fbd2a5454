import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  exitReason,
  ocfEffectiveRc,
  ocfEnvironment,
  ocfExitToRc,
  ocfRcName,
  ocfSeverity,
  parseDurationMs,
  parseOcfMetadata,
} from "../../../plugins/ocf/mod.ts";
import ocfPlugin from "../../../plugins/ocf/mod.ts";
import { TEST_OCF_ROOT } from "../../fixtures/agents/proc.ts";

const agent = { class: "ocf", provider: "atrium-test", type: "Slow" };

describe("ocf helpers", () => {
  it("ocfSeverity() classes rcs as Pacemaker 2.1.5 does", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 190, 191].map(ocfSeverity)).toEqual([
      "ok", "soft", "hard", "hard", "hard", "hard", "fatal", "soft", "soft", "soft", "soft", "soft",
    ]);
  });

  it("maps exit codes outside the OCF range to a generic error and degraded states to running", () => {
    expect([0, 9, 10, 189, 190, 191, 192, 255, -1].map(ocfExitToRc)).toEqual([0, 9, 1, 1, 190, 191, 1, 1, 1]);
    expect([190, 191, 7].map(ocfEffectiveRc)).toEqual([0, 8, 7]);
  });

  it("names OCF rcs as Pacemaker does, but 190 as degraded", () => {
    expect([0, 7, 9, 190, 191, 42].map(ocfRcName)).toEqual([
      "ok", "not running", "promoted (failed)", "degraded", "promoted (degraded)", "unknown",
    ]);
  });

  it("parses Pacemaker and ISO 8601 durations", () => {
    expect(["20s", "20", "100ms", "1m", "2min", "1h", "PT1M30S", "P1D", "1.5s", " 5s "].map(parseDurationMs)).toEqual([
      20_000, 20_000, 100, 60_000, 120_000, 3_600_000, 90_000, 86_400_000, 1500, 5000,
    ]);
    expect(["", "abc", "5 parsecs", "PT", "-1s", undefined].map(parseDurationMs)).toEqual(new Array(6).fill(undefined));
  });

  it("reads the last exit reason, to the end of its line, at most 128 characters", () => {
    expect(exitReason("ocf-exit-reason:first\nnoise\nocf-exit-reason:second one\nmore")).toBe("second one");
    expect(exitReason("nothing here")).toBeUndefined();
    expect(exitReason("ocf-exit-reason:\n")).toBeUndefined();
    expect(exitReason(`ocf-exit-reason:${"x".repeat(300)}`)).toHaveLength(128);
  });

  it("builds the environment with OCF_CHECK_LEVEL unprefixed and meta as CRM_meta_", () => {
    const env = ocfEnvironment(
      {
        resource: "r1",
        agent,
        action: "monitor",
        intervalMs: 10_000,
        timeoutMs: 20_000,
        params: { ip: "10.0.0.1", OCF_CHECK_LEVEL: "20" },
        meta: { interval: "10000", CRM_meta_timeout: "20000" },
        env: { OCF_TRACE_RA: "1" },
      },
      "/usr/lib/ocf",
    );
    expect(env).toMatchObject({
      OCF_RESKEY_ip: "10.0.0.1",
      OCF_CHECK_LEVEL: "20",
      OCF_RESKEY_CRM_meta_interval: "10000",
      OCF_RESKEY_CRM_meta_timeout: "20000",
      OCF_RESOURCE_INSTANCE: "r1",
      OCF_RESOURCE_PROVIDER: "atrium-test",
      OCF_RESOURCE_TYPE: "Slow",
      OCF_TRACE_RA: "1",
    });
    expect(env).not.toHaveProperty("OCF_RESKEY_OCF_CHECK_LEVEL");
  });

  it("parses meta-data: parameters and actions with timeouts, intervals, depth and role", () => {
    const xml = readFileSync(`${TEST_OCF_ROOT}/resource.d/atrium-test/Slow`, "utf8").split("<<'XML'\n")[1]!.split("\nXML")[0]!;
    const md = parseOcfMetadata(xml, agent);
    expect(md.version).toBe("0.9");
    expect(md.shortdesc).toBe("Slow test agent");
    expect(md.parameters).toEqual([
      { name: "sleep", required: true, unique: false, reloadable: true, type: "integer", default: "0", shortdesc: "Seconds" },
      { name: "marker", required: false, unique: true, reloadable: false, type: "string" },
    ]);
    expect(md.actions).toEqual([
      { name: "start", timeoutMs: 20_000 },
      { name: "stop", timeoutMs: 60_000 },
      { name: "monitor", timeoutMs: 500, intervalMs: 10_000, depth: 10 },
      { name: "promote", timeoutMs: 30_000, role: "Promoted" },
      { name: "meta-data", timeoutMs: 5000 },
    ]);
    expect(md.xml).toBe(xml);
  });

  it("rejects malformed meta-data with a SyntaxError naming the agent", () => {
    expect(() => parseOcfMetadata("<resource-agent><parameters>", agent)).toThrow(SyntaxError);
    expect(() => parseOcfMetadata("not xml at all", agent)).toThrow(/ocf:atrium-test:Slow/);
    expect(() => parseOcfMetadata("<other/>", agent)).toThrow(/root element/);
  });

  it("default-exports a plugin with the ocf resource class", () => {
    expect(ocfPlugin).toMatchObject({ name: "ocf", apiVersions: [1] });
    expect(ocfPlugin.resourceClasses.map((c) => c.name)).toEqual(["ocf"]);
  });
});
