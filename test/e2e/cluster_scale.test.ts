/**
 * The scale walkthrough, end to end as root: dist/atriumd.mjs with a temp state dir and a fresh
 * authkey, 8 `launcher:netns` guests on their own bridge and subnet ("atrscale0",
 * 10.214.60.0/24, which no other suite uses) and 32 ocf:pacemaker:Dummy resources with 1 s
 * monitors. Once everything runs, the atrium-remoted of 2 random guests is killed with SIGKILL,
 * one after the other, and everything must recover each time. During the whole suite a checker samples every executor (the
 * host's /run and each guest's private /run) and asserts no Dummy is ever active on two nodes
 * at once. The 64-guest version is `npm run e2e:scale` (scripts/e2e_scale.mjs).
 */
import { rmSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterSuiteBlocker, type Daemon, removeStateDir, startDaemon } from "./_cluster_helpers.ts";
import {
  allGood, type Checker, cleanupScale, createCluster, guestNames, guestsOnline, killAndRecover, leftovers, namespaces, pickRandom, placement, remotedPids,
  resourceIds, resourcesStarted, type ScaleSpec, startChecker,
} from "./_scale_helpers.ts";

const BLOCKER = clusterSuiteBlocker();
if (BLOCKER !== undefined) console.log(`SKIP cluster scale e2e: ${BLOCKER}`);

const HOST = "scale-host";
const SPEC: ScaleSpec = { prefix: "sc", guests: 8, resources: 32, bridge: "atrscale0", subnet: "10.214.60", monitor: "1s" };

describe.skipIf(BLOCKER !== undefined)("cluster walkthrough: 8 guests and 32 resources", () => {
  let d: Daemon | undefined;
  let checker: Checker | undefined;

  beforeAll(async () => {
    cleanupScale(SPEC);
    d = await startDaemon(HOST);
    await d.ok("property", "set", "stonith-enabled=false");
    checker = startChecker(HOST, namespaces(SPEC), resourceIds(SPEC), 200, (v) => console.log(`VIOLATION: ${v.resource} active on ${v.nodes.join(" and ")}`));
  }, 30_000);

  afterAll(async () => {
    await checker?.stop();
    await d?.stop();
    cleanupScale(SPEC);
    removeStateDir(d);
    const left = leftovers(SPEC);
    if (left.length > 0) console.log(`cluster scale e2e: could not remove ${left.join(", ")}`);
  }, 60_000);

  it("starts 8 guests and 32 Dummies, and the checker sees each Dummy where the status says", async () => {
    const t0 = Date.now();
    await createCluster(d!, SPEC);
    const s = await d!.until((x) => allGood(x, SPEC), 60_000, "8 guests online and 32 Dummies started");
    console.log(`cluster scale: ${guestsOnline(s, SPEC)} guests online, ${resourcesStarted(s, SPEC)} Dummies started ${Date.now() - t0} ms after the first create`);
    for (const g of guestNames(SPEC)) {
      expect(s.nodes.find((n) => n.name === g)).toMatchObject({ kind: "guest", online: true, host: HOST });
      expect(remotedPids(namespaces(SPEC).get(g)!).length).toBeGreaterThan(0);
    }
    expect(s.failed_actions).toEqual([]);
    const placed = placement(s, SPEC);
    // Spread: the Dummies run on more than the host alone.
    expect(new Set(placed.values()).size).toBeGreaterThan(1);
    // The checker is not blind: what it sees matches the status, resource by resource.
    const seen = checker!.snapshot();
    for (const [id, node] of placed) expect([id, seen.get(id)]).toEqual([id, [node]]);
    expect(checker!.report().violations).toEqual([]);

    // Nor deaf: a state file of a guest's Dummy forged in the host's /run for a moment is caught.
    const [forged, on] = [...placed].find(([, n]) => n !== HOST)!;
    writeFileSync(`/run/Dummy-${forged}.state`, "");
    await new Promise((r) => setTimeout(r, 800));
    rmSync(`/run/Dummy-${forged}.state`, { force: true });
    const v = checker!.report().violations;
    expect(v.map((x) => [x.resource, [...x.nodes].sort()])).toEqual([[forged, [HOST, on].sort()]]);
  }, 90_000);

  it("recovers after the atrium-remoted of 2 random guests is killed, never running a Dummy twice", async () => {
    // One after another, each waited for. (Both at once: `npm run e2e:scale -- --guests 8
    // --resources 32 --kills 2 --together`; known problems are in scripts/e2e_scale.mjs's header.)
    const victims = pickRandom(guestNames(SPEC), 2);
    for (const v of victims) {
      console.log(`cluster scale: killing the atrium-remoted of ${v}`);
      const [r] = await killAndRecover(d!, SPEC, [v], 70_000);
      console.log(`cluster scale: ${v} failure seen after ${r!.detectedMs} ms, recovered after ${r!.recoveredMs} ms`);
      expect(r!.recoveredMs).toBeLessThan(70_000);
    }
    const s = await d!.status();
    expect(allGood(s, SPEC)).toBe(true);
    const seen = checker!.snapshot();
    for (const [id, node] of placement(s, SPEC)) expect([id, seen.get(id)]).toEqual([id, [node]]);
    const rep = await checker!.stop();
    console.log(`cluster scale checker: ${rep.samples} samples (avg ${rep.sampleMsAvg} ms, max ${rep.sampleMsMax} ms), ${rep.overlapSamples} with two sightings, ${rep.violations.length - 1} violations besides the forged one`);
    // The checker really ran through start-up and both recoveries (recovery now takes about two
    // seconds, so the count depends on how fast the cluster was, not on a fixed duration).
    expect(rep.samples).toBeGreaterThan(20);
    expect(rep.lastGuestViews).toBe(SPEC.guests);
    // Only the forged one of the first test.
    expect(rep.violations.slice(1)).toEqual([]);
  }, 160_000);

  it("leaves nothing behind once stopped", async () => {
    await checker?.stop();
    await d!.stop();
    cleanupScale(SPEC);
    expect(leftovers(SPEC)).toEqual([]);
  }, 60_000);
});
