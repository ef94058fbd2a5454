import { describe, expect, it } from "vitest";
import { compareConformance } from "../../../core/scheduler/conformance.ts";

describe("compareConformance()", () => {
  it("compares summaries as multisets and maps old role names", () => {
    const e = { summary: [{ action: "promote", resource: "s", from: "n1", to: "n1", role: "Slave", next_role: "Master" }], final: {} };
    const a = { summary: [{ action: "promote", resource: "s", from: "n1", to: "n1", role: "Unpromoted", next_role: "Promoted" }], final: {} };
    expect(compareConformance(e, a).pass).toBe(true);
  });

  it("treats an absent final key like an empty list but not like a placement", () => {
    expect(compareConformance({ final: { a: [] } }, { final: {} }).pass).toBe(true);
    const r = compareConformance({ final: { a: [{ node: "n1", role: "Started" }] } }, { final: {} });
    expect(r.pass).toBe(false);
    expect(r.finalPass).toBe(false);
    expect(r.problems[0]).toContain("final a");
  });

  it("reports a final-only pass when only the summary differs", () => {
    const r = compareConformance({ summary: [{ action: "start", resource: "a", from: null, to: "n1" }], final: {} },
      { summary: [], final: {} });
    expect(r.pass).toBe(false);
    expect(r.finalPass).toBe(true);
  });

  it("counts blocked=false as absent", () => {
    const e = { summary: [{ action: "stop", resource: "a", from: "n1", to: null }] };
    const a = { summary: [{ action: "stop", resource: "a", from: "n1", to: null, blocked: false }] };
    expect(compareConformance(e, a).pass).toBe(true);
  });
});
