// `atrium simulate` end to end (in-process): the conformance JSON, the text output, --explain
// and --save-output on cases of the corpus (skipped with a reason when ../shared is absent).
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simulateCommand } from "../../agents/atrium/cmd_simulate.ts";
import { compareConformance } from "../../core/scheduler/conformance.ts";
import { parseCib } from "../../core/cib/codec.ts";
import { schedule } from "../../core/scheduler/mod.ts";

const cases = join(import.meta.dirname, "..", "..", "..", "shared", "conformance", "scheduler", "cases");
const present = existsSync(cases);
if (!present) console.log(`simulate CLI tests skipped: conformance corpus not found at ${cases}`);

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await simulateCommand.run(args, { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, env: {}, cwd: process.cwd() });
  return { code, out, err };
}

describe.skipIf(!present)("atrium simulate", () => {
  it("prints exactly the conformance format with --json and matches the expectation", async () => {
    const dir = join(cases, "1-a-then-bm-move-b");
    const r = await run(["--xml-file", join(dir, "cib.xml"), "--now=", "--json"]);
    expect(r.code).toBe(0);
    const actual = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(actual).sort()).toEqual(["final", "nodes", "summary"]);
    const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8"));
    expect(compareConformance(expected, actual as never).problems).toEqual([]);
  });

  it("honours --now for date-based rules", async () => {
    const dir = join(cases, "date-1");
    const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as { meta: { now: string } };
    const r = await run(["--xml-file", join(dir, "cib.xml"), `--now=${expected.meta.now}`, "--json"]);
    expect(compareConformance(expected as never, JSON.parse(r.out)).pass).toBe(true);
  });

  it("prints status, summary and revised status as text, with scores and an explanation", async () => {
    const r = await run(["--xml-file", join(cases, "1-a-then-bm-move-b", "cib.xml"), "--show-scores", "--explain", "B"]);
    expect(r.out).toContain("Current cluster status:");
    expect(r.out).toContain("Transition Summary:");
    expect(r.out).toMatch(/Migrate\s+B\s+\( 18node2 -> 18node1 \)/);
    expect(r.out).toContain("Revised Cluster Status:");
    expect(r.out).toContain("allocation score on 18node1: INFINITY");
    expect(r.out).toContain("location constraint location-B-18node2-INFINITY");
  });

  it("writes the resulting CIB with --save-output, and scheduling it again has nothing left to run", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "atrium-sim-")), "after.xml");
    const input = join(cases, "order-required", "cib.xml");
    const r = await run(["--xml-file", input, "--save-output", out]);
    expect(r.code).toBe(0);
    const first = schedule(parseCib(readFileSync(input, "utf8")), {});
    expect(first.summary.filter((e) => !("blocked" in e && e.blocked)).length).toBeGreaterThan(0);
    const again = schedule(parseCib(readFileSync(out, "utf8")), {});
    expect(again.summary.filter((e) => !("blocked" in e && e.blocked))).toEqual([]);
    expect(again.placement).toEqual(first.placement);
  });

  it("rejects a missing file and an unknown resource without throwing", async () => {
    expect((await run(["--xml-file", "/nonexistent/cib.xml"])).code).toBe(66);
    const r = await run(["--xml-file", join(cases, "1-a-then-bm-move-b", "cib.xml"), "--explain", "nope"]);
    expect(r.code).toBe(65);
    expect(r.err).toContain(`Cannot explain resource "nope"`);
    expect((await run([])).code).toBe(64);
  });
});
