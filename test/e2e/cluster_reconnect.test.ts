/**
 * Early reconnection of a remote node held down by `reconnect_interval`, end to end as root:
 * atrium-remoted in its own network namespace (10.214.240.21/24 on a veth pair, a private /run),
 * joined by dist/atriumd.mjs through `ocf:pacemaker:remote server=ADDR reconnect_interval=5s`
 * with stonith-enabled=false. The remote's daemon is killed with SIGKILL and started again right
 * away: the controller watches the node's address while the interval holds the connection down
 * and rejoins it as soon as the daemon answers (well under the 5 s interval; the figure is
 * printed). Then the daemon is killed and stays away: the interval still bounds full connection
 * starts (no start storm: counted from the daemon's log). Everything is removed in afterAll.
 */
import process from "node:process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addRemoteHost,
  byId,
  clusterSuiteBlocker,
  type Daemon,
  remoteAddr,
  remotedPidsIn,
  type RemoteHost,
  removeRemoteHost,
  removeStateDir,
  startDaemon,
  startRemotedIn,
  type Status,
} from "./_cluster_helpers.ts";

const BLOCKER = clusterSuiteBlocker();
if (BLOCKER !== undefined) console.log(`SKIP cluster reconnect e2e: ${BLOCKER}`);

const HOST = "e2e-rchost";
const REMOTE = "remote1";
const HOSTNET: RemoteHost = { ns: "atre2erc-r1", veth: "atve2erc0", net: "10.214.240" };
const ADDR = remoteAddr(HOSTNET);
const INTERVAL_MS = 5_000;
const ON_REMOTE = ["RC1", "RC2"];

const startRemoted = (authkey: string) => startRemotedIn(HOSTNET, authkey);
const remotedPids = () => remotedPidsIn(HOSTNET);

