/** Unit tests of the alert-agents plugin: timestamps, CIB parsing, entry resolution, keys. */
import { describe, expect, it } from "vitest";
import {
  type AlertXmlNode,
  alertEnvironment,
  entryWants,
  eventAlertKeys,
  formatAlertTimestamp,
  isAlertableEvent,
  parseAlertDuration,
  parseAlertsElement,
  parseEventTime,
  resolveAlertEntries,
  resourceAlertDesc,
  validateAlertConfigs,
} from "../../../plugins/alert-agents/mod.ts";

function el(tag: string, attrs: Record<string, string> = {}, children: AlertXmlNode[] = []): AlertXmlNode {
  return { tag, attrs, children };
}
function nv(name: string, value: string): AlertXmlNode {
  return el("nvpair", { id: `nv-${name}`, name, value });
}

describe("formatAlertTimestamp", () => {
  const t = new Date(2026, 2, 4, 5, 6, 7, 123).getTime(); // local time
  it("formats strftime conversions in local time with %<n>N microseconds", () => {
    expect(formatAlertTimestamp("%H:%M:%S.%06N", t, 123456)).toBe("05:06:07.123456");
    expect(formatAlertTimestamp("%Y-%m-%d %3N|%1N|%9N", t, 4567)).toBe("2026-03-04 004|0|004567");
    expect(formatAlertTimestamp("%a %b %e %j %y %D %F %T %R %p %I %u %w", t, 0)).toBe(
      "Wed Mar  4 063 26 03/04/26 2026-03-04 05:06:07 05:06 AM 05 3 3",
    );
    expect(formatAlertTimestamp("%s", t, 0)).toBe(String(Math.floor(t / 1000)));
    expect(formatAlertTimestamp("%V %G", new Date(2021, 0, 3).getTime(), 0)).toBe("53 2020");
  });
  it("treats a bare %N as empty, %% as a percent sign, and empty output as unset", () => {
    expect(formatAlertTimestamp("%S%N.", t, 5)).toBe("07.");
    expect(formatAlertTimestamp("100%% %Q", t, 0)).toBe("100% %Q");
    expect(formatAlertTimestamp("", t, 0)).toBeUndefined();
    expect(formatAlertTimestamp("%N", t, 1)).toBeUndefined();
    expect(formatAlertTimestamp("x".repeat(300), t, 0)).toHaveLength(128);
  });
});

describe("parseEventTime", () => {
  it("keeps microseconds", () => {
    expect(parseEventTime("2026-01-01T00:00:01.123456Z")).toEqual({ epochMs: Date.UTC(2026, 0, 1, 0, 0, 1, 123), usec: 123456 });
    expect(parseEventTime("2026-01-01T00:00:01+01:00")).toEqual({ epochMs: Date.UTC(2025, 11, 31, 23, 0, 1), usec: 0 });
    expect(parseEventTime("yesterday")).toBeUndefined();
  });
});

describe("parseAlertDuration", () => {
  it("reads Pacemaker durations (bare numbers are seconds)", () => {
    expect(parseAlertDuration("30")).toBe(30_000);
    expect(parseAlertDuration("500ms")).toBe(500);
    expect(parseAlertDuration("2min")).toBe(120_000);
    expect(parseAlertDuration("1h")).toBe(3_600_000);
    expect(parseAlertDuration("soon")).toBeUndefined();
  });
});

const ALERTS = el("alerts", {}, [
  el("alert", { id: "a1", path: "/bin/a1" }, [
    el("instance_attributes", { id: "a1-ia" }, [nv("debug_exec_order", "false"), nv("shared", "alert")]),
    el("instance_attributes", { id: "a1-ia2" }, [nv("ignored", "yes")]),
    el("meta_attributes", { id: "a1-meta" }, [nv("timeout", "15s"), nv("timestamp-format", "%H:%M")]),
    el("meta_attributes", { id: "a1-meta2" }, [nv("timeout", "99s")]),
    el("select", {}, [el("select_nodes"), el("select_attributes", {}, [el("attribute", { id: "x", name: "pingd" })])]),
    el("recipient", { id: "r1", value: "/tmp/one" }),
    el("recipient", { id: "r2", value: "/tmp/two" }, [
      el("instance_attributes", { id: "r2-ia" }, [nv("shared", "recipient")]),
      el("meta_attributes", { id: "r2-meta" }, [nv("timeout", "bogus")]),
      el("select", {}, [el("select_fencing"), el("select_attributes")]),
    ]),
  ]),
  el("alert", { id: "a2", path: "/bin/a2" }),
  el("alert", { id: "no-path" }),
  { tag: "#comment" },
]);

