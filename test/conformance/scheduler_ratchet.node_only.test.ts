// The conformance ratchet: runs the scheduler in-process over every case of Pacemaker's
// scheduler regression corpus and fails when any per-tag rate falls below its floor in
// floors.json (floor = rate rounded down; raise floors as the scheduler improves with
// `npm run conformance -- --write-floors`). A case that throws fails loudly.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runCorpus } from "../../core/scheduler/conformance_run.ts";

const casesDir = join(import.meta.dirname, "..", "..", "..", "shared", "conformance", "scheduler", "cases");
const floors = JSON.parse(readFileSync(join(import.meta.dirname, "floors.json"), "utf8")) as Record<string, { final: number; pass: number }>;
const present = existsSync(casesDir);
if (!present) console.log(`scheduler ratchet skipped: conformance corpus not found at ${casesDir}`);

describe.skipIf(!present)("scheduler conformance ratchet", () => {
  const { results, perTag } = present ? runCorpus(casesDir) : { results: [], perTag: {} };

  it("schedules every case without throwing", () => {
    const crashes = results.filter((r) => r.crash);
    for (const c of crashes) console.error(`SCHEDULER CRASH in case ${c.name}:\n${c.crash}`);
    expect(crashes.map((c) => c.name)).toEqual([]);
  });

  it("ran the whole corpus", () => {
    expect(results.length).toBeGreaterThanOrEqual(639);
  });

  for (const [tag, floor] of Object.entries(floors)) {
    it(`keeps tag "${tag}" at or above its floors (final ${floor.final}%, pass ${floor.pass}%)`, () => {
      const x = perTag[tag];
      expect(x, `tag ${tag} has no cases`).toBeDefined();
      const finalRate = Math.floor(1000 * x!.final / x!.total) / 10;
      const passRate = Math.floor(1000 * x!.pass / x!.total) / 10;
      expect(finalRate).toBeGreaterThanOrEqual(floor.final);
      expect(passRate).toBeGreaterThanOrEqual(floor.pass);
    });
  }
});
