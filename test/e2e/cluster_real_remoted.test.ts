/**
 * atriumd manages resources on the REAL pacemaker-remoted 2.1.5, end to end as root: the real
 * daemon runs in its own network namespace (../shared/rig netns-host.sh on a private bridge,
 * 10.214.227.0/24) with a private /run (../shared/rig real-remoted.sh), keyed with the authkey
 * dist/atriumd.mjs uses; `resource create rr1 ocf:pacemaker:remote server=ADDR` joins it, two
 * ocf:pacemaker:Dummy resources that prefer rr1 run there (their state files in the real daemon's
 * private /run, not the host's), and disabling one stops it there. Everything is removed in afterAll.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  byId,
  clusterSuiteBlocker,
  type Daemon,
  removeNetns,
  removeStateDir,
  startDaemon,
} from "./_cluster_helpers.ts";

const RIG_DIR = resolve(import.meta.dirname, "..", "..", "..", "shared", "rig");
const REAL_REMOTED = "/opt/pcmk-remote/usr/sbin/pacemaker-remoted";

function blocker(): string | undefined {
  const b = clusterSuiteBlocker();
  if (b !== undefined) return b;
  for (const s of ["netns-host.sh", "real-remoted.sh"]) {
    if (!existsSync(join(RIG_DIR, s))) return `${join(RIG_DIR, s)} is missing`;
  }
  if (!existsSync(REAL_REMOTED)) {
    return `${REAL_REMOTED} is missing (run ../shared/reference/run-real-remoted.sh setup)`;
  }
  for (const t of ["nsenter", "setsid"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${t}`], { stdio: "ignore" });
    } catch {
      return `${t} is missing`;
    }
  }
  return undefined;
}

const BLOCKER = blocker();
if (BLOCKER !== undefined) console.log(`SKIP cluster real pacemaker-remoted e2e: ${BLOCKER}`);

const HOST = "e2e-rrhost";
const REMOTE = "rr1";
const NS = "atre2err227";
const ADDR = "10.214.227.21";
const DUMMIES = ["rrDummyA", "rrDummyB"];
const RIG_ENV = {
  RIG_BRIDGE: "atrrr227",
  RIG_BRIDGE_ADDR: "10.214.227.254/24",
  RIG_REMOTED: REAL_REMOTED,
  RIG_REMOTE_PORT: "3121",
};

/** Run a rig script with the suite's private settings; throws with its stderr on failure. */
function rig(state: string, script: string, ...args: string[]): string {
  try {
    return execFileSync(join(RIG_DIR, script), args, {
      env: { ...process.env, ...RIG_ENV, RIG_STATE: state },
      encoding: "utf8",
      timeout: 30_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`Rig command "${script} ${args.join(" ")}" failed: ${(err.stderr ?? err.message).trim()}`);
  }
}

/** Best-effort rig step. */
function rigQuiet(state: string, script: string, ...args: string[]): void {
  try {
    rig(state, script, ...args);
  } catch { /* gone already */ }
}

/** Whether `path` exists in the mount namespace of `pid`. */
function existsIn(pid: number, path: string): boolean {
  try {
    execFileSync("nsenter", ["-t", String(pid), "-m", "test", "-e", path], { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

function stateFile(id: string): string {
  return `/run/Dummy-${id}.state`;
}

describe.skipIf(BLOCKER !== undefined)("cluster walkthrough: the real pacemaker-remoted as a remote node", () => {
  let d: Daemon | undefined;
  let rigState = "";
  let remotedPid = 0;
  const remotedLog = () => readFileSync(join(rigState, `remote-${NS}`, "log", "pacemaker.log"), "utf8");

  beforeAll(async () => {
    rigState = mkdtempSync(join(tmpdir(), "atrium-e2e-rr-"));
    removeNetns(NS);
    rig(rigState, "netns-host.sh", "add", NS, ADDR);
    d = await startDaemon(HOST);
    copyFileSync(d.authkeyPath, join(rigState, "authkey"));
    const out = rig(rigState, "real-remoted.sh", "start", NS).trim().split(/\s+/);
    remotedPid = Number(out[out.length - 1]);
    expect(Number.isInteger(remotedPid) && remotedPid > 0).toBe(true);
    await d.ok("property", "set", "stonith-enabled=false");
  }, 40_000);

  afterAll(async () => {
    await d?.stop(20_000);
    if (rigState !== "") {
      rigQuiet(rigState, "real-remoted.sh", "kill", NS, "KILL");
      removeNetns(NS);
      rigQuiet(rigState, "netns-host.sh", "del", NS);
      rigQuiet(rigState, "netns-host.sh", "bridge-down");
      rmSync(rigState, { recursive: true, force: true });
    }
    removeStateDir(d);
  }, 40_000);

  it("joins the real daemon as rr1 and runs two Dummies there, their state in its private /run", async () => {
    await d!.ok("resource", "create", REMOTE, "ocf:pacemaker:remote", `server=${ADDR}`, "reconnect_interval=2s");
    for (const id of DUMMIES) {
      await d!.ok("resource", "create", id, "ocf:pacemaker:Dummy", "op", "monitor", "interval=1s");
      await d!.ok("constraint", "location", id, "prefers", REMOTE);
    }
    const s = await d!.until(
      (x) =>
        x.nodes.find((n) => n.name === REMOTE)?.online === true &&
        DUMMIES.every((id) => byId(x).get(id)?.role === "Started" && byId(x).get(id)?.active_on[0] === REMOTE),
      30_000,
      "rr1 online with both Dummies started there",
    );
    const n = s.nodes.find((x) => x.name === REMOTE)!;
    expect(n.kind).toBe("remote");
    expect(n.online).toBe(true);
    expect(byId(s).get(REMOTE)!.active_on).toEqual([HOST]);
    for (const id of DUMMIES) expect(byId(s).get(id)!.active_on).toEqual([REMOTE]);
    expect(s.failed_actions).toEqual([]);
    expect(await d!.ok("status")).toContain(`RemoteOnline: [ ${REMOTE} ]`);
    // It is the real daemon that runs them: its process, and its own log of the starts.
    expect(readFileSync(`/proc/${remotedPid}/comm`, "utf8").trim()).toBe("pacemaker-remot");
    const log = remotedLog();
    for (const id of DUMMIES) expect(log).toMatch(new RegExp(`${id} start \\(call \\d+, PID \\d+\\) exited with status 0`));
    for (const id of DUMMIES) {
      expect(existsIn(remotedPid, stateFile(id))).toBe(true);
      expect(existsSync(stateFile(id))).toBe(false);
    }
    // The recurring monitors run on the real daemon without failing.
    await new Promise((r) => setTimeout(r, 2500));
    const later = await d!.status();
    expect(later.failed_actions).toEqual([]);
    for (const id of DUMMIES) expect(byId(later).get(id)!.active_on).toEqual([REMOTE]);
  }, 50_000);

  it("disabling one Dummy stops it on the real daemon (state file gone), the other keeps running", async () => {
    const [off, on] = DUMMIES as [string, string];
    await d!.ok("resource", "disable", off);
    const s = await d!.until(
      (x) => byId(x).get(off)?.active_on.length === 0 && byId(x).get(off)?.role === "Stopped",
      20_000,
      `${off} stopped`,
    );
    expect(byId(s).get(on)!.active_on).toEqual([REMOTE]);
    expect(s.failed_actions).toEqual([]);
    expect(existsIn(remotedPid, stateFile(off))).toBe(false);
    expect(remotedLog()).toMatch(new RegExp(`${off} stop \\(call \\d+, PID \\d+\\) exited with status 0`));
    expect(existsIn(remotedPid, stateFile(on))).toBe(true);
  }, 30_000);
});
