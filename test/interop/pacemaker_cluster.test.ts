/**
 * atrium-remoted as a remote node of a REAL Pacemaker 2.1.5 cluster (one corosync + Pacemaker
 * node from ../shared/rig/real-cluster.sh in its own network namespace): the cluster connects
 * through ocf:pacemaker:remote, places ocf:pacemaker:Dummy resources on the remote node, runs
 * their recurring monitors there, reacts to a failing monitor, stops a resource on request and
 * moves resources off when atrium-remoted is stopped with SIGTERM. Root only; when a test fails
 * the logs stay in /tmp/atrium-interop-pcmk-cluster-N (cluster/log/pacemaker.log, atrium-remoted.log
 * with --trace).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  bundleRemoted,
  crmMon,
  inCluster,
  opHistory,
  rig,
  rigUnavailable,
  type RemotedProc,
  startRemoted,
  tearDownRig,
  TEST_RIG,
  waitFor,
} from "./_rig.ts";

const why = rigUnavailable();
if (why) console.log(`skipping the real Pacemaker cluster interop suite: ${why}`);

const REMOTE = "remote-a"; // lower case: Pacemaker warns about capitals in node names
const D1 = "dA1";
const D2 = "dA2";

describe.skipIf(why !== undefined)("atrium-remoted as a remote node of a real Pacemaker 2.1.5 cluster", () => {
  let remoted: RemotedProc | undefined;
  let dispose = (): void => {};
  let bundleFile = "";

  beforeAll(async () => {
    tearDownRig(); // leftovers of an interrupted run
    const bundle = await bundleRemoted();
    dispose = bundle.dispose;
    bundleFile = bundle.file;
    rig("real-cluster.sh", ["up"], 150_000);
    rig("netns-host.sh", ["add", TEST_RIG.remoteNs, TEST_RIG.remoteAddr]);
    remoted = startRemoted(bundle.file);
    const end = Date.now() + 15_000;
    while (!remoted.log().includes("Listening on") && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(remoted.log()).toContain("Listening on");
    rig("real-cluster.sh", ["add-remote", REMOTE, TEST_RIG.remoteAddr, "3121", "5s"]);
    const ri = inCluster(["crm_resource", "-r", REMOTE, "-p", "reconnect_interval", "-v", "5s"]);
    expect(ri.status, ri.stderr).toBe(0);
    // a fence device that always "works", so that the cluster can recover the resources of a
    // lost remote node (without fencing they stay blocked: "unclean but cannot be fenced")
    const fence =
      `<primitive id="fence-a" class="stonith" type="fence_dummy"><instance_attributes id="fence-a-ia">` +
      `<nvpair id="fence-a-hl" name="pcmk_host_list" value="${REMOTE}"/>` +
      `<nvpair id="fence-a-sf" name="status_file" value="${TEST_RIG.state}/fence_dummy.status"/></instance_attributes></primitive>`;
    const fr = inCluster(["cibadmin", "-C", "-o", "resources", "-X", fence]);
    expect(fr.status, fr.stderr).toBe(0);
    const se = inCluster(["crm_attribute", "-t", "crm_config", "-n", "stonith-enabled", "-v", "true"]);
    expect(se.status, se.stderr).toBe(0);
    rig("real-cluster.sh", ["add-dummy", D1, "2s", REMOTE]);
    rig("real-cluster.sh", ["add-dummy", D2, "2s", REMOTE]);
  }, 240_000);

  let failed = false;
  afterEach((ctx) => {
    if (ctx.task.result?.state === "fail") failed = true;
  });

  afterAll(async () => {
    await remoted?.stop("SIGKILL");
    tearDownRig(!failed);
    dispose();
    if (failed) console.log(`real cluster interop: logs kept in ${TEST_RIG.state} (cluster/log/pacemaker.log, atrium-remoted.log)`);
  }, 240_000);

  it("comes online as a remote node and runs the Dummies preferring it", async () => {
    const s = await waitFor(
      `${REMOTE} online with ${D1} and ${D2} started on it`,
      (s) => s.nodes[REMOTE]?.["online"] === "true" && [D1, D2].every((d) => s.resources[d]?.role === "Started" && s.resources[d]?.on.join() === REMOTE),
      60_000,
    );
    expect(s.nodes[REMOTE]?.["type"]).toBe("remote");
    expect(s.resources[REMOTE]).toEqual({ role: "Started", failed: "false", on: ["node1"] });
    const log = remoted!.log();
    expect(log).toContain(`Client "pacemaker-remote-${TEST_RIG.remoteAddr}:3121" from `);
    expect(log).toMatch(/signed on \(protocol 1\.1, IPC provider\)/);
    // the agents really ran in the remote host's private /run, not on the cluster node
    expect(remoted!.runDir(["ls", "/run"]).split("\n")).toEqual(expect.arrayContaining([`Dummy-${D1}.state`, `Dummy-${D2}.state`]));
    expect(inCluster(["ls", "/run"]).stdout).not.toContain(`Dummy-${D1}.state`);
  }, 70_000);

  it("reports the start and the recurring monitors of the remote's resources into the CIB status", async () => {
    const end = Date.now() + 20_000;
    let ops = opHistory();
    // (a just-initiated op is first recorded as pending: rc-code 193, op-status -1)
    const mon = (d: string) =>
      ops.find((o) => o.node === REMOTE && o.rsc === d && o.attrs["operation"] === "monitor" && o.attrs["interval"] === "2000" && o.attrs["op-status"] !== "-1");
    while ((!mon(D1) || !mon(D2)) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 500));
      ops = opHistory();
    }
    for (const d of [D1, D2]) {
      expect(mon(d)?.attrs).toMatchObject({ "rc-code": "0", "op-status": "0", operation_key: `${d}_monitor_2000` });
      const start = ops.find((o) => o.node === REMOTE && o.rsc === d && o.attrs["id"] === `${d}_last_0`);
      expect(start?.attrs).toMatchObject({ operation: "start", "rc-code": "0", "op-status": "0" });
    }
    // the connection's own recurring monitor (lrmd poke) succeeds too
    expect(ops.find((o) => o.node === "node1" && o.rsc === REMOTE && o.attrs["operation"] === "monitor")?.attrs["rc-code"]).toBe("0");
  }, 30_000);

  it("notices a failing recurring monitor on the remote and the cluster recovers the resource there", async () => {
    remoted!.runDir(["rm", "-f", `/run/Dummy-${D2}.state`]);
    const end = Date.now() + 30_000;
    let fail;
    while (!fail && Date.now() < end) {
      fail = opHistory().find((o) => o.node === REMOTE && o.attrs["id"] === `${D2}_last_failure_0`);
      if (!fail) await new Promise((r) => setTimeout(r, 250));
    }
    expect(fail?.attrs).toMatchObject({ operation: "monitor", interval: "2000", "rc-code": "7" });
    await waitFor(`${D2} recovered on ${REMOTE}`, (s) => s.resources[D2]?.role === "Started" && s.resources[D2]?.on.join() === REMOTE, 30_000);
    await waitFor("the recovery transition", () => inCluster(["crm_resource", "--wait", "--timeout=1s"], 5_000).status === 0, 30_000);
    expect(remoted!.runDir(["ls", "/run"])).toContain(`Dummy-${D2}.state`);
    const h = opHistory().find((o) => o.node === REMOTE && o.attrs["id"] === `${D2}_last_0`);
    expect(h?.attrs).toMatchObject({ operation: "start", "rc-code": "0" });
  }, 70_000);

  it("stops a Dummy on the remote when asked with crm_resource", async () => {
    const r = inCluster(["crm_resource", "-r", D1, "--meta", "-p", "target-role", "-v", "Stopped"]);
    expect(r.status, r.stderr).toBe(0);
    await waitFor(`${D1} stopped`, (s) => s.resources[D1]?.role === "Stopped" && s.resources[D1]?.on.length === 0, 30_000);
    const h = opHistory().find((o) => o.node === REMOTE && o.attrs["id"] === `${D1}_last_0`);
    expect(h?.attrs).toMatchObject({ operation: "stop", "rc-code": "0", "op-status": "0" });
    expect(remoted!.runDir(["ls", "/run"])).not.toContain(`Dummy-${D1}.state`);
    expect(crmMon()?.resources[D2]?.on).toEqual([REMOTE]);
  }, 40_000);

  it("after a SIGKILL the cluster recovers the resource elsewhere and reconnects to a restarted daemon", async () => {
    await waitFor(`${D2} on ${REMOTE}`, (s) => s.resources[D2]?.on.join() === REMOTE && s.resources[D2]?.role === "Started", 10_000);
    const signOns = (): number => remoted!.log().split("signed on (protocol 1.1, IPC provider)").length - 1;
    const before = signOns();
    await remoted!.stop("SIGKILL");
    await waitFor(`${D2} recovered on node1 after the kill (${REMOTE} fenced)`, (s) => s.nodes[REMOTE]?.["online"] !== "true" && s.resources[D2]?.on.join() === "node1" && s.resources[D2]?.role === "Started", 60_000);
    expect(inCluster(["stonith_admin", "--history", REMOTE]).stdout).toMatch(/successful/);
    remoted = startRemoted(bundleFile);
    await waitFor(`${REMOTE} online again with ${D2} back on it`, (s) => s.nodes[REMOTE]?.["online"] === "true" && s.resources[REMOTE]?.role === "Started" && s.resources[D2]?.on.join() === REMOTE && s.resources[D2]?.role === "Started", 60_000);
    expect(signOns()).toBe(before + 1);
    expect(remoted.runDir(["ls", "/run"])).toContain(`Dummy-${D2}.state`);
    await waitFor("the transition", () => inCluster(["crm_resource", "--wait", "--timeout=1s"], 5_000).status === 0, 30_000);
  }, 140_000);

  it("on SIGTERM asks the cluster to move resources off, which it does, then exits 0", async () => {
    const t0 = Date.now();
    const code = await remoted!.stop("SIGTERM");
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(remoted!.log()).toContain("Exiting: the cluster moved resources off and disconnected");
    const s = await waitFor(`${D2} running on node1`, (s) => s.resources[D2]?.role === "Started" && s.resources[D2]?.on.join() === "node1", 20_000);
    expect(s.nodes[REMOTE]?.["online"]).toBe("false");
    const stop = opHistory().find((o) => o.node === REMOTE && o.attrs["id"] === `${D2}_last_0`);
    expect(stop?.attrs).toMatchObject({ operation: "stop", "rc-code": "0" });
  }, 60_000);
});