function killRemoted(): void {
  const pids = remotedPids();
  expect(pids.length).toBe(1);
  process.kill(pids[0]!, "SIGKILL");
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function remoteOnline(s: Status): boolean {
  return s.nodes.find((n) => n.name === REMOTE)?.online === true;
}

/**
 * From the daemon's log (its own clock, not the CLI's polling): when the watch saw the remote
 * daemon answer, and when the connection was up (the node re-probed, just before it is marked
 * online), in ms after `t0`.
 */
function rejoinFigures(log: string, t0: number): { answered?: number; up?: number } {
  const at = (re: RegExp) => {
    const m = re.exec(log);
    return m ? Date.parse(m[1]!) - t0 : undefined;
  };
  const answered = at(new RegExp(`^(\\S+) atriumd info: ${REMOTE} answers again`, "m"));
  const up = at(new RegExp(`^(\\S+) atriumd info: Re-probed \\d+ resource\\(s\\) on ${REMOTE}`, "m"));
  return { ...(answered !== undefined ? { answered } : {}), ...(up !== undefined ? { up } : {}) };
}

/** Times (epoch ms) of the failed starts of the connection in the daemon's log. */
function failedStarts(log: string): number[] {
  const re = new RegExp(`^(\\S+) atriumd warn: ${REMOTE}_start_0 on ${HOST}: expected rc 0`, "gm");
  return [...log.matchAll(re)].map((m) => Date.parse(m[1]!));
}

describe.skipIf(BLOCKER !== undefined)("cluster walkthrough: a remote node rejoins before its reconnect_interval", () => {
  let d: Daemon | undefined;

  beforeAll(async () => {
    addRemoteHost(HOSTNET);
    d = await startDaemon(HOST);
    startRemoted(d.authkeyPath);
    await d.ok("property", "set", "stonith-enabled=false");
  }, 30_000);

  afterAll(async () => {
    await d?.stop();
    removeRemoteHost(HOSTNET);
    removeStateDir(d);
  }, 60_000);

  it("joins the remote node (reconnect_interval=5s) and runs resources there", async () => {
    await d!.ok(
      "resource", "create", REMOTE, "ocf:pacemaker:remote", `server=${ADDR}`, `reconnect_interval=${INTERVAL_MS / 1000}s`,
      "op", "start", "timeout=2s",
    );
    for (const id of ON_REMOTE) {
      await d!.ok("resource", "create", id, "ocf:pacemaker:Dummy", "op", "monitor", "interval=1s");
      await d!.ok("constraint", "location", id, "prefers", REMOTE);
    }
    const s = await d!.until(
      (x) => remoteOnline(x) && ON_REMOTE.every((id) => byId(x).get(id)?.active_on[0] === REMOTE),
      30_000,
      "RC1, RC2 on remote1",
    );
    expect(byId(s).get(REMOTE)!.active_on).toEqual([HOST]);
  }, 60_000);

  it("rejoins within a moment of the daemon's restart, long before reconnect_interval expires", async () => {
    const logBefore = d!.log().length;
    killRemoted();
    const restartedAt = Date.now();
    startRemoted(d!.authkeyPath);
    let onlineMs: number | undefined;
    const s = await d!.until(
      (x) => {
        if (onlineMs === undefined && remoteOnline(x)) onlineMs = Date.now() - restartedAt;
        return remoteOnline(x) && ON_REMOTE.every((id) => byId(x).get(id)?.active_on[0] === REMOTE);
      },
      20_000,
      "remote1 online again with RC1, RC2",
    );
    const backMs = Date.now() - restartedAt;
    console.log(`remote daemon killed and restarted: remote1 online after ${onlineMs} ms, RC1+RC2 back after ${backMs} ms (reconnect_interval ${INTERVAL_MS} ms)`);
    expect(byId(s).get(REMOTE)!.active_on).toEqual([HOST]);
    // The connection did fail and was held down; the watch let it start early.
    const log = d!.log().slice(logBefore);
    expect(log).toContain(`Connection to ${REMOTE} lost`);
    const f = rejoinFigures(log, restartedAt);
    console.log(`daemon's log: the watch saw remote1 answer ${f.answered} ms after the restart, its connection was up ${f.up} ms after it`);
    expect(f.answered).toBeDefined();
    expect(f.up!).toBeLessThan(2_000);
    // As seen through the CLI (whose own start-up, under load, adds up to a second or so).
    expect(onlineMs!).toBeLessThan(3_000);
    expect(backMs).toBeLessThan(INTERVAL_MS);
  }, 40_000);

  it("does not storm a daemon that stays away: at most one connection start per reconnect_interval", async () => {
    await sleep(1_000);
    const logBefore = d!.log().length;
    killRemoted();
    const killedAt = Date.now();
    await d!.until((x) => !remoteOnline(x), 10_000, "remote1 offline");
    const windowMs = 15_000;
    await sleep(windowMs - (Date.now() - killedAt));
    const starts = failedStarts(d!.log().slice(logBefore));
    console.log(`daemon away for ${Date.now() - killedAt} ms: ${starts.length} failed connection start(s), ${starts.map((t) => t - killedAt).join(", ")} ms after the kill`);
    // One start after each interval (a start retries for up to 2 s): ~2 in 15 s; a storm is dozens.
    expect(starts.length).toBeGreaterThanOrEqual(1);
    expect(starts.length).toBeLessThanOrEqual(Math.floor(windowMs / INTERVAL_MS));
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(INTERVAL_MS - 1_000);
    expect((await d!.status()).nodes.find((n) => n.name === REMOTE)!.online).toBe(false);

    // Back after longer than the interval: it still rejoins at once.
    const logBack = d!.log().length;
    const restartedAt = Date.now();
    startRemoted(d!.authkeyPath);
    await d!.until(remoteOnline, 10_000, "remote1 online again");
    const onlineMs = Date.now() - restartedAt;
    const f = rejoinFigures(d!.log().slice(logBack), restartedAt);
    console.log(`remote daemon restarted after ${restartedAt - killedAt} ms away: connection up after ${f.up} ms (log), remote1 online after ${onlineMs} ms (CLI)`);
    expect(f.up!).toBeLessThan(2_000);
    expect(onlineMs).toBeLessThan(3_000);
  }, 60_000);
});
