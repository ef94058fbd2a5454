/**
 * The alert-agents notifier running real agents: Pacemaker's own alert_file.sh.sample (the lines
 * it writes for every event kind), an environment dump (the exact CRM_* set), select filtering,
 * timeouts and never blocking the caller.
 */
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { type ClusterEvent, conformance, type PluginContext } from "../../../core/plugin/mod.ts";
import plugin, {
  type AlertRunResult,
  type AlertXmlNode,
  createAlertAgentsNotifier,
  parseAlertsElement,
} from "../../../plugins/alert-agents/mod.ts";

const SAMPLE = "/usr/share/pacemaker/alerts/alert_file.sh.sample";
const HAVE_SAMPLE = existsSync(SAMPLE);
if (!HAVE_SAMPLE) console.log(`SKIP alert_file.sh tests: ${SAMPLE} (Debian pacemaker) is not installed`);

const tmp = mkdtempSync(`${tmpdir()}/atrium-alerts-`);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const ctx: PluginContext = conformance.testContext();

function script(name: string, body: string): string {
  const p = `${tmp}/${name}`;
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}
function el(tag: string, attrs: Record<string, string> = {}, children: AlertXmlNode[] = []): AlertXmlNode {
  return { tag, attrs, children };
}
function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l !== "") : [];
}

