/**
 * The netns launcher for real: namespaces, veths, a bridge and daemons on this machine. Needs
 * root, `ip` and `unshare`; skipped with a printed reason otherwise. Only the private test
 * subnet 10.214.201.0/24 on the test's own bridge "atrjtest0" is used, and every namespace the
 * suite makes is removed in afterAll even when a test fails.
 *
 * The "daemon" is a tiny TCP echo server (a node one-liner): it writes a marker file to its
 * /run, reports what it sees there, and echoes.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import process from "node:process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conformance, type GuestHandle, isAtriumError } from "../../../core/plugin/mod.ts";
import { createNetnsLauncher, defaultSettings, hostVethName, netnsName } from "../../../plugins/netns/mod.ts";
import { ipQuiet, netnsSuiteBlocker, removeGuestNetwork } from "./_helpers.ts";

const BRIDGE = "atrjtest0";
const NET = "10.214.201";
const tag = `${process.pid}`;

function probe(): string | undefined {
  const blocker = netnsSuiteBlocker();
  if (blocker !== undefined) return blocker;
  const ns = `atrium-g-jprobe-${tag}`;
  try {
    execFileSync("ip", ["netns", "add", ns], { stdio: "ignore" });
    execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
  } catch {
    return "cannot create network namespaces here";
  }
  return undefined;
}
const why = probe();
if (why) console.log(`Skipping the netns launcher suite: ${why}`);

const ECHO = `
const net = require("net"), fs = require("fs");
const [port, marker, hostMarker] = process.argv.slice(1);
fs.writeFileSync("/run/" + marker, "guest");
if (process.env.IGNORE_TERM) process.on("SIGTERM", () => {}); else process.on("SIGTERM", () => process.exit(0));
const key = process.env.PCMK_authkey_location;
const info = JSON.stringify({ hostMarker: fs.existsSync("/run/" + hostMarker), ownMarker: fs.existsSync("/run/" + marker),
  ra: fs.existsSync("/run/resource-agents"), key: fs.readFileSync(key).toString("hex"), node: process.env.ATRIUM_GUEST_NODE });
net.createServer((s) => { s.write(info + "\\n"); s.pipe(s); }).listen(Number(port), "0.0.0.0");
`;
function echoCommand(port: number, marker: string): string[] {
  return [process.execPath, "-e", ECHO, String(port), marker, hostMarker];
}

const stateDir = mkdtempSync(`${tmpdir()}/atrium-netns-test-`);
const hostMarker = `atrium-netns-host-marker-${tag}`;
const ctx = conformance.testContext();
const launcher = createNetnsLauncher({ ...defaultSettings(), stateDir, remotedCommand: echoCommand(3121, `m-default-${tag}`) });
const nodes = new Set<string>();
const keys = new Map<string, Buffer>();

function spec(node: string, last: number, extra: Record<string, string> = {}, timeoutMs = 20_000) {
  nodes.add(node);
  const authkey = randomBytes(64);
  keys.set(node, authkey);
  return { resource: `c-${node}`, node, params: { address: `${NET}.${last}/24`, bridge: BRIDGE, ...extra }, authkey, timeoutMs };
}

/** Connect, read the greeting line, check the echo. */
function talk(host: string, port: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, timeout: 5000 });
    let buf = "";
    let info: Record<string, unknown> | undefined;
    s.on("data", (d) => {
      buf += d.toString();
      if (!info && buf.includes("\n")) {
        info = JSON.parse(buf.slice(0, buf.indexOf("\n"))) as Record<string, unknown>;
        buf = buf.slice(buf.indexOf("\n") + 1);
        s.write("ping\n");
      } else if (info && buf === "ping\n") {
        s.end();
        resolve(info);
      }
    });
    s.on("timeout", () => s.destroy(new Error(`timed out talking to ${host}:${port}`)));
    s.on("error", reject);
  });
}

