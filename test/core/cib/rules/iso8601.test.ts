import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  addDuration,
  addMonths,
  addSeconds,
  compareTimes,
  formatDateTime,
  formatDuration,
  fromDate,
  fromEpochSeconds,
  parseDateTime,
  parseDuration,
  parseInterval,
  parseNow,
  toDate,
  toEpochSeconds,
  toGregorian,
  toIsoWeek,
} from "../../../../core/cib/rules/mod.ts";

// Expected values are literals printed by Pacemaker 2.1.5's `iso8601` tool (pacemaker-cli-utils,
// Debian 12) run with TZ=UTC: `iso8601 -d X` (UTC form), `iso8601 -d X -S` (epoch seconds) and
// `iso8601 -d X -L` (local form keeping the offset).
const UTC = { localOffset: 0 };

const DATES: ReadonlyArray<[input: string, utc: string, epoch: number, local?: string]> = [
  ["2005-020", "2005-01-20 00:00:00Z", 1106179200],
  ["2005-020T11:30", "2005-01-20 11:30:00Z", 1106220600],
  ["2005-020T12:30", "2005-01-20 12:30:00Z", 1106224200],
  ["2014-05-07 00:28:00", "2014-05-07 00:28:00Z", 1399422480],
  ["2005-01-20", "2005-01-20 00:00:00Z", 1106179200],
  ["20050120", "2005-01-20 00:00:00Z", 1106179200],
  ["2005-W03-4", "2005-01-20 00:00:00Z", 1106179200],
  ["2009-W01-1", "2008-12-29 00:00:00Z", 1230508800],
  ["2009-W53-7", "2010-01-03 00:00:00Z", 1262476800],
  ["2008-W37-6", "2008-09-13 00:00:00Z", 1221264000],
  ["2004-W53-7", "2005-01-02 00:00:00Z", 1104624000],
  ["2005-020T113000", "2005-01-20 11:30:00Z", 1106220600],
  ["2005-020T1130", "2005-01-20 11:30:00Z", 1106220600],
  ["2005-020T11:30:00.75", "2005-01-20 11:30:00Z", 1106220600],
  ["2005-020T11:30Z", "2005-01-20 11:30:00Z", 1106220600],
  // an offset glued to the time is ignored by Pacemaker (local time, UTC here)
  ["2005-020T11:30+01:00", "2005-01-20 11:30:00Z", 1106220600],
  ["2005-020T11:30 +01:00", "2005-01-20 10:30:00Z", 1106217000, "2005-01-20 11:30:00 +01:00"],
  ["2019-09-23 18:00:00 -05:00", "2019-09-23 23:00:00Z", 1569279600, "2019-09-23 18:00:00 -05:00"],
  ["2019-09-24 00:30:00 +01:00", "2019-09-23 23:30:00Z", 1569281400, "2019-09-24 00:30:00 +01:00"],
  ["2005-020T11:30 +01:30", "2005-01-20 10:00:00Z", 1106215200],
  ["2005-020T11:30 abc", "2005-01-20 11:30:00Z", 1106220600],
  ["2005-02", "2005-01-02 00:00:00Z", 1104624000],
  ["epoch", "1970-01-01 00:00:00Z", 0],
  ["2004-02-29", "2004-02-29 00:00:00Z", 1078012800],
  ["2004-366", "2004-12-31 00:00:00Z", 1104451200],
  ["2005-020T24:00", "2005-01-21 00:00:00Z", 1106265600],
  ["2005-040xyz", "2005-02-09 00:00:00Z", 1107907200],
  ["2005-020T", "2005-01-20 00:00:00Z", 1106179200],
  ["2005-020 0130", "2005-01-20 01:30:00Z", 1106184600],
  ["2005-W03-4T11:30", "2005-01-20 11:30:00Z", 1106220600],
  [" 2005-020", "2005-01-20 20:05:00Z", 1106251500],
];