describe("parseAlertsElement", () => {
  it("reads alerts, recipients, attributes, meta and select as Pacemaker does", () => {
    const warnings: string[] = [];
    const alerts = parseAlertsElement(ALERTS, (w) => warnings.push(w));
    expect(alerts.map((a) => a.id)).toEqual(["a1", "a2"]);
    const a1 = alerts[0]!;
    expect(a1).toMatchObject({ path: "/bin/a1", timeoutMs: 15_000, timestampFormat: "%H:%M", env: { debug_exec_order: "false", shared: "alert" } });
    expect(a1.select).toEqual({ nodes: true, fencing: false, resources: false, attributes: true, attributeNames: ["pingd"] });
    expect(a1.recipients[1]).toMatchObject({ id: "r2", value: "/tmp/two", env: { shared: "recipient" }, timeoutMs: 30_000 });
    expect(alerts[1]).toEqual({ id: "a2", path: "/bin/a2", timeoutMs: 30_000, timestampFormat: "%H:%M:%S.%06N", env: {}, recipients: [] });
    expect(warnings.join("\n")).toMatch(/without id and path/);
    expect(warnings.join("\n")).toMatch(/invalid timeout "bogus"/);
    expect(parseAlertsElement(undefined)).toEqual([]);
  });

  it("resolves per-recipient entries in Pacemaker's (prepended) order with inheritance", () => {
    const entries = resolveAlertEntries(parseAlertsElement(ALERTS));
    expect(entries.map((e) => `${e.id}:${e.recipient}`)).toEqual(["a2:", "a1:/tmp/two", "a1:/tmp/one"]);
    const [a2, r2, r1] = entries;
    expect(a2!.select).toEqual({ nodes: true, fencing: true, resources: true, attributes: false });
    expect(r1!.env).toEqual({ debug_exec_order: "false", shared: "alert" });
    expect(r2!.env).toEqual({ debug_exec_order: "false", shared: "recipient" });
    // r2's select replaces the kinds but keeps the alert's attribute names (it lists none).
    expect(r2!.select).toEqual({ nodes: false, fencing: true, resources: false, attributes: true, attributeNames: ["pingd"] });
    expect(r1!.timestampFormat).toBe("%H:%M");
    const ts = "2026-01-01T00:00:00Z";
    const attr = (name: string) => ({ kind: "attribute" as const, sequence: 1, timestamp: ts, attribute: { name } });
    expect(entryWants(r1!, attr("pingd"))).toBe(true);
    expect(entryWants(r1!, attr("other"))).toBe(false);
    expect(entryWants(r1!, { kind: "fencing", sequence: 1, timestamp: ts })).toBe(false);
    expect(entryWants(a2!, attr("pingd"))).toBe(false);
  });
});

describe("event keys", () => {
  it("describes a completed resource result with Pacemaker's OCF words, including OCF_DEGRADED", () => {
    expect([0, 7, 190, 191, 42].map((rc) => resourceAlertDesc(0, rc))).toEqual([
      "ok", "not running", "OCF_DEGRADED", "promoted (degraded)", "unknown",
    ]);
  });

  const ts = "2026-01-01T00:00:00Z";
  it("maps a resource event to Pacemaker's keys and description", () => {
    expect(eventAlertKeys({ kind: "resource", sequence: 1, timestamp: ts, node: "n1", resource: "r", task: "start", interval: 0, rc: 7, targetRc: 0, status: "done", execTimeMs: 12 })).toEqual({
      kind: "resource", version: "2.1.5", node: "n1", rsc: "r", task: "start", interval: "0", target_rc: "0", status: "0", rc: "7", exec_time: "12", desc: "not running",
    });
    expect(eventAlertKeys({ kind: "resource", sequence: 1, timestamp: ts, task: "stop", status: "timeout", rc: 1 })["desc"]).toBe("Timed Out");
  });
  it("uses the fencer's notification type as the fencing task", () => {
    const k = eventAlertKeys({ kind: "fencing", sequence: 1, timestamp: ts, node: "n2", task: "reboot", rc: -62 });
    expect(k).toMatchObject({ task: "st_notify_fence", node: "n2", rc: "-62" });
    expect(k["desc"]).toBe("Operation reboot of n2 by the cluster for a client@a node: Error (ref=(none))");
  });
  it("skips probes with the expected result only", () => {
    const probe = { kind: "resource" as const, sequence: 1, timestamp: ts, task: "monitor", interval: 0, rc: 7, targetRc: 7 };
    expect(isAlertableEvent(probe)).toBe(false);
    expect(isAlertableEvent({ ...probe, rc: 0 })).toBe(true);
    expect(isAlertableEvent({ ...probe, interval: 10_000 })).toBe(true);
  });
  it("sets every key as CRM_alert_* and CRM_notify_*, then the instance attributes", () => {
    const [entry] = resolveAlertEntries([{ id: "a", path: "/x", timeoutMs: 1, timestampFormat: "%S", env: { CRM_alert_node: "overridden", extra: "1" }, recipients: [{ id: "r", value: "v" }] }]);
    const env = alertEnvironment(entry!, eventAlertKeys({ kind: "node", sequence: 1, timestamp: ts, node: "n", desc: "lost" }), { epochMs: 5_000, usec: 42 }, 9);
    expect(env).toMatchObject({
      CRM_alert_recipient: "v", CRM_notify_recipient: "v", CRM_alert_node_sequence: "9", CRM_notify_node_sequence: "9",
      CRM_alert_timestamp_epoch: "5", CRM_alert_timestamp_usec: "000042", CRM_alert_desc: "lost", CRM_alert_nodeid: "0",
      CRM_notify_node: "n", CRM_alert_node: "overridden", extra: "1",
    });
  });
});

describe("validateAlertConfigs", () => {
  it("fills defaults and names bad fields", () => {
    expect(validateAlertConfigs([{ id: "a", path: "/p" }])).toEqual([{ id: "a", path: "/p", timeoutMs: 30_000, timestampFormat: "%H:%M:%S.%06N", env: {}, recipients: [] }]);
    expect(() => validateAlertConfigs([{ id: "a" }])).toThrow(/alerts\[0\]\.path/);
    expect(() => validateAlertConfigs([{ id: "a", path: "/p", recipients: [{ id: "r" }] }])).toThrow(/recipients\[0\]\.value/);
    expect(() => validateAlertConfigs([{ id: "a", path: "/p", timeoutMs: -1 }])).toThrow(TypeError);
    expect(() => validateAlertConfigs([{ id: "a", path: "/p" }, { id: "a", path: "/q" }])).toThrow(/not used by another/);
    expect(() => validateAlertConfigs({})).toThrow(/an array of alerts/);
  });
});