function netnsList(): string[] {
  return execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").map((l) => l.split(" ")[0]!).filter(Boolean);
}
function linkExists(name: string): boolean {
  try {
    execFileSync("ip", ["link", "show", "dev", name], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
function gone(node: string): boolean {
  const ns = netnsName(node);
  return !netnsList().includes(ns) && !linkExists(hostVethName(ns));
}

describe.skipIf(why !== undefined)("netns launcher (root)", () => {
  const handles = new Map<string, GuestHandle>();

  beforeAll(() => {
    writeFileSync(`/run/${hostMarker}`, "host");
  });

  afterAll(async () => {
    for (const h of handles.values()) await launcher.stop(h, { timeoutMs: 2000, force: true }, ctx).catch(() => undefined);
    for (const node of nodes) {
      const ns = netnsName(node);
      try {
        for (const pid of execFileSync("ip", ["netns", "pids", ns], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).split("\n").filter(Boolean)) process.kill(Number(pid), "SIGKILL");
      } catch { /* gone */ }
      removeGuestNetwork(node);
    }
    ipQuiet("link", "del", "dev", BRIDGE);
    rmSync(`/run/${hostMarker}`, { force: true });
    for (const f of [`m-default-${tag}`, `m2-${tag}`]) rmSync(`/run/${f}`, { force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("starts a guest reachable through the bridge, with a private /run and a private key", async () => {
    const node = `jt1-${tag}`;
    const h = await launcher.start(spec(node, 11), ctx);
    handles.set(node, h);
    expect(h).toMatchObject({ launcher: "netns", resource: `c-${node}`, node });
    expect(await launcher.status(h, ctx)).toBe("running");
    const a = await launcher.address(h, ctx);
    expect(a).toEqual({ host: `${NET}.11`, port: 3121 });
    const info = await talk(a.host, a.port);
    // /run inside is its own tmpfs: the host's marker is not there, the guest's is...
    expect(info).toMatchObject({ hostMarker: false, ownMarker: true, ra: true, node });
    // ...and the guest's marker is not on the host.
    expect(existsSync(`/run/m-default-${tag}`)).toBe(false);
    // The key reached the daemon, from a 0600 file in a 0700 folder.
    expect(info["key"]).toBe(keys.get(node)!.toString("hex"));
    const dir = `${stateDir}/${netnsName(node)}`;
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(`${dir}/authkey`).mode & 0o777).toBe(0o600);
    expect(existsSync(`${dir}/daemon.log`)).toBe(true);
    expect(linkExists(hostVethName(netnsName(node)))).toBe(true);
    // Recover from the persisted handle re-attaches to the live guest.
    expect(await launcher.recover(JSON.parse(JSON.stringify(h)) as GuestHandle, ctx)).toBe(true);
  });

  it("runs two guests at once on different addresses, the second with its command from params", async () => {
    const node = `jt2-${tag}`;
    const cmd = JSON.stringify(echoCommand(4000, `m2-${tag}`));
    const h = await launcher.start(spec(node, 12, { port: "4000", remoted_command: cmd }), ctx);
    handles.set(node, h);
    expect(await launcher.address(h, ctx)).toEqual({ host: `${NET}.12`, port: 4000 });
    const [i1, i2] = await Promise.all([talk(`${NET}.11`, 3121), talk(`${NET}.12`, 4000)]);
    expect(i1["node"]).toBe(`jt1-${tag}`);
    expect(i2["node"]).toBe(node);
    expect(i2["ownMarker"]).toBe(true);
    expect(existsSync(`/run/m2-${tag}`)).toBe(false);
  });

  it("reports a killed daemon as failed, and stop removes the namespace and veth", async () => {
    const node = `jt1-${tag}`;
    const h = handles.get(node)!;
    process.kill((h.state as { pid: number }).pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 200));
    expect(await launcher.status(h, ctx)).toBe("failed");
    await launcher.stop(h, { timeoutMs: 2000, force: false }, ctx);
    expect(gone(node)).toBe(true);
    expect(await launcher.status(h, ctx)).toBe("stopped");
    expect(existsSync(`${stateDir}/${netnsName(node)}/authkey`)).toBe(false);
    await launcher.stop(h, { timeoutMs: 2000, force: false }, ctx); // idempotent
    expect(await launcher.recover(h, ctx)).toBe(false);
    handles.delete(node);
  });

  it("recovers false for a guest whose namespace was removed, and cleans up the rest", async () => {
    const node = `jt2-${tag}`;
    const h = handles.get(node)!;
    const ns = netnsName(node);
    process.kill((h.state as { pid: number }).pid, "SIGKILL");
    execFileSync("ip", ["netns", "del", ns]);
    expect(await launcher.recover(h, ctx)).toBe(false);
    expect(gone(node)).toBe(true);
    handles.delete(node);
  });

  it("refuses a bad address with LAUNCHER_BAD_PARAMS and leaves nothing behind", async () => {
    const node = `jt3-${tag}`;
    const s = { ...spec(node, 13), params: { address: "10.214.201.300/24", bridge: BRIDGE } };
    const err = await launcher.start(s, ctx).catch((e: unknown) => e);
    expect(isAtriumError(err, "LAUNCHER_BAD_PARAMS")).toBe(true);
    expect((err as Error).message).toContain(`"10.214.201.300/24"`);
    expect(gone(node)).toBe(true);
    expect(existsSync(`${stateDir}/${netnsName(node)}`)).toBe(false);
  });

  it("cleans up a failed start and reports the daemon's exit and log", async () => {
    const node = `jt4-${tag}`;
    const cmd = JSON.stringify([process.execPath, "-e", `console.error("no luck here"); process.exit(3)`]);
    const err = await launcher.start(spec(node, 14, { remoted_command: cmd }), ctx).catch((e: unknown) => e);
    expect(isAtriumError(err, "LAUNCHER_START_FAILED")).toBe(true);
    expect((err as Error).message).toMatch(/exited with 3.*no luck here/s);
    expect(gone(node)).toBe(true);
    expect(existsSync(`${stateDir}/${netnsName(node)}/authkey`)).toBe(false);
  });

  it("starts over the leftovers of a crash mid-start", async () => {
    const node = `jt5-${tag}`;
    const ns = netnsName(node);
    execFileSync("ip", ["netns", "add", ns]);
    execFileSync("ip", ["link", "add", hostVethName(ns), "type", "veth", "peer", "name", "eth0", "netns", ns]);
    const h = await launcher.start(spec(node, 15), ctx);
    handles.set(node, h);
    expect(await launcher.status(h, ctx)).toBe("running");
    expect((await talk(`${NET}.15`, 3121))["node"]).toBe(node);
  });

  it("times out a stop without force, keeps the guest, and a forced stop ends it", async () => {
    const node = `jt5-${tag}`;
    const old = handles.get(node)!;
    await launcher.stop(old, { timeoutMs: 2000, force: false }, ctx);
    const stubborn = createNetnsLauncher({ ...defaultSettings(), stateDir, remotedCommand: echoCommand(3121, `m-default-${tag}`), env: { IGNORE_TERM: "1" } });
    const h = await stubborn.start(spec(node, 15), ctx);
    handles.set(node, h);
    const err = await stubborn.stop(h, { timeoutMs: 300, force: false }, ctx).catch((e: unknown) => e);
    expect(isAtriumError(err, "LAUNCHER_STOP_TIMEOUT")).toBe(true);
    expect(await stubborn.status(h, ctx)).toBe("running");
    await stubborn.stop(h, { timeoutMs: 300, force: true }, ctx);
    expect(gone(node)).toBe(true);
    handles.delete(node);
  });

  it("destroys a frozen (SIGSTOPped) daemon at once on a forced stop instead of waiting out SIGTERM", async () => {
    const node = `jt6-${tag}`;
    const h = await launcher.start(spec(node, 16), ctx);
    handles.set(node, h);
    process.kill((h.state as { pid: number }).pid, "SIGSTOP");
    const t0 = Date.now();
    await launcher.stop(h, { timeoutMs: 10_000, force: true }, ctx);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(gone(node)).toBe(true);
    handles.delete(node);
  });

  it("starts two guests concurrently on a bridge that does not exist yet", async () => {
    const br = "atrjtest4";
    const [a, b] = [`jt7-${tag}`, `jt8-${tag}`];
    try {
      const hs = await Promise.all([
        launcher.start({ ...spec(a, 17), params: { address: "10.214.205.17/24", bridge: br } }, ctx),
        launcher.start({ ...spec(b, 18), params: { address: "10.214.205.18/24", bridge: br } }, ctx),
      ]);
      hs.forEach((h, i) => handles.set([a, b][i]!, h));
      const [ia, ib] = await Promise.all([talk("10.214.205.17", 3121), talk("10.214.205.18", 3121)]);
      expect([ia["node"], ib["node"]]).toEqual([a, b]);
      await Promise.all(hs.map((h) => launcher.stop(h, { timeoutMs: 2000, force: true }, ctx)));
      expect(gone(a) && gone(b)).toBe(true);
      handles.delete(a);
      handles.delete(b);
    } finally {
      for (const n of [a, b]) {
        const h = handles.get(n);
        if (h) await launcher.stop(h, { timeoutMs: 1000, force: true }, ctx).catch(() => undefined);
        handles.delete(n);
      }
      try { execFileSync("ip", ["link", "del", "dev", br], { stdio: "ignore" }); } catch { /* gone */ }
    }
  });

  it("passes the plugin conformance kit", async () => {
    const node = `jt6-${tag}`;
    const records: unknown[] = [];
    const record = (level: string) => (msg: string, fields?: Record<string, unknown>) => void records.push({ level, msg, fields });
    const logCtx = { ...ctx, log: { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") } };
    const s = spec(node, 16);
    const findings = await conformance.checkLauncher(launcher, { spec: s, timeoutMs: 20_000, ctx: logCtx });
    expect(conformance.formatFindings(findings.filter((f) => !f.ok))).toBe(conformance.formatFindings([]));
    expect(findings.length).toBeGreaterThan(8);
    expect(gone(node)).toBe(true);
    // It logs what it does, and never the key.
    const logged = JSON.stringify(records);
    expect(logged).toContain(`Started guest ${node}`);
    expect(logged).toContain(`Stopped guest ${node}`);
    const key = Buffer.from(s.authkey);
    for (const form of [key.toString("hex"), key.toString("base64"), key.toString("latin1").slice(0, 16)]) expect(logged).not.toContain(form);
  });
});
