import { describe, expect, it } from "vitest";
import { parseCommandArgs } from "../../core/cli/parse_args.ts";

describe("parseCommandArgs()", () => {
  it("parses string and boolean options and keeps positionals", () => {
    const r = parseCommandArgs(["--xml-file", "a.xml", "--json", "extra"], {
      "xml-file": { type: "string" },
      json: { type: "boolean" },
    }, { command: "atrium simulate" });
    expect(r.values["xml-file"]).toBe("a.xml");
    expect(r.values.json).toBe(true);
    expect(r.positionals).toEqual(["extra"]);
  });

  it("rejects an unknown option with a message naming the command and the option", () => {
    expect(() => parseCommandArgs(["--bogus"], {}, { command: "atrium verify" })).toThrow(
      /Cannot parse arguments of "atrium verify".*--bogus/,
    );
  });

  it("applies defaults only where the option is absent", () => {
    const r = parseCommandArgs(["--format", "json"], {
      format: { type: "string", default: "xml" },
      port: { type: "string", default: "3121" },
    }, { command: "x" });
    expect(r.values.format).toBe("json");
    expect(r.values.port).toBe("3121");
  });
});
