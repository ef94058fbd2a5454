/**
 * The systemd class. This machine has no running systemd, so the class is driven by a FAKE
 * systemctl (test/fixtures/agents/fake_systemctl.sh, put on PATH as "systemctl"): these tests
 * check command construction and the state/result mapping, not systemd itself.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { Executor } from "../../../core/executor/mod.ts";
import { conformance } from "../../../core/plugin/mod.ts";
import systemdPlugin, {
  activeStateToOcf,
  createSystemdClass,
  parseTimespanMs,
  unitName,
} from "../../../plugins/systemd/mod.ts";
import { FIXTURES } from "../../fixtures/agents/proc.ts";

const tmp = mkdtempSync(`${tmpdir()}/atrium-systemd-`);
const bin = `${tmp}/bin`;
const state = `${tmp}/units`;
const overrides = `${tmp}/run-systemd-system`;
for (const d of [bin, state]) mkdirSync(d, { recursive: true });
symlinkSync(`${FIXTURES}/fake_systemctl.sh`, `${bin}/systemctl`);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const warnings: unknown[] = [];
const cls = createSystemdClass({
  env: { PATH: `${bin}:${process.env["PATH"] ?? "/usr/bin:/bin"}`, FAKE_SYSTEMCTL_DIR: state },
  overrideRoot: overrides,
  pollMs: 20,
});
const ex = new Executor({
  resolveClass: (n) => (n === "systemd" ? cls : undefined),
  log: { debug() {}, info() {}, error() {}, warn: (msg, fields) => warnings.push({ msg, fields }) },
});

function unit(name: string, files: Record<string, string> = {}): void {
  writeFileSync(`${state}/${name}.service.unit`, `Test unit ${name}`);
  for (const [ext, body] of Object.entries(files)) writeFileSync(`${state}/${name}.service.${ext}`, body);
}
function calls(): string[] {
  return existsSync(`${state}/calls.log`) ? readFileSync(`${state}/calls.log`, "utf8").trim().split("\n") : [];
}
function run(id: string, action: string, timeoutMs = 5000) {
  return ex.run({ resource: id, action, timeoutMs });
}

beforeEach(() => rmSync(`${state}/calls.log`, { force: true }));

describe("systemd helpers", () => {
  it("names units as Pacemaker does", () => {
    expect(["httpd", "httpd.service", "x.socket", "getty@", "getty@.service", "a.b"].map(unitName)).toEqual([
      "httpd.service", "httpd.service", "x.socket", "getty@pacemaker.service", "getty@pacemaker.service", "a.b.service",
    ]);
  });

  it("maps ActiveState as Pacemaker does", () => {
    expect(["active", "reloading", "inactive", "failed", "activating", "deactivating", "weird"].map(activeStateToOcf)).toEqual([
      { rc: 0, pending: false }, { rc: 0, pending: false }, { rc: 7, pending: false }, { rc: 7, pending: false },
      { rc: 1, pending: true }, { rc: 1, pending: true }, { rc: 7, pending: false },
    ]);
  });

  it("parses systemd time spans", () => {
    expect(["1min 30s", "90s", "100ms", "5min", "2h 1s", "10", "1d"].map(parseTimespanMs)).toEqual([
      90_000, 90_000, 100, 300_000, 7_201_000, 10_000, 86_400_000,
    ]);
    expect(["infinity", "", "soon", "5 lightyears"].map(parseTimespanMs)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("default-exports a plugin with the systemd resource class", () => {
    expect(systemdPlugin.resourceClasses.map((c) => c.name)).toEqual(["systemd"]);
  });
});

describe("systemd class (fake systemctl)", () => {
  it("starts and stops a unit with a waiting systemctl and monitors it through ActiveState", async () => {
    unit("web");
    ex.register({ id: "web", agent: { class: "systemd", type: "web" } });
    expect((await run("web", "monitor")).rc).toBe(7);
    expect((await run("web", "start")).rc).toBe(0);
    expect(calls()).toContain("start web.service");
    expect(calls().some((c) => c.includes("--no-block"))).toBe(false);
    expect(calls()).toContain("daemon-reload");
    expect(readFileSync(`${overrides}/web.service.d/50-pacemaker.conf`, "utf8")).toContain("Before=pacemaker.service pacemaker_remote.service");
    expect((await run("web", "monitor")).rc).toBe(0);
    expect((await run("web", "stop")).rc).toBe(0);
    expect(existsSync(`${overrides}/web.service.d/50-pacemaker.conf`)).toBe(false);
    expect((await run("web", "monitor")).rc).toBe(7);
    expect((await run("web", "stop")).rc).toBe(0);
    ex.unregister("web");
  });

  it("waits while a unit is activating, then reports the settled state", async () => {
    unit("slowstart", { start: "activating:3:active" });
    ex.register({ id: "s", agent: { class: "systemd", type: "slowstart" } });
    expect((await run("s", "start")).rc).toBe(0);
    expect(calls().filter((c) => c.startsWith("show")).length).toBeGreaterThanOrEqual(4);
    ex.unregister("s");
  });

  it("fails a start whose unit ends failed, and times out one that stays activating", async () => {
    unit("broken", { start: "failed" });
    ex.register({ id: "b", agent: { class: "systemd", type: "broken" } });
    const r = await run("b", "start");
    expect(r).toMatchObject({ rc: 1, status: "done" });
    expect(r.reason).toContain("failed because the control process exited");
    expect((await run("b", "monitor")).rc).toBe(7);
    unit("stuck", { start: "activating:100000:active" });
    ex.register({ id: "st", agent: { class: "systemd", type: "stuck" } });
    expect(await run("st", "start", 400)).toMatchObject({ rc: 1, status: "timeout" });
    ex.unregister("b");
    ex.unregister("st");
  });

  it("reports a unit that does not exist as not installed (LoadState)", async () => {
    ex.register({ id: "nope", agent: { class: "systemd", type: "nope" } });
    const r = await run("nope", "start");
    expect(r).toMatchObject({ rc: 5, status: "not_installed" });
    expect(r.reason).toContain("LoadState=not-found");
    expect(calls().some((c) => c.startsWith("start"))).toBe(false);
    ex.unregister("nope");
    for (const type of ["--help", "../etc/passwd", "a b"]) {
      ex.register({ id: "bad", agent: { class: "systemd", type } });
      expect(await run("bad", "start")).toMatchObject({ rc: 5, status: "not_installed" });
    }
    expect(calls().filter((c) => c.includes("help") || c.includes("passwd"))).toEqual([]);
    ex.unregister("bad");
  });

  it("warns when the operation timeout is shorter than the unit's TimeoutStartUSec", async () => {
    unit("patient", { timeout: "5min" });
    ex.register({ id: "p", agent: { class: "systemd", type: "patient" } });
    warnings.length = 0;
    expect((await run("p", "start", 60_000)).rc).toBe(0);
    expect(warnings).toEqual([expect.objectContaining({ fields: expect.objectContaining({ unitTimeoutMs: 300_000 }) })]);
    ex.unregister("p");
  });

  it("passes the plugin conformance checks", async () => {
    unit("conf");
    const findings = await conformance.checkResourceClass(cls, { agent: { class: "systemd", type: "conf" } });
    expect(conformance.failures(findings), conformance.formatFindings(findings)).toEqual([]);
  });

  it("answers unsupported actions with rc 3 and builds meta-data from the unit", async () => {
    unit("meta");
    ex.register({ id: "m", agent: { class: "systemd", type: "meta" } });
    expect((await run("m", "promote")).rc).toBe(3);
    const md = await ex.metadata({ class: "systemd", type: "meta" });
    expect(md.xml).toContain("Test unit meta");
    expect(md.actions.find((a) => a.name === "start")?.timeoutMs).toBe(100_000);
    const ctx = { log: { debug() {}, info() {}, warn() {}, error() {} }, signal: new AbortController().signal, runtime: "node" as const };
    expect(await cls.listAgents(ctx)).toContainEqual({ class: "systemd", type: "meta" });
    ex.unregister("m");
  });
});
