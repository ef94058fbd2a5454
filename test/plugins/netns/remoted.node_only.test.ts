/**
 * The netns launcher with its default command: this installation's real atrium-remoted
 * (dist/atrium-remoted.mjs, from `npm run build`) inside a guest, signed on to over TLS-PSK from
 * the host with `atrium remote check`. Needs root, `ip`, `unshare` and the built dist/; skipped
 * with a printed reason otherwise. Uses its own bridge "atrjtest1" and 10.214.202.0/24.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { conformance, type GuestHandle } from "../../../core/plugin/mod.ts";
import { createNetnsLauncher, defaultRemotedCommand, defaultSettings } from "../../../plugins/netns/mod.ts";
import { ipQuiet, netnsSuiteBlocker, removeGuestNetwork } from "./_helpers.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const remoted = join(root, "dist", "atrium-remoted.mjs");
const cli = join(root, "dist", "atrium.mjs");
const BRIDGE = "atrjtest1";
const ADDR = "10.214.202.21";

const why = netnsSuiteBlocker([remoted, cli]);
if (why) console.log(`Skipping the netns + atrium-remoted suite: ${why}`);

const stateDir = mkdtempSync(`${tmpdir()}/atrium-netns-remoted-`);
const node = `jtr-${process.pid}`;
const ctx = conformance.testContext();
// The default command: no remotedCommand configured.
const launcher = createNetnsLauncher({ ...defaultSettings(), stateDir });

function tcpConnects(host: string, port: number, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: timeoutMs });
    s.on("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.on("timeout", () => {
      s.destroy();
      resolve(false);
    });
    s.on("error", () => resolve(false));
  });
}

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe.skipIf(why !== undefined)("netns launcher running the real atrium-remoted (root)", () => {
  let handle: GuestHandle | undefined;

  afterAll(async () => {
    if (handle) await launcher.stop(handle, { timeoutMs: 3000, force: true }, ctx).catch(() => undefined);
    removeGuestNetwork(node);
    ipQuiet("link", "del", "dev", BRIDGE);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("defaults to this installation's dist/atrium-remoted.mjs", () => {
    expect(defaultRemotedCommand("node")).toEqual([process.execPath, remoted]);
  });

  it("starts atrium-remoted in a guest that answers a TCP connect and a TLS-PSK sign-on", async () => {
    const authkey = randomBytes(256);
    const keyFile = join(stateDir, "client-authkey");
    writeFileSync(keyFile, authkey, { mode: 0o600 });
    handle = await launcher.start({ resource: "c-remoted", node, params: { address: `${ADDR}/24`, bridge: BRIDGE }, authkey, timeoutMs: 30_000 }, ctx);
    expect(await launcher.status(handle, ctx)).toBe("running");
    const { host, port } = await launcher.address(handle, ctx);
    expect({ host, port }).toEqual({ host: ADDR, port: 3121 });
    expect(await tcpConnects(host, port)).toBe(true);
    const r = await run(process.execPath, [cli, "remote", "check", "--server", host, "--port", String(port), "--authkey", keyFile, "--json"]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true });
    expect(r.code).toBe(0);
    // A wrong key is refused: the guest really uses the key it was given.
    const wrong = join(stateDir, "wrong-authkey");
    writeFileSync(wrong, randomBytes(256), { mode: 0o600 });
    const bad = await run(process.execPath, [cli, "remote", "check", "--server", host, "--port", String(port), "--authkey", wrong, "--json"]);
    expect(bad.code).not.toBe(0);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, failure: "wrong-key" });
  });

  it("stops atrium-remoted with SIGTERM and removes the guest", async () => {
    await launcher.stop(handle!, { timeoutMs: 10_000, force: false }, ctx);
    expect(await launcher.status(handle!, ctx)).toBe("stopped");
    expect(await tcpConnects(ADDR, 3121, 500)).toBe(false);
    handle = undefined;
  });
});
