/**
 * Fencing a remote node, end to end as root (see _fencing_helpers.ts for the rig): remote1's
 * daemon is killed with SIGKILL; the connection monitor fails, remote1 is fenced through the
 * topology (level 1's device fails, with its retries; level 2's succeeds) BEFORE its resources
 * start on the host (recorder file times vs the Dummies' state file times), the node is
 * recorded fenced, the history is shown by `atrium fence history` and `atrium status` and kept
 * in the state dir, and the alert file and the webhook get node lost, fencing and the
 * resources' starts, in that order. Then `atrium fence` (POST /v1/fence) fences it again.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { byId, cmdline, netnsPids } from "./_cluster_helpers.ts";
import { fencingSuiteBlocker, type FencingRig, type Hook, HOST, REMOTE, startFencingRig, WEBHOOK_SECRET } from "./_fencing_helpers.ts";

const BLOCKER = fencingSuiteBlocker();
if (BLOCKER !== undefined) console.log(`SKIP fencing remote e2e: ${BLOCKER}`);

const NS = "atre2ef-r1";
const RSCS = ["FZ1", "FZ2"];

describe.skipIf(BLOCKER !== undefined)("fencing a remote node end to end", () => {
  let rig: FencingRig | undefined;

  beforeAll(async () => {
    rig = await startFencingRig({ ns: NS, veth: "atve2ef0", net: "10.214.223", rscs: RSCS, modes: ["fail", "ok"] });
  }, 30_000);

  afterAll(async () => {
    await rig?.close();
  }, 60_000);

  it("runs the remote node's resources there, with no fencing so far", async () => {
    const r = rig!;
    const s = await r.until("FZ1, FZ2 on remote1", 40_000, async () => {
      const x = await r.status();
      return RSCS.every((id) => byId(x).get(id)?.active_on[0] === REMOTE) ? x : undefined;
    });
    expect(s.nodes.find((n) => n.name === REMOTE)?.online).toBe(true);
    expect(existsSync(r.badRec)).toBe(false);
    expect(existsSync(r.goodRec)).toBe(false);
  }, 50_000);

  it("fences the remote node through level 2 after level 1 fails, BEFORE its resources start on the host", async () => {
    const r = rig!;
    const pids = netnsPids(NS).filter((x) => cmdline(x).includes("atrium-remoted"));
    expect(pids.length).toBe(1);
    process.kill(pids[0]!, "SIGKILL");
    const s = await r.until("FZ1, FZ2 recovered on the host", 60_000, async () => {
      const x = await r.status();
      return RSCS.every((id) => byId(x).get(id)?.active_on[0] === HOST) ? x : undefined;
    });
    expect(s.nodes.find((n) => n.name === REMOTE)?.online).toBe(false);

    // The failing device was tried with its retries, then the next level's device did it.
    const bad = readFileSync(r.badRec, "utf8");
    const good = readFileSync(r.goodRec, "utf8");
    expect(bad.match(/action=reboot/g)?.length).toBeGreaterThanOrEqual(2);
    expect(good.match(/action=reboot/g)?.length).toBe(1);
    expect(good).toMatch(new RegExp(`plug=${REMOTE}`));
    const fencedAt = statSync(r.goodRec).mtimeMs;
    expect(statSync(r.badRec).mtimeMs).toBeLessThanOrEqual(fencedAt);
    for (const id of RSCS) expect(statSync(r.state(id)).mtimeMs).toBeGreaterThan(fencedAt);

    // The history (CLI, status, state dir) and the node's recorded fencing.
    const h = JSON.parse((await r.cli("fence", "history", REMOTE, "--json")).stdout) as { entries: { state: string; devices: string[]; attempts: { device: string; ok: boolean }[] }[] };
    expect(h.entries.map((e) => e.state)).toEqual(["success"]);
    expect(h.entries[0]!.devices).toEqual(["fence-good"]);
    expect(h.entries[0]!.attempts.map((a) => `${a.device}:${a.ok}`)).toEqual(expect.arrayContaining(["fence-bad:false", "fence-good:true"]));
    const st = await r.cli("status");
    expect(st.stdout).toContain("Fencing History:");
    expect(st.stdout).toMatch(new RegExp(`reboot of ${REMOTE} by ${HOST} for \\S+@${HOST} successful at `));
    const xml = readFileSync(join(r.dir, "cib", "cib.xml"), "utf8");
    expect(xml).toMatch(new RegExp(`<node_state [^>]*uname="${REMOTE}"[^>]*node_fenced="[1-9]\\d*"`));
    const saved = JSON.parse(readFileSync(join(r.dir, "fencing.json"), "utf8")) as { entries: { target: string; state: string }[] };
    expect(saved.entries.map((e) => `${e.target}:${e.state}`)).toEqual([`${REMOTE}:success`]);
  }, 80_000);

  it("raises the alert and the webhook event for node lost, fencing and the restarts, in order", async () => {
    const r = rig!;
    const lines = await r.until("the alerts", 15_000, async () => {
      const l = existsSync(r.alertLog) ? readFileSync(r.alertLog, "utf8").split("\n") : [];
      return l.some((x) => x.includes("Fencing ")) && RSCS.every((id) => l.some((x) => x.includes(`'start' for '${id}' on '${HOST}'`))) ? l : undefined;
    });
    const at = (re: RegExp): number => lines.findIndex((x) => re.test(x));
    const lost = at(new RegExp(`Node '${REMOTE}' is now 'lost'`));
    const fenced = at(new RegExp(`Fencing Operation reboot of ${REMOTE} by ${HOST} .*: OK`));
    expect(lost).toBeGreaterThanOrEqual(0);
    expect(fenced).toBeGreaterThan(lost);
    for (const id of RSCS) expect(at(new RegExp(`'start' for '${id}' on '${HOST}': ok`))).toBeGreaterThan(fenced);

    const events = await r.until("the webhook events", 15_000, async () => {
      const h = r.hooks;
      const ok = h.some((e) => e.kind === "fencing") && RSCS.every((id) => h.some((e) => e.kind === "resource" && e.resource === id && e.node === HOST && e.task === "start"));
      return ok ? [...h] : undefined;
    });
    const seqs = events.map((e) => e.sequence);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const idx = (f: (e: Hook) => boolean): number => events.findIndex(f);
    const hLost = idx((e) => e.kind === "node" && e.node === REMOTE && e.desc === "lost");
    const hFence = idx((e) => e.kind === "fencing" && e.node === REMOTE && e.rc === 0);
    expect(hLost).toBeGreaterThanOrEqual(0);
    expect(hFence).toBeGreaterThan(hLost);
    for (const id of RSCS) expect(idx((e) => e.kind === "resource" && e.resource === id && e.node === HOST && e.task === "start")).toBeGreaterThan(hFence);
    // Expected probes are never reported.
    expect(events.some((e) => e.kind === "resource" && e.task === "monitor" && (e as { interval?: number }).interval === 0 && e.rc === 7)).toBe(false);
    expect(r.log()).not.toContain(WEBHOOK_SECRET);
  }, 40_000);

  it("fences on request through the API (atrium fence), refusing what it cannot fence", async () => {
    const r = rig!;
    const out = await r.cli("fence", REMOTE, "--off", "--reason", "e2e");
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("devices: fence-good");
    expect(readFileSync(r.goodRec, "utf8")).toMatch(/action=off/);
    const h = JSON.parse((await r.cli("fence", "history", "--json")).stdout) as { entries: { action: string; state: string; client: string }[] };
    expect(h.entries.map((e) => `${e.action}:${e.state}`)).toEqual(["reboot:success", "off:success"]);
    expect(h.entries[1]!.client).toBe("atrium-api");
    const none = await r.cli("fence", "no-such-node");
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/failed/);
  }, 40_000);
});
