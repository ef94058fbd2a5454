/**
 * The guest-node walkthrough, end to end as root: dist/atriumd.mjs with a temp state dir, driven
 * by dist/atrium.mjs. A netns guest node (its own bridge and subnet, 10.214.220.0/24 on
 * "atre2eg0", which no other suite uses), five Dummies spread over the host and the guest, a
 * location preference; then the guest's daemon is killed with SIGKILL: the connection monitor
 * fails under the guest's name, the guest is fenced by recovering its container, rejoins, and
 * its resources run again. Every namespace, bridge and process is removed in afterAll.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { netnsName } from "../../plugins/netns/mod.ts";
import {
  byId,
  clusterSuiteBlocker,
  cmdline,
  type Daemon,
  netnsPids,
  quiet,
  removeNetns,
  removeStateDir,
  startDaemon,
  type Status,
} from "./_cluster_helpers.ts";

const BLOCKER = clusterSuiteBlocker();
if (BLOCKER !== undefined) console.log(`SKIP cluster guest e2e: ${BLOCKER}`);

const HOST = "e2e-host";
const GUEST = "guest1";
const NS = netnsName(GUEST);
const BRIDGE = "atre2eg0";
const FAKES = ["FAKE1", "FAKE2", "FAKE3", "FAKE4", "FAKE5"];

function allStarted(s: Status): boolean {
  const r = byId(s);
  return FAKES.every((id) => r.get(id)?.role === "Started" && r.get(id)!.active_on.length === 1);
}

function guestOnline(s: Status): boolean {
  return s.nodes.some((n) => n.name === GUEST && n.online);
}

describe.skipIf(BLOCKER !== undefined)("cluster walkthrough: a guest node", () => {
  let d: Daemon | undefined;

  beforeAll(async () => {
    removeNetns(NS);
    d = await startDaemon(HOST);
    await d.ok("property", "set", "stonith-enabled=false");
  }, 30_000);

  afterAll(async () => {
    await d?.stop();
    removeNetns(NS);
    quiet("ip", "link", "del", "dev", BRIDGE);
    removeStateDir(d);
  }, 60_000);

  it("runs a guest node and five resources spread over the host and the guest", async () => {
    await d!.ok(
      "resource",
      "create",
      "vm-guest1",
      "launcher:netns",
      "address=10.214.220.11/24",
      `bridge=${BRIDGE}`,
      "meta",
      `remote-node=${GUEST}`,
    );
    for (const id of FAKES) {
      await d!.ok("resource", "create", id, "ocf:pacemaker:Dummy", "op", "monitor", "interval=1s");
    }
    const s = await d!.until(
      (x) => guestOnline(x) && allStarted(x),
      60_000,
      "guest1 online and FAKE1..5 started",
    );
    const g = s.nodes.find((n) => n.name === GUEST)!;
    expect(g.kind).toBe("guest");
    expect(g.online).toBe(true);
    expect(g.host).toBe(HOST);
    const where = new Set(FAKES.map((id) => byId(s).get(id)!.active_on[0]));
    expect(where).toEqual(new Set([HOST, GUEST]));
    expect(s.failed_actions).toEqual([]);
    // The guest's resources really run inside the namespace (the daemon there answers).
    expect(netnsPids(NS).some((p) => cmdline(p).includes("atrium-remoted"))).toBe(true);
  }, 90_000);

  it("moves FAKE3 to the guest when it prefers the guest", async () => {
    await d!.ok("constraint", "location", "FAKE3", "prefers", GUEST);
    const s = await d!.until(
      (x) => allStarted(x) && byId(x).get("FAKE3")!.active_on[0] === GUEST,
      30_000,
      "FAKE3 on guest1",
    );
    expect(byId(s).get("FAKE3")!.active_on).toEqual([GUEST]);
  }, 40_000);

  it(
    "recovers the guest after its daemon is killed: failed connection monitor, container restart, rejoin",
    async () => {
      const daemons = netnsPids(NS).filter((p) => cmdline(p).includes("atrium-remoted"));
      expect(daemons.length).toBeGreaterThan(0);
      const t0 = Date.now();
      for (const p of daemons) process.kill(p, "SIGKILL");

      // The connection's monitor fails under the guest's name (on the host, where the connection runs).
      const failed = await d!.until(
        (x) => x.failed_actions.some((f) => f.resource === GUEST && f.action === "monitor"),
        60_000,
        "a failed guest1 monitor",
      );
      const detectedMs = Date.now() - t0;
      const f = failed.failed_actions.find((x) => x.resource === GUEST && x.action === "monitor")!;
      expect(f.node).toBe(HOST);

      // Its container is recovered (a new daemon in a new namespace), the guest rejoins, its resources run again.
      const back = await d!.until(
        (x) => guestOnline(x) && allStarted(x) && byId(x).get("FAKE3")!.active_on[0] === GUEST,
        60_000,
        "guest1 back with FAKE3",
      );
      const recoveredMs = Date.now() - t0;
      const after = netnsPids(NS).filter((p) => cmdline(p).includes("atrium-remoted"));
      expect(after.length).toBeGreaterThan(0);
      expect(after.some((p) => daemons.includes(p))).toBe(false);
      expect(back.nodes.find((n) => n.name === GUEST)!.host).toBe(HOST);
      console.log(
        `guest daemon SIGKILL: failure recorded after ${detectedMs} ms, guest online with its resources after ${recoveredMs} ms`,
      );
      // The link's keepalive notices at once (goal 1 s); recovery has no fixed waits (goal 2.5 s).
      // Margins for a loaded machine and the status polling.
      expect(detectedMs).toBeLessThan(2_000);
      expect(recoveredMs).toBeLessThan(6_000);
    },
    130_000,
  );

  it("adopts its running guest when atriumd itself crashes and restarts", async () => {
    const before = netnsPids(NS).filter((p) => cmdline(p).includes("atrium-remoted"));
    expect(before.length).toBe(1);
    await d!.crash();
    d = await startDaemon(HOST, {}, d);
    const s = await d.until(
      (x) => guestOnline(x) && allStarted(x) && byId(x).get("FAKE3")!.active_on[0] === GUEST,
      30_000,
      "guest1 and FAKE1..5 after the restart",
    );
    expect(byId(s).get("vm-guest1")!.active_on).toEqual([HOST]);
    // The same guest daemon: the container was adopted, not restarted.
    expect(netnsPids(NS).filter((p) => cmdline(p).includes("atrium-remoted"))).toEqual(before);
    // The restart re-probed everything; probes that found resources running are not failures.
    const reprobed = s.failed_actions.filter((f) => f.action === "monitor" && f.interval === 0 && (f.rc === 0 || f.rc === 8));
    expect(reprobed).toEqual([]);
    expect(await d.ok("status")).not.toMatch(/ monitor on .* failed: .*\(rc=(0|8),/);
  }, 40_000);
});
