// Per-case guard for the remote-or-guest cases of Pacemaker's scheduler corpus (bundles
// aside): every final placement must match crm_simulate 2.1.5, and the cases listed in
// FULL must match the Transition Summary too. Skips with a printed reason without ../shared.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runCorpus } from "../../../core/scheduler/conformance_run.ts";

const root = join(import.meta.dirname, "..", "..", "..", "..", "shared", "conformance", "scheduler");
const casesDir = join(root, "cases");
const present = existsSync(join(root, "index.json"));
if (!present) console.log(`remote-or-guest case guard skipped: conformance corpus not found at ${root}`);

/** Cases that must pass completely (final placement and summary). */
const FULL = [
  "bug-rh-1097457", "container-1", "container-2", "container-3", "container-4", "container-group-1",
  "container-group-2", "container-group-3", "container-group-4", "container-is-remote-node", "guest-node-cleanup",
  "migration-behind-migrating-remote", "one-or-more-unrunnable-instances", "priority-fencing-delay", "remote-disable", "remote-orphaned2",
  "remote-fence-before-reconnect", "remote-fence-unclean", "remote-fence-unclean2", "remote-move",
  "remote-partial-migrate", "remote-partial-migrate2", "remote-probe-disable", "remote-recover",
  "remote-recover-connection", "remote-recover-fail", "remote-recover-no-resources", "remote-recover-unknown", "remote-recovery",
  "remote-stale-node-entry", "remote-start-fail", "remote-startup-probes", "rsc-discovery-per-node", "whitebox-asymmetric",
  "whitebox-fail1", "whitebox-fail3", "whitebox-imply-stop-on-fence", "whitebox-nested-group", "whitebox-orphan-ms",
  "whitebox-move", "whitebox-start", "whitebox-stop", "whitebox-unexpectedly-running",
];

describe.skipIf(!present)("remote-or-guest conformance cases (bundles aside)", () => {
  const index = present
    ? JSON.parse(readFileSync(join(root, "index.json"), "utf8")) as { name: string; tags: string[] }[]
    : [];
  const names = index.filter((e) => e.tags.includes("remote-or-guest") && !e.tags.includes("bundle")).map((e) => e.name);
  const { results } = present ? runCorpus(casesDir, new Set(names)) : { results: [] };
  const byName = new Map(results.map((r) => [r.name, r]));

  it("covers the remote and guest cases", () => {
    expect(names.length).toBeGreaterThanOrEqual(40);
    expect(results.length).toBe(names.length);
  });

  it("matches every final placement", () => {
    const bad = results.filter((r) => !r.finalPass).map((r) => `${r.name}: ${r.problems.slice(0, 3).join("; ")}`);
    expect(bad).toEqual([]);
  });

  for (const name of FULL) {
    it(`passes ${name} completely`, () => {
      const r = byName.get(name);
      expect(r, `case ${name} not in the corpus`).toBeDefined();
      expect(r!.problems).toEqual([]);
    });
  }
});