const INVALID = [
  "2005",
  "2005-02-29",
  "2005-366",
  "2005-020T25:00",
  "2005-13-01",
  "2005-W53-1",
  "2005-01-20T11:30:61",
  "garbage",
  "",
  "2005-020Tx",
];

describe("parseDateTime() agrees with Pacemaker's iso8601 tool", () => {
  it.each(DATES)("parses %j", (input, utc, epoch, local) => {
    const t = parseDateTime(input, UTC);
    expect(formatDateTime(t)).toBe(utc);
    expect(toEpochSeconds(t)).toBe(epoch);
    if (local !== undefined) expect(formatDateTime(t, { local: true })).toBe(local);
  });

  it.each(INVALID)("rejects %j with a SyntaxError naming the input and a position", (input) => {
    expect(() => parseDateTime(input, UTC)).toThrow(SyntaxError);
    expect(() => parseDateTime(input, UTC)).toThrow(new RegExp(`${JSON.stringify(input)} at position \\d+`));
  });

  it("uses the local offset for a time without one and keeps UTC for a bare date", () => {
    // TZ=America/Chicago iso8601 -d "2005-020T11:30" -S printed 1106242200 (offset -06:00)
    expect(toEpochSeconds(parseDateTime("2005-020T11:30", { localOffset: -21600 }))).toBe(1106242200);
    expect(toEpochSeconds(parseDateTime("2005-020T11:30+01:00", { localOffset: -21600 }))).toBe(1106242200);
    expect(toEpochSeconds(parseDateTime("2005-020T11:30Z", { localOffset: -21600 }))).toBe(1106220600);
    expect(toEpochSeconds(parseDateTime("2005-020", { localOffset: -21600 }))).toBe(1106179200);
    expect(formatDateTime(parseDateTime("2014-05-07 00:28:00", { localOffset: -21600 }), { local: true }))
      .toBe("2014-05-07 00:28:00 -06:00");
  });

  it("takes today's date for a time alone", () => {
    const now = parseDateTime("2026-11-25T05:00Z");
    expect(formatDateTime(parseDateTime("T11:30", { ...UTC, now }))).toBe("2026-11-25 11:30:00Z");
    expect(formatDateTime(parseDateTime("11:30:00", { ...UTC, now }))).toBe("2026-11-25 11:30:00Z");
  });

  it("prints ordinal and week forms like iso8601 -O and -W", () => {
    expect(formatDateTime(parseDateTime("2005-020T11:30:00Z"), { style: "ordinal" })).toBe(
      "2005-020 11:30:00Z",
    );
    expect(formatDateTime(parseDateTime("2005-01-20"), { style: "week" })).toBe("2005-W03-4 00:00:00Z");
    expect(formatDateTime(parseDateTime("2008-12-29"), { style: "week" })).toBe("2009-W01-1 00:00:00Z");
    expect(formatDateTime(parseDateTime("2010-01-03"), { style: "week" })).toBe("2009-W53-7 00:00:00Z");
    expect(toIsoWeek(parseDateTime("2010-01-03"))).toEqual({ year: 2009, week: 53, weekday: 7 });
  });
});

