/**
 * The lsb class with a REAL init script (/etc/init.d/logd from Debian's cluster-glue, which
 * runs the ha_logd daemon) and a test-only script that breaks the LSB rules.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { Executor } from "../../../core/executor/mod.ts";
import { conformance } from "../../../core/plugin/mod.ts";
import lsbPlugin, { createLsbClass, lsbScriptPath, lsbToOcf, parseLsbHeader } from "../../../plugins/lsb/mod.ts";
import { FIXTURES, processesWithCmdline } from "../../fixtures/agents/proc.ts";

const HAVE_LOGD = existsSync("/etc/init.d/logd") && existsSync("/usr/lib/heartbeat/ha_logd");
if (!HAVE_LOGD) console.log("SKIP real LSB test: /etc/init.d/logd (cluster-glue) is not installed");

const tmp = mkdtempSync(`${tmpdir()}/atrium-lsb-`);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const real = createLsbClass();
const fixtures = createLsbClass({ initDir: `${FIXTURES}/init.d`, env: { ATRIUM_TEST_STATE: `${tmp}/state` } });
const ex = new Executor({ resolveClass: (n) => (n === "lsb" ? real : n === "lsb-test" ? fixtures : undefined) });

describe("lsb exit code mapping", () => {
  it("maps status codes as Pacemaker does", () => {
    expect([0, 1, 2, 3, 4, 5, 150, 151, 200].map((c) => lsbToOcf("status", c))).toEqual([0, 7, 7, 7, 1, 1, 5, 4, 1]);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 150].map((c) => lsbToOcf("start", c))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 1, 1]);
  });

  it("parses the LSB header, joining description continuation lines", () => {
    const h = parseLsbHeader(
      "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: a b\n# Required-Start: $network\n# Short-Description: Thing\n# Description: Line one\n#\tline two\n### END INIT INFO\n# Provides: ignored\n",
    );
    expect(h).toEqual({ provides: "a b", requiredStart: "$network", shortDescription: "Thing", description: "Line one line two" });
    expect(parseLsbHeader("#!/bin/sh\necho\n")).toEqual({});
  });

  it("refuses script names that leave the init directory", () => {
    expect(lsbScriptPath("/etc/init.d", "../../bin/sh")).toBeUndefined();
    expect(lsbScriptPath("/etc/init.d", "/etc/init.d/../x/..")).toBeUndefined();
    expect(lsbScriptPath("/etc/init.d/", "logd")).toBe("/etc/init.d/logd");
    expect(lsbScriptPath("/etc/init.d", "/opt/init/x")).toBe("/opt/init/x");
  });

  it("default-exports a plugin with the lsb resource class", () => {
    expect(lsbPlugin.resourceClasses.map((c) => c.name)).toEqual(["lsb"]);
  });
});

describe.skipIf(!HAVE_LOGD)("lsb class with /etc/init.d/logd", () => {
  it("probes, starts, monitors (status), stops a real daemon; stop when stopped succeeds", async () => {
    ex.register({ id: "logd", agent: { class: "lsb", type: "logd" } });
    const run = (action: string) => ex.run({ resource: "logd", action, timeoutMs: 20_000 });
    try {
      expect((await run("monitor")).rc).toBe(7);
      expect((await run("start")).rc).toBe(0);
      expect(processesWithCmdline("ha_logd").length).toBeGreaterThan(0);
      expect((await run("monitor")).rc).toBe(0);
      expect((await run("start")).rc).toBe(0);
      expect((await run("stop")).rc).toBe(0);
      expect(processesWithCmdline("ha_logd")).toEqual([]);
      // logd's status exits 1 (pid file left) once stopped: LSB "dead" maps to not running.
      expect((await run("monitor")).rc).toBe(7);
      expect((await run("stop")).rc).toBe(0);
    } finally {
      await run("stop");
      ex.unregister("logd");
    }
  });

  it("passes the plugin conformance checks with logd", async () => {
    const findings = await conformance.checkResourceClass(lsbPlugin.resourceClasses[0]!, { agent: { class: "lsb", type: "logd" } });
    expect(conformance.failures(findings), conformance.formatFindings(findings)).toEqual([]);
  });

  it("builds meta-data from the LSB header and lists init scripts", async () => {
    const md = await ex.metadata({ class: "lsb", type: "logd" });
    expect(md.shortdesc).toBe("ha_logd logging daemon");
    expect(md.xml).toContain("<Provides>ha_logd logd</Provides>");
    expect(md.actions.find((a) => a.name === "monitor")).toEqual({ name: "monitor", timeoutMs: 15_000, intervalMs: 15_000 });
    const ctx = { log: { debug() {}, info() {}, warn() {}, error() {} }, signal: new AbortController().signal, runtime: "node" as const };
    expect(await real.listAgents(ctx)).toContainEqual({ class: "lsb", type: "logd" });
  });
});

describe("lsb class with a test-only script", () => {
  it("passes exit codes through as Pacemaker does, even when the script breaks LSB rules", async () => {
    ex.register({ id: "nc", agent: { class: "lsb-test", type: "atrium-noncompliant" } });
    const run = (action: string) => ex.run({ resource: "nc", action, timeoutMs: 5000 });
    expect((await run("monitor")).rc).toBe(1); // status 4 (unknown) is an error
    expect((await run("stop")).rc).toBe(7); // stop of a stopped service: the script's 7 is kept
    expect((await run("start")).rc).toBe(0);
    expect((await run("monitor")).rc).toBe(0);
    expect((await run("stop")).rc).toBe(0);
    const md = await ex.metadata({ class: "lsb-test", type: "atrium-noncompliant" });
    expect(md.shortdesc).toBe("Test-only init script that breaks the LSB rules");
    ex.unregister("nc");
  });

  it("reports a missing init script as not installed", async () => {
    ex.register({ id: "missing", agent: { class: "lsb", type: "no-such-service" } });
    const r = await ex.run({ resource: "missing", action: "monitor", timeoutMs: 5000 });
    expect(r).toMatchObject({ rc: 5, status: "not_installed" });
    expect(r.reason).toContain("/etc/init.d/no-such-service");
    ex.unregister("missing");
  });
});
