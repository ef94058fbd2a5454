/**
 * A guest node fenced by its container's recovery, end to end as root (see
 * _fencing_more_helpers.ts for the rig): stonith-enabled=true and a fence_recorder device that
 * could fence the guest; a netns guest (fguest1, bridge "atre2efg0", 10.214.226.0/24, which no
 * other suite uses) running FG1 and FG2. Its atrium-remoted is killed with SIGKILL: the guest
 * is unclean, and as in Pacemaker 2.1.5 its fencing is the recovery of its container (a
 * pseudo-action: stop + start, a new daemon), never a fence device (the recorder stays
 * untouched, the fencer's history has no operation for it). FG1 and FG2 start again only after
 * the container was recovered, in the alert file and the webhook events alike.
 */
import { existsSync } from "node:fs";
import process from "node:process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { netnsName } from "../../plugins/netns/mod.ts";
import { byId, cmdline, netnsPids, quiet, removeNetns, type Status } from "./_cluster_helpers.ts";
import { fencingSuiteBlocker, type Hook } from "./_fencing_helpers.ts";
import { alertElement, cibXml, lineAt, type MoreRig, nv, recorderDevice, type RigPaths, startMoreRig } from "./_fencing_more_helpers.ts";

const BLOCKER = fencingSuiteBlocker();
if (BLOCKER !== undefined) console.log(`SKIP fencing guest e2e: ${BLOCKER}`);

const HOST = "e2e-fghost";
const GUEST = "fguest1";
const VM = "vm-fguest1";
const NS = netnsName(GUEST);
const BRIDGE = "atre2efg0";
const RSCS = ["FG1", "FG2"];

function cib(p: RigPaths): string {
  return cibXml(
    `<crm_config><cluster_property_set id="cib-bootstrap-options">${nv("o", "stonith-enabled", "true")}${nv("o", "stonith-timeout", "20s")}</cluster_property_set></crm_config>` +
      `<nodes><node id="1" uname="${HOST}"/></nodes><resources>${recorderDevice("fence-rec", GUEST, p.rec)}</resources><constraints/>` +
      alertElement(p),
  );
}

function remoted(): number[] {
  return netnsPids(NS).filter((x) => cmdline(x).includes("atrium-remoted"));
}

function guestUp(s: Status): boolean {
  return s.nodes.some((n) => n.name === GUEST && n.online) && RSCS.every((id) => byId(s).get(id)?.active_on.join() === GUEST);
}