describe("parseDuration() agrees with iso8601 -D", () => {
  it.each(
    [
      ["P1Y2M3DT4H5M6S", { years: 1, months: 2, days: 3, seconds: 14706 }],
      ["PT30M", { years: 0, months: 0, days: 0, seconds: 1800 }],
      ["P2W", { years: 0, months: 0, days: 14, seconds: 0 }],
      ["P1M", { years: 0, months: 1, days: 0, seconds: 0 }],
      ["PT1M", { years: 0, months: 0, days: 0, seconds: 60 }],
      ["PT36H", { years: 0, months: 0, days: 0, seconds: 129600 }],
      ["P1W2D", { years: 0, months: 0, days: 9, seconds: 0 }],
      ["P-1D", { years: 0, months: 0, days: -1, seconds: 0 }],
      ["P1DT", { years: 0, months: 0, days: 1, seconds: 0 }],
      ["P1Y2M3DT4H5M6S junk", { years: 1, months: 2, days: 3, seconds: 14706 }],
      ["PT0S", { years: 0, months: 0, days: 0, seconds: 0 }],
      ["PT", { years: 0, months: 0, days: 0, seconds: 0 }],
      ["PT.5S", { years: 0, months: 0, days: 0, seconds: 0 }],
    ] as const,
  )("parses %j", (input, expected) => {
    expect(parseDuration(input)).toEqual(expected);
  });

  it.each(["P", "P1X", "P1", "PT1.5H", "1D", ""])("rejects %j", (input) => {
    expect(() => parseDuration(input)).toThrow(SyntaxError);
  });

  it("formats durations back to ISO 8601", () => {
    expect(formatDuration(parseDuration("P1Y2M3DT4H5M6S"))).toBe("P1Y2M3DT4H5M6S");
    expect(formatDuration(parseDuration("P2W"))).toBe("P14D");
    expect(formatDuration(parseDuration("PT0S"))).toBe("PT0S");
  });
});

describe("calendar arithmetic follows crm_time (checked with iso8601 -p)", () => {
  it.each([
    ["2005-040/2005-043", "2005-02-09 00:00:00Z", "2005-02-12 00:00:00Z"],
    ["2005-040/P1M", "2005-02-09 00:00:00Z", "2005-03-09 00:00:00Z"],
    ["2005-01-31/P1M", "2005-01-31 00:00:00Z", "2005-02-28 00:00:00Z"],
    ["2004-01-31/P1M", "2004-01-31 00:00:00Z", "2004-02-29 00:00:00Z"],
    ["2005-01-31T10:00:00/P1M1D", "2005-01-31 10:00:00Z", "2005-03-01 10:00:00Z"],
    ["P1D/2005-043", "2005-02-11 00:00:00Z", "2005-02-12 00:00:00Z"],
    ["2004-02-29/P1Y", "2004-02-29 00:00:00Z", "2005-03-01 00:00:00Z"],
    ["2004-366/P1Y", "2004-12-31 00:00:00Z", "2005-12-31 00:00:00Z"],
    ["2005-01-31/P13M", "2005-01-31 00:00:00Z", "2006-02-28 00:00:00Z"],
    ["2005-03-31/P1Y1M", "2005-03-31 00:00:00Z", "2006-04-30 00:00:00Z"],
    ["2005-12-31T23:59:59/PT1S", "2005-12-31 23:59:59Z", "2006-01-01 00:00:00Z"],
  ])("interval %j", (input, start, end) => {
    const p = parseInterval(input, UTC);
    expect(formatDateTime(p.start)).toBe(start);
    expect(formatDateTime(p.end)).toBe(end);
  });

  it("rejects an interval with neither end nor duration, or two durations", () => {
    expect(() => parseInterval("2005-040", UTC)).toThrow(/no duration or end/);
    expect(() => parseInterval("P1D/P2D", UTC)).toThrow(/two durations/);
  });

  it("subtracts months across a year and clamps to the month end", () => {
    const t = parseDateTime("2005-03-31", UTC);
    expect(toGregorian(addMonths(t, -1))).toEqual({ year: 2005, month: 2, day: 28 });
    expect(toGregorian(addMonths(t, -3))).toEqual({ year: 2004, month: 12, day: 31 });
    expect(toGregorian(addMonths(parseDateTime("2004-03-31"), -1))).toEqual({
      year: 2004,
      month: 2,
      day: 29,
    });
    expect(toGregorian(addMonths(t, 25))).toEqual({ year: 2007, month: 4, day: 30 });
  });

  it("carries seconds across day and year boundaries in both directions", () => {
    const t = parseDateTime("2005-001T00:00:00Z");
    expect(formatDateTime(addSeconds(t, -1))).toBe("2004-12-31 23:59:59Z");
    expect(formatDateTime(addSeconds(t, 366 * 86400))).toBe("2006-01-02 00:00:00Z");
    expect(formatDateTime(addDuration(t, parseDuration("P400Y")))).toBe("2405-01-01 00:00:00Z");
    expect(formatDateTime(addSeconds(t, 1000 * 365 * 86400))).toBe("3004-05-04 00:00:00Z"); // python: date(2005,1,1) + 365000 days;
  });

  it("compares instants across offsets", () => {
    const a = parseDateTime("2005-020T12:00:00Z");
    const b = parseDateTime("2005-020T12:30:00 +01:00");
    expect(compareTimes(a, b)).toBe(1);
    expect(compareTimes(b, a)).toBe(-1);
    expect(compareTimes(parseDateTime("2005-020T11:30:00 +00:00"), b)).toBe(0);
  });

  it("converts to and from epoch seconds and Date", () => {
    const t = fromEpochSeconds(1568992252, 0);
    expect(formatDateTime(t)).toBe("2019-09-20 15:10:52Z");
    expect(toEpochSeconds(fromEpochSeconds(1568992252, -18000))).toBe(1568992252);
    expect(formatDateTime(fromEpochSeconds(1568992252, -18000), { local: true })).toBe(
      "2019-09-20 10:10:52 -05:00",
    );
    expect(toDate(t).toISOString()).toBe("2019-09-20T15:10:52.000Z");
    expect(toEpochSeconds(fromDate(new Date("1969-12-31T23:59:59.900Z"), 0))).toBe(-1);
    expect(() => fromDate(new Date("nope"))).toThrow(RangeError);
  });
});

