/**
 * Fencing limits end to end as root (rig: _fencing_more_helpers.ts; namespace atre2efl-r1,
 * 10.214.241.0/24): two fence_recorder devices for remote1 on the host, and
 * stonith-max-attempts=2.
 *
 * - fence-broken answers its monitor with a failure: its start (which runs the agent's monitor)
 *   fails, the failure is in the status, and the fencer never uses it;
 * - fence-fail answers its monitor (start and a recurring monitor run it) but fails to fence.
 *
 * When remote1's daemon is killed, its fencing fails through fence-fail only, is retried until
 * the limit, and then the controller gives up ("Too many failures"): no more attempts, and the
 * node's Dummy is never started on the host.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { byId, cmdline, netnsPids } from "./_cluster_helpers.ts";
import { fencingSuiteBlocker } from "./_fencing_helpers.ts";
import { cibXml, type MoreRig, nv, startMoreRig } from "./_fencing_more_helpers.ts";

const BLOCKER = fencingSuiteBlocker();
if (BLOCKER !== undefined) console.log(`SKIP fencing limits e2e: ${BLOCKER}`);

const HOST = "e2e-flhost";
const REMOTE = "remote1";
const NET = { ns: "atre2efl-r1", veth: "atve2efl", net: "10.214.241" };
const RSC = "FL1";
const STATE = `/run/atrium-e2e-flimit-${RSC}.state`;

function device(id: string, dir: string, mode: string, monitorMode: string, monitor = ""): string {
  return `<primitive id="${id}" class="stonith" type="fence_recorder"><instance_attributes id="${id}-ia">` +
    nv(id, "pcmk_host_list", REMOTE) + nv(id, "record_file", join(dir, `${id}.rec`)) + nv(id, "mode", mode) +
    nv(id, "monitor_mode", monitorMode) + nv(id, "monitor_record_file", join(dir, `${id}.mon`)) +
    nv(id, "state_file", join(dir, `${id}.state`)) + nv(id, "pcmk_reboot_retries", "1") + nv(id, "pcmk_monitor_retries", "1") +
    `</instance_attributes>${monitor}</primitive>`;
}

function count(file: string, re: RegExp): number {
  return existsSync(file) ? (readFileSync(file, "utf8").match(re)?.length ?? 0) : 0;
}

describe.skipIf(BLOCKER !== undefined)("fencing limits and fence device monitors end to end", () => {
  let rig: MoreRig | undefined;

  beforeAll(async () => {
    rmSync(STATE, { force: true });
    rig = await startMoreRig(HOST, (p) =>
      cibXml(
        `<crm_config><cluster_property_set id="cib-bootstrap-options">${nv("o", "stonith-enabled", "true")}${nv("o", "stonith-timeout", "20s")}` +
          `${nv("o", "stonith-max-attempts", "2")}</cluster_property_set></crm_config>` +
          `<nodes><node id="1" uname="${HOST}"/></nodes><resources>` +
          device("fence-broken", p.dir, "ok", "fail") +
          device("fence-fail", p.dir, "fail", "ok", `<operations><op id="ff-mon" name="monitor" interval="2s" timeout="20s"/></operations>`) +
          `<primitive id="${REMOTE}" class="ocf" provider="pacemaker" type="remote"><instance_attributes id="r-ia">${nv("r", "server", `${NET.net}.21`)}` +
          `${nv("r", "reconnect_interval", "60s")}</instance_attributes><operations><op id="r-mon" name="monitor" interval="2s" timeout="10s"/></operations></primitive>` +
          `<primitive id="${RSC}" class="ocf" provider="pacemaker" type="Dummy"><instance_attributes id="${RSC}-ia">${nv(RSC, "state", STATE)}</instance_attributes>` +
          `<operations><op id="${RSC}-mon" name="monitor" interval="1s" timeout="20s"/></operations></primitive>` +
          `</resources><constraints><rsc_location id="loc-${RSC}" rsc="${RSC}" node="${REMOTE}" score="100"/>` +
          ["fence-broken", "fence-fail"].map((id) => `<rsc_location id="loc-${id}" rsc="${id}" node="${REMOTE}" score="-INFINITY" resource-discovery="never"/>`).join("") +
          `</constraints>`,
      ), NET);
  }, 30_000);

  afterAll(async () => {
    await rig?.close();
    rmSync(STATE, { force: true });
  }, 60_000);

  it("starts fence devices through their monitor: a failing monitor fails the start and is shown", async () => {
    const r = rig!;
    const s = await r.until(`${RSC} on ${REMOTE}, fence-fail started, fence-broken failed`, 40_000, async () => {
      const x = await r.status();
      const ids = byId(x);
      return ids.get(RSC)?.active_on[0] === REMOTE && ids.get("fence-fail")?.active_on[0] === HOST &&
          x.failed_actions.some((f) => (f as { resource?: string }).resource === "fence-broken")
        ? x
        : undefined;
    });
    expect(byId(s).get("fence-broken")?.active_on).toEqual([]);
    const failed = s.failed_actions.find((f) => (f as { resource?: string }).resource === "fence-broken") as { action?: string; rc?: number } | undefined;
    expect(failed).toMatchObject({ action: "start", rc: 1 });
    // Both starts ran the agent's monitor; the recurring monitor of fence-fail keeps running it.
    expect(count(join(r.dir, "fence-broken.mon"), /action=monitor/g)).toBeGreaterThanOrEqual(1);
    await r.until("fence-fail's recurring monitor", 20_000, async () => (count(join(r.dir, "fence-fail.mon"), /action=monitor/g) >= 3 ? true : undefined));
    expect(existsSync(join(r.dir, "fence-fail.rec"))).toBe(false); // no fencing yet
  }, 60_000);

  it("retries the failing fencing up to stonith-max-attempts, then gives up; never uses the failed device", async () => {
    const r = rig!;
    const pids = netnsPids(NET.ns).filter((x) => cmdline(x).includes("atrium-remoted"));
    expect(pids.length).toBe(1);
    process.kill(pids[0]!, "SIGKILL");
    await r.until("the controller giving up", 60_000, async () => (/Too many failures \(\d+\) to fence remote1, giving up/.test(r.log()) ? true : undefined));
    const rec = join(r.dir, "fence-fail.rec");
    const attempts = count(rec, /action=reboot/g);
    expect(attempts).toBeGreaterThanOrEqual(2);
    // Given up: no new attempt for a while (the next one waits for a change or the recheck timer).
    await new Promise((res) => setTimeout(res, 5000));
    expect(count(rec, /action=reboot/g)).toBe(attempts);
    expect(existsSync(join(r.dir, "fence-broken.rec"))).toBe(false);
    const h = JSON.parse(await r.ok("fence", "history", REMOTE, "--json")) as { entries: { state: string; devices: string[] }[] };
    expect(h.entries.length).toBeGreaterThanOrEqual(2);
    expect(h.entries.every((e) => e.state === "failed" && !e.devices.includes("fence-broken"))).toBe(true);
    const s = await r.status();
    expect(byId(s).get(RSC)!.active_on).not.toContain(HOST);
    expect(existsSync(STATE)).toBe(false);
    // The status says so, in JSON and in words.
    const limits = (s as unknown as { fencing_limits?: { target: string; failures: number; limit_reached: boolean; hint?: string }[] }).fencing_limits;
    const lim = limits?.find((l) => l.target === REMOTE);
    expect(lim?.limit_reached).toBe(true);
    expect(lim?.failures).toBe(attempts);
    const text = await r.ok("status");
    expect(text).toContain("Fencing Limits:");
    expect(text).toMatch(/remote1: fencing failed \d+ times \(stonith-max-attempts=\d+\), giving up for now/);
  }, 90_000);
});
