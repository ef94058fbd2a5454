import { describe, expect, it } from "vitest";
import { addScores, formatScore, INFINITY, parseScore } from "../../../core/scheduler/scores.ts";

describe("scores", () => {
  it("addScores() saturates at INFINITY and lets -INFINITY win", () => {
    expect(addScores(INFINITY, -INFINITY)).toBe(-INFINITY);
    expect(addScores(-INFINITY, INFINITY)).toBe(-INFINITY);
    expect(addScores(999_999, 5)).toBe(INFINITY);
    expect(addScores(-999_999, -5)).toBe(-INFINITY);
    expect(addScores(3, 4)).toBe(7);
  });

  it("parseScore() reads INFINITY spellings and integers, falling back on garbage", () => {
    expect(parseScore("INFINITY")).toBe(INFINITY);
    expect(parseScore("+INFINITY")).toBe(INFINITY);
    expect(parseScore("-INFINITY")).toBe(-INFINITY);
    expect(parseScore("-50")).toBe(-50);
    expect(parseScore("5000000")).toBe(INFINITY);
    expect(parseScore("abc", 7)).toBe(7);
    expect(parseScore(undefined)).toBe(0);
  });

  it("formatScore() prints INFINITY the way Pacemaker does", () => {
    expect(formatScore(INFINITY)).toBe("INFINITY");
    expect(formatScore(-INFINITY)).toBe("-INFINITY");
    expect(formatScore(12)).toBe("12");
  });
});
