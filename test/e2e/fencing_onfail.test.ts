/**
 * A failed stop with `on-fail=fence`, end to end as root (see _fencing_more_helpers.ts for the
 * rig): SF1 (the test-only StopFails agent) runs on remote1 (atrium-remoted in its own
 * namespace, 10.214.225.0/24); it is then told to prefer the host while its stop is told to
 * fail. The stop fails, remote1 is fenced through the fence_recorder device (reboot), and only
 * then SF1 starts on the host (recorder time vs SF1's host state file time, and the alert and
 * webhook order: stop failed -> fencing -> start).
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { byId } from "./_cluster_helpers.ts";
import { fencingSuiteBlocker, type Hook } from "./_fencing_helpers.ts";
import { alertElement, cibXml, lineAt, type MoreRig, nv, recorderDevice, type RigPaths, startMoreRig } from "./_fencing_more_helpers.ts";

const BLOCKER = fencingSuiteBlocker();
if (BLOCKER !== undefined) console.log(`SKIP fencing on-fail=fence e2e: ${BLOCKER}`);

const HOST = "e2e-fohost";
const REMOTE = "remote1";
const NET = { ns: "atre2ef-o1", veth: "atve2efo0", net: "10.214.225" };
const RSC = "SF1";
/** SF1's state file (in the host's /run on the host, in the namespace's private /run on remote1). */
const STATE = `/run/atrium-e2e-onfail-${RSC}.state`;

function cib(p: RigPaths): string {
  const flag = join(p.dir, "stop-fails");
  return cibXml(
    `<crm_config><cluster_property_set id="cib-bootstrap-options">${nv("o", "stonith-enabled", "true")}${nv("o", "stonith-timeout", "20s")}</cluster_property_set></crm_config>` +
      `<nodes><node id="1" uname="${HOST}"/></nodes><resources>` +
      recorderDevice("fence-rec", REMOTE, p.rec) +
      `<primitive id="${REMOTE}" class="ocf" provider="pacemaker" type="remote"><instance_attributes id="r-ia">${nv("r", "server", `${NET.net}.21`)}${nv("r", "reconnect_interval", "60s")}</instance_attributes>` +
      `<operations><op id="r-mon" name="monitor" interval="2s" timeout="10s"/></operations></primitive>` +
      `<primitive id="${RSC}" class="ocf" provider="atrium-test" type="StopFails"><instance_attributes id="${RSC}-ia">${nv(RSC, "state", STATE)}${nv(RSC, "fail_flag", flag)}</instance_attributes>` +
      `<operations><op id="${RSC}-mon" name="monitor" interval="2s" timeout="10s"/><op id="${RSC}-stop" name="stop" interval="0" timeout="10s" on-fail="fence"/></operations></primitive>` +
      `</resources><constraints><rsc_location id="loc-${RSC}" rsc="${RSC}" node="${REMOTE}" score="100"/>` +
      `<rsc_location id="loc-fence-rec" rsc="fence-rec" node="${REMOTE}" score="-INFINITY" resource-discovery="never"/></constraints>` +
      alertElement(p),
  );
}

describe.skipIf(BLOCKER !== undefined)("a failed stop with on-fail=fence end to end", () => {
  let rig: MoreRig | undefined;

  beforeAll(async () => {
    rmSync(STATE, { force: true });
    rig = await startMoreRig(HOST, cib, NET);
  }, 30_000);

  afterAll(async () => {
    if (rig !== undefined) rmSync(join(rig.dir, "stop-fails"), { force: true });
    await rig?.close();
    rmSync(STATE, { force: true });
  }, 60_000);

  it("runs SF1 on remote1, with no fencing so far", async () => {
    const r = rig!;
    const s = await r.until("SF1 on remote1", 40_000, async () => {
      const x = await r.status();
      return byId(x).get(RSC)?.active_on[0] === REMOTE ? x : undefined;
    });
    expect(s.nodes.find((n) => n.name === REMOTE)?.online).toBe(true);
    expect(existsSync(r.rec)).toBe(false);
    expect(existsSync(STATE)).toBe(false); // not on the host
  }, 50_000);

  it("fences remote1 when SF1's stop fails, and starts SF1 on the host only after the fencing", async () => {
    const r = rig!;
    writeFileSync(join(r.dir, "stop-fails"), "1");
    await r.ok("constraint", "location", RSC, "prefers", HOST);
    const s = await r.until("SF1 on the host", 50_000, async () => {
      const x = await r.status();
      return byId(x).get(RSC)?.active_on.length === 1 && byId(x).get(RSC)?.active_on[0] === HOST ? x : undefined;
    });
    expect(byId(s).get(RSC)!.active_on).toEqual([HOST]);
    const rec = readFileSync(r.rec, "utf8");
    expect(rec).toMatch(new RegExp(`plug=${REMOTE}`));
    expect(rec.match(/action=(reboot|off)/g)?.length).toBe(1);
    // The start on the host came after the fencing was done.
    expect(statSync(STATE).mtimeMs).toBeGreaterThan(statSync(r.rec).mtimeMs);
    const h = JSON.parse(await r.ok("fence", "history", REMOTE, "--json")) as { entries: { state: string; devices: string[] }[] };
    expect(h.entries.map((e) => e.state)).toEqual(["success"]);
    expect(h.entries[0]!.devices).toEqual(["fence-rec"]);
  }, 70_000);

  it("raises the alert and the webhook event for the failed stop, the fencing and the start, in order", async () => {
    const r = rig!;
    const stopRe = new RegExp(`'stop' for '${RSC}' on '${REMOTE}': (?!ok)`);
    const fenceRe = new RegExp(`Fencing Operation (reboot|off) of ${REMOTE} by ${HOST} .*: OK`);
    const startRe = new RegExp(`'start' for '${RSC}' on '${HOST}': ok`);
    const lines = await r.until("the alerts", 15_000, async () => {
      const l = r.alerts();
      return lineAt(l, startRe) >= 0 && lineAt(l, fenceRe) >= 0 ? l : undefined;
    });
    const stop = lineAt(lines, stopRe);
    const fenced = lineAt(lines, fenceRe);
    expect(stop).toBeGreaterThanOrEqual(0);
    expect(fenced).toBeGreaterThan(stop);
    // No start of SF1 anywhere but remote1 before the fencing; the first on the host after it.
    expect(lineAt(lines, new RegExp(`'start' for '${RSC}' on '${HOST}'`))).toBeGreaterThan(fenced);

    const isStart = (e: Hook) => e.kind === "resource" && e.resource === RSC && e.node === HOST && e.task === "start";
    const events = await r.until("the webhook events", 15_000, async () => {
      const h = r.hooks;
      return h.some((e) => e.kind === "fencing") && h.some(isStart) ? [...h].sort((a, b) => a.sequence - b.sequence) : undefined;
    });
    const idx = (f: (e: Hook) => boolean): number => events.findIndex(f);
    const hStop = idx((e) => e.kind === "resource" && e.resource === RSC && e.node === REMOTE && e.task === "stop" && e.rc !== 0);
    const hFence = idx((e) => e.kind === "fencing" && e.node === REMOTE && e.rc === 0);
    expect(hStop).toBeGreaterThanOrEqual(0);
    expect(hFence).toBeGreaterThan(hStop);
    expect(idx(isStart)).toBeGreaterThan(hFence);
  }, 40_000);
});
