import { describe, expect, it } from "vitest";
import { fencingLine, fencingSection, fencingStatus } from "../../../core/status/mod.ts";

const base = { action: "reboot", origin: "n1", client: "pacemaker-controld", delegate: "n1", devices: ["f1"], startedAt: "2026-01-01T00:00:00.000Z" };

describe("fencing status", () => {
  it("orders pending first, then newest first, and renders crm_mon-style lines", () => {
    const s = fencingStatus([
      { ...base, id: "1", target: "a", state: "success", endedAt: "2026-01-01T00:00:05.000Z" },
      { ...base, id: "2", target: "b", state: "failed", error: "no device", endedAt: "2026-01-01T00:00:09.000Z" },
      { ...base, id: "3", target: "c", state: "pending" },
    ]);
    expect(s.map((x) => x.id)).toEqual(["3", "2", "1"]);
    expect(s[2]).toEqual({ id: "1", target: "a", action: "reboot", state: "success", origin: "n1", client: "pacemaker-controld", delegate: "n1", devices: ["f1"], started: base.startedAt, completed: "2026-01-01T00:00:05.000Z" });
    expect(s.map(fencingLine)).toEqual([
      "reboot of c for pacemaker-controld@n1 pending",
      "reboot of b by n1 for pacemaker-controld@n1 failed (no device) at 2026-01-01 00:00:09 +00:00",
      "reboot of a by n1 for pacemaker-controld@n1 successful at 2026-01-01 00:00:05 +00:00",
    ]);
    expect(fencingSection(s)[1]).toBe("Fencing History:");
    expect(fencingSection([])).toEqual([]);
    expect(fencingSection(undefined)).toEqual([]);
  });
});