/** The default timestamp format for an ISO time, computed with local-time getters. */
function localStamp(iso: string, usec: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${usec}`;
}

const T1 = "2026-03-04T05:06:07.123456Z";
const events: ClusterEvent[] = [
  { kind: "node", sequence: 1, timestamp: T1, node: "node1", nodeId: "1", desc: "member" },
  {
    kind: "fencing", sequence: 2, timestamp: T1, node: "node2", task: "reboot", rc: 0,
    desc: "Operation reboot of node2 by node1 for pacemaker-controld.1234@node1: OK (ref=abc)",
  },
  { kind: "resource", sequence: 3, timestamp: T1, node: "node1", resource: "rsc1", task: "monitor", interval: 10000, rc: 0, targetRc: 0, status: "done" },
  { kind: "resource", sequence: 4, timestamp: T1, node: "node2", resource: "rsc2", task: "start", interval: 0, rc: 1, targetRc: 0, status: "done" },
  { kind: "resource", sequence: 5, timestamp: T1, node: "node2", resource: "rsc3", task: "stop", interval: 0, rc: 1, targetRc: 0, status: "timeout" },
  { kind: "resource", sequence: 6, timestamp: T1, node: "node1", resource: "rsc4", task: "monitor", interval: 0, rc: 7, targetRc: 7, status: "done" },
  { kind: "resource", sequence: 7, timestamp: T1, node: "node1", resource: "rsc4", task: "monitor", interval: 0, rc: 0, targetRc: 7, status: "done" },
  { kind: "attribute", sequence: 8, timestamp: T1, node: "node1", nodeId: "1", attribute: { name: "pingd", value: "100" } },
  { kind: "attribute", sequence: 9, timestamp: T1, node: "node1", nodeId: "1", attribute: { name: "other", value: "x" } },
];

describe.skipIf(!HAVE_SAMPLE)("alert-agents with Pacemaker's alert_file.sh.sample", () => {
  it("writes the exact lines for node, fencing, resource and attribute events", async () => {
    const agent = `${tmp}/alert_file.sh`;
    copyFileSync(SAMPLE, agent);
    chmodSync(agent, 0o755);
    const log = `${tmp}/alert.log`;
    const cib = el("alerts", {}, [
      el("alert", { id: "alert_sample", path: agent }, [
        el("instance_attributes", { id: "ia" }, [el("nvpair", { id: "nv1", name: "debug_exec_order", value: "false" })]),
        el("meta_attributes", { id: "ma" }, [el("nvpair", { id: "nv2", name: "timestamp-format", value: "%H:%M:%S.%06N" })]),
        el("select", {}, [
          el("select_nodes"), el("select_fencing"), el("select_resources"),
          el("select_attributes", {}, [el("attribute", { id: "at1", name: "pingd" })]),
        ]),
        el("recipient", { id: "logfile_destination", value: log }),
      ]),
    ]);
    const results: AlertRunResult[] = [];
    const n = createAlertAgentsNotifier({ alerts: parseAlertsElement(cib), onResult: (r) => results.push(r) });
    for (const ev of events) {
      if (n.accepts(ev)) await n.notify(ev, ctx);
      await n.idle(); // one at a time, so the file's line order is the event order
    }
    const ts = localStamp(T1, "123456");
    expect(lines(log)).toEqual([
      `${ts}: Node 'node1' is now 'member'`,
      `${ts}: Fencing Operation reboot of node2 by node1 for pacemaker-controld.1234@node1: OK (ref=abc)`,
      `${ts}: Resource operation 'monitor (10000)' for 'rsc1' on 'node1': ok`,
      `${ts}: Resource operation 'start' for 'rsc2' on 'node2': error`,
      `${ts}: Resource operation 'stop' for 'rsc3' on 'node2': Timed Out`,
      `${ts}: Resource operation 'monitor' for 'rsc4' on 'node1': ok (target: 7)`,
      `${ts}: Attribute 'pingd' on node 'node1' was updated to '100'`,
    ]);
    expect(results.map((r) => [r.event, r.sequence, r.status, r.exitCode])).toEqual([
      [1, 1, "done", 0], [2, 2, "done", 0], [3, 3, "done", 0], [4, 4, "done", 0], [5, 5, "done", 0], [7, 6, "done", 0], [8, 7, "done", 0],
    ]);
  });
});

describe("alert-agents notifier", () => {
  it("gives agents exactly Pacemaker's CRM_* environment plus the instance attributes", async () => {
    const out = `${tmp}/env.out`;
    const agent = script("dump_env.sh", `env | grep -E '^(CRM_|my_option=)' | sort > "$CRM_alert_recipient"`);
    const n = createAlertAgentsNotifier({
      alerts: [{ id: "dump", path: agent, timeoutMs: 10_000, timestampFormat: "%Y %3N", env: { my_option: "on" }, recipients: [{ id: "r", value: out }] }],
    });
    await n.notify({ kind: "resource", sequence: 1, timestamp: T1, node: "n1", resource: "db", task: "start", interval: 0, rc: 0, targetRc: 0, status: "done", execTimeMs: 42 }, ctx);
    await n.idle();
    const year = new Date(T1).getFullYear();
    const epoch = String(Math.floor(Date.parse(T1) / 1000));
    const keys: [string, string][] = [
      ["desc", "ok"], ["exec_time", "42"], ["interval", "0"], ["kind", "resource"], ["node", "n1"], ["node_sequence", "1"],
      ["rc", "0"], ["recipient", out], ["rsc", "db"], ["status", "0"], ["target_rc", "0"], ["task", "start"],
      ["timestamp", `${year} 123`], ["timestamp_epoch", epoch], ["timestamp_usec", "123456"], ["version", "2.1.5"],
    ];
    const expected = [
      ...keys.flatMap(([k, v]) => [`CRM_alert_${k}=${v}`, `CRM_notify_${k}=${v}`]),
      "my_option=on",
    ].sort();
    expect(lines(out)).toEqual(expected);
  });

  it("filters by select (kinds and attribute names) per recipient", async () => {
    const agent = script("log_kind.sh", `echo "$CRM_alert_kind $CRM_alert_attribute_name" >> "$CRM_alert_recipient"`);
    const a = `${tmp}/sel-a.log`;
    const b = `${tmp}/sel-b.log`;
    const n = createAlertAgentsNotifier({
      alerts: [{
        id: "sel", path: agent, timeoutMs: 10_000, timestampFormat: "%S", env: {},
        select: { nodes: true, fencing: false, resources: false, attributes: true, attributeNames: ["pingd"] },
        recipients: [
          { id: "a", value: a },
          { id: "b", value: b, select: { nodes: false, fencing: true, resources: false, attributes: true, attributeNames: ["other"] } },
        ],
      }],
    });
    for (const ev of events) {
      await n.notify(ev, ctx);
      await n.idle();
    }
    expect(lines(a)).toEqual(["node ", "attribute pingd"]);
    expect(lines(b)).toEqual(["fencing ", "attribute other"]);
    expect(n.accepts(events[2]!)).toBe(false);
  });

  it("never blocks the caller and kills an agent at its timeout", async () => {
    const agent = script("slow.sh", `sleep 30`);
    const results: AlertRunResult[] = [];
    const n = createAlertAgentsNotifier({
      alerts: [{ id: "slow", path: agent, timeoutMs: 300, timestampFormat: "%S", env: {}, recipients: [{ id: "r1", value: "x" }, { id: "r2", value: "y" }] }],
      onResult: (r) => results.push(r),
      killGraceMs: 100,
    });
    const t0 = Date.now();
    await n.notify(events[0]!, ctx);
    expect(Date.now() - t0).toBeLessThan(200);
    expect(n.inFlight()).toBe(2);
    await n.idle();
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(results.map((r) => [r.recipient, r.status])).toEqual(expect.arrayContaining([["x", "timeout"], ["y", "timeout"]]));
    expect(results.map((r) => r.sequence).sort()).toEqual([1, 2]);
  });

  it("drops runs beyond maxInFlight and reports them", async () => {
    const agent = script("slow2.sh", `sleep 30`);
    const results: AlertRunResult[] = [];
    const n = createAlertAgentsNotifier({
      alerts: [{ id: "slow", path: agent, timeoutMs: 200, timestampFormat: "%S", env: {}, recipients: [{ id: "r1", value: "x" }, { id: "r2", value: "y" }] }],
      onResult: (r) => results.push(r),
      maxInFlight: 1,
      killGraceMs: 100,
    });
    await n.notify(events[0]!, ctx);
    expect(n.inFlight()).toBe(1);
    await n.idle();
    expect(results.map((r) => [r.recipient, r.status])).toEqual([["x", "error"], ["y", "timeout"]]);
    expect(results[0]!.reason).toMatch(/1 alerts already running: dropped/);
  });

  it("reports an agent that cannot run or fails, without throwing", async () => {
    const results: AlertRunResult[] = [];
    const failing = script("fail.sh", `echo "boom" >&2; exit 3`);
    const n = createAlertAgentsNotifier({
      alerts: [
        { id: "missing", path: `${tmp}/no-such-agent`, timeoutMs: 5000, timestampFormat: "%S", env: {}, recipients: [] },
        { id: "failing", path: failing, timeoutMs: 5000, timestampFormat: "%S", env: {}, recipients: [] },
      ],
      onResult: (r) => results.push(r),
    });
    await n.notify(events[0]!, ctx);
    await n.idle();
    const byId = Object.fromEntries(results.map((r) => [r.alert, r]));
    expect(byId["missing"]).toMatchObject({ status: "error" });
    expect(byId["failing"]).toMatchObject({ status: "done", exitCode: 3, reason: "boom" });
  });

  it("is configured through the plugin's setup and passes the notifier conformance checks", async () => {
    const out = `${tmp}/plugin.log`;
    const agent = script("plugin_agent.sh", `echo "$CRM_alert_kind" >> "$CRM_alert_recipient"`);
    const teardown = await plugin.setup({ alerts: [{ id: "p", path: agent, recipients: [{ value: out }] }] });
    const notifier = plugin.notifiers[0]!;
    const findings = await conformance.checkNotifier(notifier, { ctx });
    expect(conformance.failures(findings), conformance.formatFindings(findings)).toEqual([]);
    await teardown();
    expect(lines(out).sort()).toEqual(["fencing", "node", "resource"]);
    await expect(plugin.setup({ alerts: [{ id: "p" }] })).rejects.toThrow(/alerts\[0\]\.path/);
  });
});