describe.skipIf(BLOCKER !== undefined)("fencing a guest node by recovering its container end to end", () => {
  let rig: MoreRig | undefined;
  let killedAt = 0;
  let before: number[] = [];

  beforeAll(async () => {
    removeNetns(NS);
    quiet("ip", "link", "del", "dev", BRIDGE);
    rig = await startMoreRig(HOST, cib);
  }, 30_000);

  afterAll(async () => {
    await rig?.close();
    removeNetns(NS);
    quiet("ip", "link", "del", "dev", BRIDGE);
  }, 60_000);

  it("runs the guest and its resources, with no fencing so far", async () => {
    const r = rig!;
    await r.ok("resource", "create", VM, "launcher:netns", "address=10.214.226.11/24", `bridge=${BRIDGE}`, "meta", `remote-node=${GUEST}`);
    for (const id of RSCS) {
      await r.ok("resource", "create", id, "ocf:pacemaker:Dummy", "op", "monitor", "interval=1s");
      await r.ok("constraint", "location", id, "prefers", GUEST);
    }
    const s = await r.until("the guest with FG1, FG2", 60_000, async () => {
      const x = await r.status();
      return guestUp(x) ? x : undefined;
    });
    expect(s.nodes.find((n) => n.name === GUEST)?.kind).toBe("guest");
    expect(byId(s).get(VM)!.active_on).toEqual([HOST]);
    expect(existsSync(r.rec)).toBe(false);
    before = remoted();
    expect(before.length).toBe(1);
  }, 70_000);

  it("recovers the container (a new daemon) as the guest's fencing, never asking a fence device", async () => {
    const r = rig!;
    killedAt = r.alerts().length;
    process.kill(before[0]!, "SIGKILL");
    await r.until("the guest back with FG1, FG2", 60_000, async () => {
      const x = await r.status();
      return guestUp(x) && remoted().length === 1 && !remoted().includes(before[0]!) ? x : undefined;
    });
    // No fence device was asked (the recorder could fence the guest) and the fencer has no operation for it.
    expect(existsSync(r.rec)).toBe(false);
    const h = JSON.parse(await r.ok("fence", "history", "--json")) as { entries: unknown[] };
    expect(h.entries).toEqual([]);
    expect(r.log()).toContain(`Fencing of guest node ${GUEST} is implied by the recovery of its container`);
    // The fencing pseudo-action needs no device: asking the API to fence a guest is refused.
    const asked = await r.cli("fence", GUEST);
    expect(asked.code).not.toBe(0);
    expect(existsSync(r.rec)).toBe(false);
  }, 70_000);

  it("starts the guest's resources again only after its container was recovered, in the alerts and the webhook", async () => {
    const r = rig!;
    const vmStop = new RegExp(`'stop' for '${VM}' on '${HOST}'`);
    const vmStart = new RegExp(`'start' for '${VM}' on '${HOST}': ok`);
    const start = (id: string) => new RegExp(`'start' for '${id}' on `);
    const lines = await r.until("the alerts", 15_000, async () => {
      const l = r.alerts();
      const s = lineAt(l, vmStart, killedAt);
      return s >= 0 && RSCS.every((id) => lineAt(l, start(id), s) >= 0) ? l : undefined;
    });
    const stopped = lineAt(lines, vmStop, killedAt);
    const restarted = lineAt(lines, vmStart, killedAt);
    const lost = lineAt(lines, new RegExp(`Node '${GUEST}' is now 'lost'`), killedAt);
    const member = lineAt(lines, new RegExp(`Node '${GUEST}' is now 'member'`), killedAt);
    expect(lost).toBeGreaterThanOrEqual(killedAt);
    expect(stopped).toBeGreaterThan(lost);
    expect(restarted).toBeGreaterThan(stopped);
    expect(member).toBeGreaterThan(restarted);
    // As in Pacemaker 2.1.5, the implied fencing is no fencer operation: no fencing alert.
    expect(lines.some((x) => x.includes("Fencing Operation"))).toBe(false);
    for (const id of RSCS) {
      // The first start of each resource after the kill, anywhere, is on the guest after the recovery.
      const first = lineAt(lines, start(id), killedAt);
      expect(first).toBeGreaterThan(restarted);
      expect(lines[first]).toContain(`on '${GUEST}': ok`);
    }

    const isVm = (task: string) => (e: Hook) => e.kind === "resource" && e.resource === VM && e.task === task && e.node === HOST;
    const events = await r.until("the webhook events", 15_000, async () => {
      const h = [...r.hooks].sort((a, b) => a.sequence - b.sequence);
      const k = h.findLastIndex(isVm("start"));
      return k >= 0 && RSCS.every((id) => h.slice(k).some((e) => e.kind === "resource" && e.resource === id && e.task === "start")) ? h : undefined;
    });
    const hLost = events.findLastIndex((e) => e.kind === "node" && e.node === GUEST && e.desc === "lost");
    const hStop = events.findLastIndex(isVm("stop"));
    const hStart = events.findLastIndex(isVm("start"));
    expect(hLost).toBeGreaterThanOrEqual(0);
    expect(hStop).toBeGreaterThan(hLost);
    expect(hStart).toBeGreaterThan(hStop);
    // Between the container's stop and its start, nothing of the guest starts anywhere.
    const between = events.slice(hStop, hStart).filter((e) => e.kind === "resource" && e.task === "start" && RSCS.includes(e.resource ?? ""));
    expect(between).toEqual([]);
    expect(events.some((e) => e.kind === "fencing")).toBe(false);
  }, 40_000);
});
