/**
 * atrium-remoted and the remote CLI commands end to end: the built daemon as a child
 * process, `atrium remote check` diagnostics, `atrium authkey generate`, the SIGTERM path
 * with the IPC-proxy shutdown request, and refusal to start without a key.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { RemoteClient } from "../../core/remote/mod.ts";
import { tlsPskAccept } from "../../core/tls-psk/mod.ts";
import { type AtriumRemoted, buildAgent, startAtriumRemoted } from "../interop/remote_helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "atrium-e2e-remoted-"));
const PORT = 4400 + (process.pid % 500);
let remotedBundle = "", atriumBundle = "";
let d: AtriumRemoted;

function atrium(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [atriumBundle, ...args], { env: { ...process.env, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function listen(onConn: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer(onConn);
    server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

beforeAll(async () => {
  [remotedBundle, atriumBundle] = await Promise.all([buildAgent("atrium-remoted"), buildAgent("atrium")]);
  d = await startAtriumRemoted(remotedBundle, PORT, { keyBytes: 4096 });
}, 60_000);
afterAll(async () => {
  await d?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("atrium remote check", () => {
  it("prints the negotiated TLS version, cipher and protocol version", async () => {
    const r = await atrium(["remote", "check", "--server", "127.0.0.1", "--port", String(PORT), "--authkey", d.keyFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/TLS: +TLSv1\.3 TLS_CHACHA20_POLY1305_SHA256/);
    expect(r.stdout).toMatch(/protocol: +1\.1 \(ours 1\.1\)/);
    const j = JSON.parse((await atrium(["remote", "check", "--server", "127.0.0.1", "--port", String(PORT), "--authkey", d.keyFile, "--json", "--tls-version", "1.2"])).stdout);
    expect(j).toMatchObject({ ok: true, tls: { version: "TLSv1.2" }, protocolVersion: "1.1", keyBytes: 4096 });
  });

  it("says exactly why it failed: wrong key, refused, not TLS, timed out, protocol mismatch", async () => {
    const wrongKey = join(dir, "wrong");
    writeFileSync(wrongKey, "not the key", { mode: 0o600 });
    const check = async (port: number, key = d.keyFile, extra: string[] = []) =>
      JSON.parse((await atrium(["remote", "check", "--server", "127.0.0.1", "--port", String(port), "--authkey", key, "--json", ...extra])).stdout);
    expect(await check(PORT, wrongKey)).toMatchObject({ ok: false, failure: "wrong-key" });
    const closed = await listen(() => {});
    closed.server.close();
    expect(await check(closed.port)).toMatchObject({ ok: false, failure: "refused", code: "REMOTE_REFUSED" });
    const http = await listen((s) => s.once("data", () => s.end("HTTP/1.1 400 Bad Request\r\n\r\n")));
    expect(await check(http.port)).toMatchObject({ ok: false, failure: "not-tls" });
    http.server.close();
    const mute = await listen(() => {});
    const t0 = Date.now();
    expect(await check(mute.port, d.keyFile, ["--timeout", "400"])).toMatchObject({ ok: false, failure: "timed-out" });
    expect(Date.now() - t0).toBeLessThan(5000);
    mute.server.close();
    // TLS-PSK with the right key, then something that is not a Pacemaker remote frame.
    const key = new Uint8Array(readFileSync(d.keyFile));
    const odd = await listen((s) => {
      tlsPskAccept(s, { key }).then((t) => t.once("data", () => t.write(new TextEncoder().encode("HELLO, this is not a frame at all, really not.\n"))), () => {});
    });
    expect(await check(odd.port)).toMatchObject({ ok: false, failure: "protocol-mismatch" });
    odd.server.close();
    const human = await atrium(["remote", "check", "--server", "127.0.0.1", "--port", String(PORT), "--authkey", wrongKey]);
    expect(human.code).toBe(69);
    expect(human.stderr).toMatch(/wrong key/);
    expect(human.stderr + human.stdout).not.toContain(readFileSync(d.keyFile).toString("hex").slice(0, 32));
  });

  it("reports a missing key file by name", async () => {
    const r = await atrium(["remote", "check", "--server", "127.0.0.1", "--authkey", join(dir, "nope"), "--json"]);
    expect(r.code).toBe(66);
    expect(JSON.parse(r.stdout)).toMatchObject({ failure: "no-key", message: expect.stringContaining(`"${join(dir, "nope")}" (does not exist)`) });
  });
});

describe("atrium authkey generate", () => {
  it("writes a random key with mode 0600, refuses to overwrite without --force, never prints it", async () => {
    const out = join(dir, "gen", "authkey");
    const r = await atrium(["authkey", "generate", "--out", out, "--bytes", "512"]);
    expect(r.code).toBe(0);
    const k1 = readFileSync(out);
    expect(k1.length).toBe(512);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(r.stdout + r.stderr).not.toContain(k1.toString("hex").slice(0, 16));
    const again = await atrium(["authkey", "generate", "--out", out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/the file exists \(use --force to replace it\)/);
    expect(readFileSync(out).equals(k1)).toBe(true);
    expect((await atrium(["authkey", "generate", "--out", out, "--force"])).code).toBe(0);
    const k2 = readFileSync(out);
    expect(k2.length).toBe(4096);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect((await atrium(["authkey", "generate", "--out", out, "--bytes", "0", "--force"])).code).toBe(64);
  });
});

describe("atrium-remoted lifecycle", () => {
  it("refuses to start without a readable key, naming each path tried and why", async () => {
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(process.execPath, [remotedBundle, "--authkey", join(dir, "missing"), "--port", "1"], { timeout: 10_000 }, (err, so, se) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: so + se }));
    });
    expect(r.code).toBe(66);
    expect(r.out).toContain(`Cannot read a Pacemaker remote authkey: "${join(dir, "missing")}" (does not exist); refusing to start without a key`);
  });

  it("on SIGTERM asks the cluster to move resources off (shutdown_req), waits, then exits", async () => {
    const port = PORT + 1;
    const x = await startAtriumRemoted(remotedBundle, port, { keyBytes: 256, args: ["--shutdown-timeout", "5000"] });
    const c = new RemoteClient({ host: "127.0.0.1", port, key: x.key, ipcProvider: true, clientName: "controller" });
    await c.connect();
    const req = new Promise<{ ipcOp: string; session?: string }>((r) => c.on("ipc", (m: { ipcOp: string; session?: string }) => r(m)));
    x.child.kill("SIGTERM");
    const m = await req;
    expect(m).toMatchObject({ ipcOp: "shutdown_req", session: "0" });
    await c.ipcForward({ ipcOp: "shutdown_ack" });
    await x.waitLog(/Cluster acknowledged the shutdown request/);
    expect(x.child.exitCode).toBeNull(); // still waiting for the cluster to move resources off
    // New connections are no longer accepted.
    const late = await new RemoteClient({ host: "127.0.0.1", port, key: x.key, connectTimeoutMs: 1000 }).connect().catch((e: Error) => e);
    expect(late).toBeInstanceOf(Error);
    c.close();
    expect(await x.exited).toBe(0);
    expect(x.log()).toMatch(/Exiting: the cluster moved resources off and disconnected/);
  });

  it("lets a poking client notice a hung (SIGSTOP) daemon within about a second, and a killed one at once", async () => {
    const port = PORT + 3;
    const x = await startAtriumRemoted(remotedBundle, port, { keyBytes: 128 });
    try {
      const c = new RemoteClient({ host: "127.0.0.1", port, key: x.key, pokeIntervalMs: 250, pokeTimeoutMs: 600 });
      await c.connect();
      const lost = new Promise<string>((r) => c.once("close", r));
      const t0 = Date.now();
      x.child.kill("SIGSTOP");
      expect(await lost).toMatch(/did not answer a poke within 600 ms/);
      expect(Date.now() - t0).toBeLessThan(1300);
      x.child.kill("SIGCONT");
      await c.connect(); // the daemon is back: reconnect works
      const gone = new Promise<string>((r) => c.once("close", r));
      const t1 = Date.now();
      x.child.kill("SIGKILL");
      expect(await gone).toMatch(/closed|reset|ECONNRESET|peer/i);
      expect(Date.now() - t1).toBeLessThan(500);
    } finally {
      x.child.kill("SIGKILL");
      await x.exited;
    }
  });

  it("exits at once on SIGTERM without a cluster connection, and at the bound when the cluster never answers", async () => {
    const port = PORT + 2;
    const x = await startAtriumRemoted(remotedBundle, port, { keyBytes: 64 });
    x.child.kill("SIGTERM");
    expect(await x.exited).toBe(0);
    expect(x.log()).toMatch(/no cluster connection to notify/);
    const y = await startAtriumRemoted(remotedBundle, port, { keyBytes: 64, args: ["--shutdown-timeout", "300"] });
    const c = new RemoteClient({ host: "127.0.0.1", port, key: y.key, ipcProvider: true });
    await c.connect();
    y.child.kill("SIGTERM");
    expect(await y.exited).toBe(1);
    expect(y.log()).toMatch(/did not release this node within 300 ms/);
  });
});
