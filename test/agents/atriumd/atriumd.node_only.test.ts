// End to end: the built dist/atriumd.mjs with a temp state dir, driven by dist/atrium.mjs.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const DAEMON = join(ROOT, "dist", "atriumd.mjs");
const CLI = join(ROOT, "dist", "atrium.mjs");

let dir: string;
let stateDir: string;
let daemon: ChildProcess | undefined;
let daemonLog = "";

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ATRIUM_STATE_DIR: stateDir }, timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

async function statusJson(): Promise<{
  nodes: { name: string; kind: string; online: boolean; standby: boolean; host?: string }[];
  resources: { id: string; agent: string; role: string; active_on: string[] }[];
  failed_actions: unknown[];
}> {
  const r = await cli("status", "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

async function api(method: string, path: string, auth = true): Promise<Response> {
  const { url } = JSON.parse(readFileSync(join(stateDir, "api.json"), "utf8"));
  const token = readFileSync(join(stateDir, "token"), "utf8").trim();
  return fetch(url + path, { method, headers: auth ? { authorization: `Bearer ${token}` } : {} });
}

function startDaemon(): ChildProcess {
  const env = { ...process.env, PCMK_authkey_location: join(dir, "no-such-authkey") };
  const child = spawn(process.execPath, [DAEMON, "--state-dir", stateDir, "--node-name", "n1"], { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (daemonLog += d));
  child.stderr!.on("data", (d) => (daemonLog += d));
  return child;
}

async function waitForStatus(): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const r = await cli("status");
    if (r.code === 0) return;
    if (Date.now() - t0 > 15_000) throw new Error(`atriumd did not answer: ${r.stderr}\n${daemonLog}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((res) => {
    if (child.exitCode !== null) res(child.exitCode);
    else child.once("exit", (code) => res(code));
  });
}

beforeAll(async () => {
  if (!existsSync(DAEMON) || !existsSync(CLI)) {
    await new Promise<void>((res, rej) => execFile(process.execPath, [join(ROOT, "scripts", "build.mjs")], (e) => (e ? rej(e) : res())));
  }
  dir = mkdtempSync(join(tmpdir(), "atriumd-e2e-"));
  stateDir = join(dir, "state");
  daemon = startDaemon();
  await waitForStatus();
}, 60_000);

afterAll(async () => {
  if (daemon !== undefined && daemon.exitCode === null) {
    daemon.kill("SIGKILL");
    await exited(daemon);
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("atriumd end to end", () => {
  it("starts with the local node online, a 0600 token and a log line without the token", async () => {
    const s = await statusJson();
    expect(s.nodes).toEqual([expect.objectContaining({ name: "n1", kind: "cluster", online: true, standby: false })]);
    expect(statSync(join(stateDir, "token")).mode & 0o777).toBe(0o600);
    expect(daemonLog).toMatch(/Ready: node "n1"/);
    expect(daemonLog).not.toContain(readFileSync(join(stateDir, "token"), "utf8").trim());
    expect((await api("GET", "/v1/status", false)).status).toBe(401);
  });

  it("creates resources, moves one, puts a guest in standby and removes it", async () => {
    expect((await cli("property", "set", "stonith-enabled=false")).code).toBe(0);
    const c1 = await cli("resource", "create", "d1", "ocf:pacemaker:Dummy", "fake=1", "meta", "resource-stickiness=10", "op", "monitor", "interval=10s", "timeout=20s");
    expect(c1.code, c1.stderr).toBe(0);
    expect((await cli("resource", "create", "vm1", "launcher:netns", "meta", "remote-node=guest1")).code).toBe(0);
    expect((await cli("resource", "move", "d1", "n1")).code).toBe(0);
    expect((await cli("constraint", "location", "d1", "avoids", "guest1")).code).toBe(0);
    expect((await cli("node", "standby", "guest1")).code).toBe(0);
    let s = await statusJson();
    expect(s.resources.map((r) => [r.id, r.agent])).toEqual([["d1", "ocf:pacemaker:Dummy"], ["vm1", "launcher:netns"]]);
    expect(s.nodes.find((n) => n.name === "guest1")).toMatchObject({ kind: "guest", standby: true });

    const cib = await (await api("GET", "/v1/cib")).text();
    expect(cib).toContain('<rsc_location id="cli-prefer-d1" rsc="d1" role="Started" node="n1" score="INFINITY"/>');
    expect(cib).toContain('<op id="d1-monitor-interval-10s" name="monitor" interval="10s" timeout="20s"/>');
    expect(cib).toMatch(/<node id="guest1" uname="guest1" type="remote">/);

    const refused = await cli("node", "remove", "guest1");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("NODE_IN_USE");
    expect((await cli("resource", "delete", "vm1")).code).toBe(0);
    expect((await cli("node", "remove", "guest1")).code).toBe(0);
    s = await statusJson();
    expect(s.nodes.map((n) => n.name)).toEqual(["n1"]);
    const after = await (await api("GET", "/v1/cib")).text();
    expect(after).not.toMatch(/<node [^>]*guest1/);
    expect(after).not.toMatch(/<node_state [^>]*guest1/);
    // The configuration no longer names vm1; its operation history stays in status until it is
    // cleaned up, as Pacemaker keeps an orphan's history (the controller is running here).
    expect(after.slice(0, after.indexOf("<status"))).not.toContain("vm1");
    expect(s.resources.map((r) => r.id)).not.toContain("vm1");
    // Location constraints naming the node stay, as Pacemaker keeps them for a node that returns.
    expect(after).toContain('node="guest1" score="-INFINITY"');
  });

  it("a bad request changes nothing", async () => {
    const before = await api("GET", "/v1/cib");
    const xml = await before.text();
    for (const args of [
      ["resource", "create", "d9", "ocf:Dummy"],
      ["resource", "create", "d1", "ocf:pacemaker:Dummy"],
      ["resource", "move", "d1", "nowhere"],
      ["node", "standby", "ghost"],
      ["constraint", "location", "d1", "prefers", "n1=lots"],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr).toMatch(/Cannot /);
    }
    const now = await api("GET", "/v1/cib");
    expect(now.headers.get("etag")).toBe(before.headers.get("etag"));
    expect(await now.text()).toBe(xml);
  });

  it("stops on SIGTERM, keeps the CIB and the token across a restart", async () => {
    const token = readFileSync(join(stateDir, "token"), "utf8");
    daemon!.kill("SIGTERM");
    expect(await exited(daemon!)).toBe(0);
    expect(existsSync(join(stateDir, "api.json"))).toBe(false);
    const down = await cli("status");
    expect(down.code).toBe(69);
    expect(down.stderr).toContain(`state dir "${stateDir}"`);
    expect(down.stderr).toContain("atriumd --state-dir");
    daemon = startDaemon();
    await waitForStatus();
    expect(readFileSync(join(stateDir, "token"), "utf8")).toBe(token);
    const s = await statusJson();
    expect(s.resources.map((r) => r.id)).toEqual(["d1"]);
    daemon.kill("SIGTERM");
    expect(await exited(daemon)).toBe(0);
  });
});
