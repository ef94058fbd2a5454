import { describe, expect, it } from "vitest";
import {
  compareValues,
  compareVersion,
  parseIntervalMs,
  parseScore,
} from "../../../../core/cib/rules/mod.ts";

describe("compare helpers", () => {
  it("compareVersion() compares dotted parts numerically", () => {
    expect(compareVersion("1.10", "1.9")).toBe(1);
    expect(compareVersion("2.0", "2")).toBe(0);
    expect(compareVersion("2.0.1", "2.0")).toBe(1);
    expect(compareVersion("", "0")).toBe(-1);
    expect(compareVersion("1.x", "1.y")).toBe(0); // Pacemaker would loop forever here
  });

  it("compareValues() orders absent values first and falls back to strings", () => {
    expect(compareValues(undefined, "a", undefined, "eq")).toBe(-1);
    expect(compareValues("a", undefined, undefined, "eq")).toBe(1);
    expect(compareValues("B", "a", "string", "gt")).toBe(1);
    expect(compareValues("10", "9", undefined, "gt")).toBe(1);
    expect(compareValues("10", "9", "string", "gt")).toBe(-1);
    expect(compareValues(" 7", "+7", "integer", "eq")).toBe(0);
    expect(compareValues("inf", "1e308", "number", "gt")).toBe(1);
    expect(compareValues("1e999", "1", "number", "gt")).toBe(1); // overflow: compared as strings, "1e999" > "1"
  });

  it("parseScore() follows char2score", () => {
    expect(parseScore("INFINITY")).toBe(1000000);
    expect(parseScore("+INFINITY")).toBe(1000000);
    expect(parseScore("-INFINITY")).toBe(-1000000);
    expect(parseScore("infinity")).toBe(0); // case matters for INFINITY
    expect(parseScore("-2000000")).toBe(-1000000);
    expect(parseScore("42abc")).toBe(42);
    expect(parseScore("abc")).toBe(0);
    expect(parseScore(undefined)).toBe(0);
    expect(parseScore("Yellow", { yellow: -5 })).toBe(-5);
  });

  it("parseIntervalMs() follows crm_parse_interval_spec", () => {
    expect(parseIntervalMs("10")).toBe(10000);
    expect(parseIntervalMs("10s")).toBe(10000);
    expect(parseIntervalMs("1.5s")).toBe(1000);
    expect(parseIntervalMs("2min")).toBe(120000);
    expect(parseIntervalMs("1h")).toBe(3600000);
    expect(parseIntervalMs("500ms")).toBe(500);
    expect(parseIntervalMs("2000us")).toBe(2);
    expect(parseIntervalMs("PT1M")).toBe(60000);
    expect(parseIntervalMs("P1D")).toBe(0); // crm_time_get_seconds counts days - 1 for a duration
    expect(parseIntervalMs("soon")).toBeUndefined();
    expect(parseIntervalMs("10 parsecs")).toBeUndefined();
    expect(parseIntervalMs("Pxyz")).toBeUndefined();
  });
});
