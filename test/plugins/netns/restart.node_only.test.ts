/**
 * The netns launcher across a restart of its host process: a separate process (a stand-in for
 * atriumd, bundled on the fly with esbuild) starts a guest, prints the handle and exits; the
 * guest keeps running, and this process re-attaches with `recover`, talks to it and stops it.
 * Needs root, `ip` and `unshare`; skipped with a printed reason otherwise. Uses its own bridge
 * "atrjtest3" and 10.214.204.0/24.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { conformance, type GuestHandle } from "../../../core/plugin/mod.ts";
import { createNetnsLauncher, defaultSettings } from "../../../plugins/netns/mod.ts";
import { ipQuiet, netnsSuiteBlocker, removeGuestNetwork } from "./_helpers.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const BRIDGE = "atrjtest3";
const ADDR = "10.214.204.31";

const why = netnsSuiteBlocker();
if (why) console.log(`Skipping the netns restart suite: ${why}`);

const tmp = mkdtempSync(`${tmpdir()}/atrium-netns-restart-`);
const node = `jtrs-${process.pid}`;
const ctx = conformance.testContext();
const ECHO = `require("net").createServer((s) => s.pipe(s)).listen(7000, "0.0.0.0"); process.on("SIGTERM", () => process.exit(0));`;
const settings = { ...defaultSettings(), stateDir: `${tmp}/state`, remotedCommand: [process.execPath, "-e", ECHO] };

function echoes(host: string, port: number, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: timeoutMs });
    s.on("connect", () => s.write("hello"));
    s.on("data", (d) => {
      s.destroy();
      resolve(d.toString() === "hello");
    });
    s.on("timeout", () => {
      s.destroy();
      resolve(false);
    });
    s.on("error", () => resolve(false));
  });
}

describe.skipIf(why !== undefined)("netns launcher across a host process restart (root)", () => {
  let handle: GuestHandle | undefined;

  afterAll(async () => {
    if (handle) await createNetnsLauncher(settings).stop(handle, { timeoutMs: 2000, force: true }, ctx).catch(() => undefined);
    removeGuestNetwork(node);
    ipQuiet("link", "del", "dev", BRIDGE);
    rmSync(tmp, { recursive: true, force: true });
  });

  it("re-attaches to a guest started by a process that has exited", async () => {
    const entry = `${tmp}/starter.ts`;
    writeFileSync(entry, `
      import { createNetnsLauncher } from ${JSON.stringify(join(root, "plugins", "netns", "mod.ts"))};
      import { conformance } from ${JSON.stringify(join(root, "core", "plugin", "mod.ts"))};
      const settings = JSON.parse(process.argv[2]);
      const h = await createNetnsLauncher(settings).start(
        { resource: "c-restart", node: ${JSON.stringify(node)}, params: { address: "${ADDR}/24", bridge: "${BRIDGE}", port: "7000" },
          authkey: new Uint8Array([7, 7, 7]), timeoutMs: 20000 }, conformance.testContext());
      process.stdout.write(JSON.stringify(h));
    `);
    await build({ entryPoints: [entry], outfile: `${tmp}/starter.mjs`, bundle: true, platform: "node", format: "esm", logLevel: "error" });
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [`${tmp}/starter.mjs`, JSON.stringify(settings)], { timeout: 30_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`starter failed: ${stderr}`)) : resolve(String(stdout))
      )
    );
    handle = JSON.parse(out) as GuestHandle;
    const pid = (handle.state as { pid: number }).pid;
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    const launcher = createNetnsLauncher(settings);
    expect(await launcher.recover(handle, ctx)).toBe(true);
    expect(await launcher.status(handle, ctx)).toBe("running");
    expect(await echoes(ADDR, 7000)).toBe(true);
    // A handle whose recorded start time does not match (a recycled pid) is not the guest.
    const forged = { ...handle, state: { ...handle.state, startTime: "1" } };
    expect(await launcher.status(forged, ctx)).toBe("failed");
    await launcher.stop(handle, { timeoutMs: 5000, force: false }, ctx);
    expect(await launcher.status(handle, ctx)).toBe("stopped");
    expect(await echoes(ADDR, 7000, 500)).toBe(false);
    handle = undefined;
  });
});
