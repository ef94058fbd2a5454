import { describe, expect, it } from "vitest";
import {
  dateSpecNextChange,
  formatDateTime,
  moonPhase,
  parseDateTime,
  parseRange,
  specRanges,
} from "../../../../core/cib/rules/mod.ts";

describe("date_spec helpers", () => {
  it("parseRange() reads N, N-M, N- and -M like pcmk__parse_ll_range", () => {
    expect(parseRange("9-16")).toEqual({ low: 9, high: 16 });
    expect(parseRange("5")).toEqual({ low: 5, high: 5 });
    expect(parseRange("5-")).toEqual({ low: 5, high: -1 });
    expect(parseRange("-5")).toEqual({ low: -1, high: 5 });
    for (const bad of ["", "-", "x", "5x", "5-x", "-5-", "1-2-3"]) expect(parseRange(bad)).toBeUndefined();
  });

  it("moonPhase() follows the nethack formula Pacemaker uses", () => {
    expect(moonPhase(parseDateTime("2005-01-25"))).toBe(4); // a full moon
    expect(moonPhase(parseDateTime("2005-01-10"))).toBe(0); // a new moon
  });

  it("dateSpecNextChange() finds the next flip in both directions", () => {
    const spec = { tag: "date_spec", attrs: { id: "s", hours: "9-16", weekdays: "1-5" }, children: [] };
    const ranges = specRanges(spec);
    const friday = parseDateTime("2005-01-21T15:00:00Z");
    expect(formatDateTime(dateSpecNextChange(friday, ranges)!)).toBe("2005-01-21 17:00:00Z");
    const evening = parseDateTime("2005-01-21T18:00:00Z");
    expect(formatDateTime(dateSpecNextChange(evening, ranges)!)).toBe("2005-01-24 09:00:00Z");
    const local = parseDateTime("2005-01-21T18:00:00 -05:00");
    expect(formatDateTime(dateSpecNextChange(local, ranges)!, { local: true })).toBe(
      "2005-01-24 09:00:00 -05:00",
    );
    expect(dateSpecNextChange(friday, specRanges(undefined))).toBeUndefined();
    const secs = specRanges({ tag: "date_spec", attrs: { seconds: "0-9", minutes: "30" }, children: [] });
    expect(formatDateTime(dateSpecNextChange(parseDateTime("2005-01-21T10:00:00Z"), secs)!)).toBe(
      "2005-01-21 10:30:00Z",
    );
    expect(formatDateTime(dateSpecNextChange(parseDateTime("2005-01-21T10:30:05Z"), secs)!)).toBe(
      "2005-01-21 10:30:10Z",
    );
  });
});