describe("parseNow() chooses the simulation time like crm_simulate", () => {
  it("prefers -t, then execution-date, then the clock", () => {
    expect(formatDateTime(parseNow("2005-020T12:30", "1568992252", UTC))).toBe("2005-01-20 12:30:00Z");
    expect(toEpochSeconds(parseNow(undefined, "1568992252", UTC))).toBe(1568992252);
    expect(toEpochSeconds(parseNow("", "1568992252"))).toBe(1568992252);
    const now = parseDateTime("2026-01-01T00:00:00Z");
    expect(parseNow(undefined, "0", { now })).toEqual(now);
    expect(parseNow(undefined, "junk", { now })).toEqual(now);
    expect(parseNow(undefined, undefined, { now })).toEqual(now);
    expect(() => parseNow("not a date")).toThrow(SyntaxError);
  });
});

describe("differential check against every input in fixtures/ (generated with the iso8601 tool)", () => {
  function fixture(name: string): Record<string, string | null> {
    const text = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
    return (JSON.parse(text) as { cases: Record<string, string | null> }).cases;
  }

  it("parses dates exactly as iso8601 -d does", () => {
    const cases = fixture("iso8601_dates.json");
    const now = parseDateTime("2026-11-25T12:00:00Z");
    const mismatches: string[] = [];
    for (const [input, want] of Object.entries(cases)) {
      let got: string | null;
      try {
        got = formatDateTime(parseDateTime(input, { localOffset: 0, now }));
      } catch {
        got = null;
      }
      // a time without a date takes the current date, so only validity is comparable
      const timeOnly = input[0] === "T" || input[2] === ":";
      if (timeOnly ? (got === null) !== (want === null) : got !== want) {
        mismatches.push(`${input}: ${want} vs ${got}`);
      }
    }
    expect(Object.keys(cases).length).toBeGreaterThan(200);
    expect(mismatches).toEqual([]);
  });

  it("parses intervals exactly as iso8601 -p does", () => {
    const cases = fixture("iso8601_periods.json");
    const mismatches: string[] = [];
    for (const [input, want] of Object.entries(cases)) {
      let got: string | null;
      try {
        const p = parseInterval(input, { localOffset: 0 });
        got = `${formatDateTime(p.start)} to ${formatDateTime(p.end)}`;
      } catch {
        got = null;
      }
      if (got !== want) mismatches.push(`${input}: ${want} vs ${got}`);
    }
    expect(Object.keys(cases).length).toBeGreaterThan(190);
    expect(mismatches).toEqual([]);
  });
});
