/** The plugin conformance kit (core/plugin/conformance.ts) run against the ocf class. */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { afterAll, describe, expect, it } from "vitest";
import { conformance } from "../../../core/plugin/mod.ts";
import ocfPlugin from "../../../plugins/ocf/mod.ts";

const HAVE = existsSync("/usr/lib/ocf/resource.d/pacemaker/Dummy");
if (!HAVE) console.log("SKIP ocf conformance: ocf:pacemaker:Dummy is not installed");
const tmp = mkdtempSync(`${tmpdir()}/atrium-ocf-conf-`);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!HAVE)("ocf plugin conformance", () => {
  it("passes the resource class checks with ocf:pacemaker:Dummy", async () => {
    const findings = await conformance.checkResourceClass(ocfPlugin.resourceClasses[0]!, {
      agent: { class: "ocf", provider: "pacemaker", type: "Dummy" },
      params: { state: `${tmp}/conformance.state` },
      resource: `conformance-${process.pid}`,
    });
    expect(conformance.failures(findings), conformance.formatFindings(findings)).toEqual([]);
    expect(findings.length).toBeGreaterThan(8);
  });
});
