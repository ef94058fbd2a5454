import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  encodeFrame, type ExecResult, FrameDecoder, plainSecure, RemoteClient, RemoteServer, waitForResult,
} from "../../../core/remote/mod.ts";
import { isAtriumError } from "../../../core/errors.ts";
import { scriptBackend } from "./_script_backend.ts";

const dir = mkdtempSync(join(tmpdir(), "atrium-remote-"));
const AGENT = `case "$1" in
start) touch "$OCF_RESKEY_state"; exit 0;;
stop) rm -f "$OCF_RESKEY_state"; exit 0;;
monitor) [ -f "$OCF_RESKEY_state" ] && exit 0; exit 7;;
slow) exec sleep 3;;
*) echo "usage: $0 start|stop|monitor" >&2; exit 3;;
esac
`;
writeFileSync(join(dir, "fake.sh"), AGENT);
const backend = scriptBackend(() => join(dir, "fake.sh"));
const logs: string[] = [];
const server = new RemoteServer({ backend, key: () => new Uint8Array([1]), secure: plainSecure, handshakeTimeoutMs: 400, log: (l, line) => logs.push(`${l} ${line}`) });
let port = 0;
const key = new Uint8Array([1]);

function client(extra: Partial<ConstructorParameters<typeof RemoteClient>[0]> = {}): RemoteClient {
  return new RemoteClient({ host: "127.0.0.1", port, key, secure: plainSecure, clientName: "test", ...extra });
}

beforeAll(async () => {
  port = (await server.listen({ host: "127.0.0.1", port: 0 })).port;
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("RemoteClient against RemoteServer (plain streams, shell agent)", () => {
  it("runs the controller's sequence: register, probe, start, recurring monitor, cancel, stop, unregister", async () => {
    const c = client();
    const s = await c.connect();
    expect(s.protocolVersion).toBe("1.1");
    expect(s.clientId).toMatch(/^[0-9a-f-]{36}$/);
    const results: ExecResult[] = [];
    c.on("result", (r: ExecResult) => results.push(r));
    const notifies: string[] = [];
    c.on("notify", (n: { op: string }) => notifies.push(n.op));
    await c.registerResource({ id: "r1", standard: "ocf", provider: "test", type: "fake" });
    expect(await c.resourceInfo("r1")).toEqual({ id: "r1", standard: "ocf", provider: "test", type: "fake" });
    expect(await c.resourceInfo("nope")).toBeUndefined();
    const params = { state: join(dir, "r1.state") };
    const base = { rscId: "r1", intervalMs: 0, timeoutMs: 5000, startDelayMs: 0, params };
    const probe = await c.exec({ ...base, action: "monitor" });
    expect((await waitForResult(c, probe, 5000)).rc).toBe(7);
    const start = await c.exec({ ...base, action: "start", userdata: "ud" });
    const sr = await waitForResult(c, start, 5000);
    expect(sr).toMatchObject({ rc: 0, opStatus: 0, action: "start", userdata: "ud", params });
    const mon = await c.exec({ ...base, action: "monitor", intervalMs: 100 });
    const seen: ExecResult[] = [];
    await new Promise<void>((resolve) => {
      const on = (r: ExecResult) => {
        if (r.callId === mon && seen.push(r) === 2) (c.off("result", on), resolve());
      };
      c.on("result", on);
    });
    expect(seen.map((r) => r.rc)).toEqual([0, 0]);
    expect(await c.getRecurring()).toEqual([{ rscId: "r1", action: "monitor", intervalMs: 100, timeoutMs: 5000 }]);
    const before = results.length;
    expect(await c.cancel("r1", "monitor", 100)).toBe(true);
    // The cancelled notify arrived before the reply.
    expect(results.slice(before).some((r) => r.callId === mon && r.opStatus === 1)).toBe(true);
    expect(await c.cancel("r1", "monitor", 100)).toBe(false);
    const stop = await c.exec({ ...base, action: "stop" });
    expect((await waitForResult(c, stop, 5000)).rc).toBe(0);
    const bogus = await c.exec({ ...base, action: "frobnicate" });
    const br = await waitForResult(c, bogus, 5000);
    expect(br.rc).toBe(3);
    expect(br.output).toMatch(/usage/);
    await expect(c.exec({ ...base, rscId: "nope", action: "start" })).rejects.toThrow(/rc -19 \(ENODEV\)/);
    expect(await c.poke()).toBeGreaterThan(0);
    expect(await c.unregisterResource("r1")).toBe("done");
    expect((await c.raw({ op: "unknown", name: "lrmd_bogus_op" })).rc).toBe(-95);
    await c.alert({ id: "a1", path: "/bin/true", timeoutMs: 1000, params: { CRM_alert_kind: "node" } });
    expect(backend.alerts.at(-1)?.params).toEqual({ CRM_alert_kind: "node" });
    await new Promise((r) => setTimeout(r, 20));
    expect(notifies).toEqual(expect.arrayContaining(["lrmd_rsc_register", "lrmd_rsc_poke", "lrmd_rsc_unregister"]));
    c.close();
  });

  it("answers -115 when unregistering a resource whose op is running, then reports it deleted", async () => {
    const c = client();
    await c.connect();
    await c.registerResource({ id: "slow", standard: "ocf", provider: "test", type: "fake" });
    const id = await c.exec({ rscId: "slow", action: "slow", intervalMs: 0, timeoutMs: 200, startDelayMs: 0, params: {} });
    expect(await c.unregisterResource("slow")).toBe("pending");
    const r = await waitForResult(c, id, 5000);
    expect(r).toMatchObject({ deleted: true, opStatus: 2, rc: 1 });
    c.close();
  });

  it("tells other clients about a new client and answers malformed requests without closing", async () => {
    const a = client();
    await a.connect();
    const seen = new Promise<void>((r) => a.once("new_client", () => r()));
    const b = client({ clientName: "b" });
    await b.connect();
    await seen;
    // A malformed request: interval is not a number -> rc -22 with a reason, connection stays.
    const bad = await b.raw({ op: "lrmd_rsc_cancel", rscId: "x", action: "monitor", intervalMs: "often" as unknown as number });
    expect(bad.rc).toBe(-22);
    expect(bad.el.attrs.get("atrium_error")).toMatch(/lrmd_rsc_interval/);
    expect(await b.poke()).toBeGreaterThan(0);
    a.close();
    b.close();
  });

  it("answers IPC-proxy forwards cleanly: rc 0, and a destroy for a session it does not serve", async () => {
    const c = client({ ipcProvider: true });
    await c.connect();
    const destroyed = new Promise<{ ipcOp: string; session?: string }>((r) => c.once("ipc", r));
    await c.ipcForward({ ipcOp: "response", session: "s-1", ipcMsgId: 1, msg: { name: "nack", attrs: new Map([["rc", "-107"]]), children: [] } });
    expect(await destroyed).toMatchObject({ ipcOp: "destroy", session: "s-1" });
    await c.ipcForward({ ipcOp: "destroy", session: "s-1" });
    expect(server.clients.find((x) => x.id === c.session!.clientId)?.ipcProvider).toBe(true);
    c.close();
  });

  it("drops a client that never signs on at the deadline, with a logged reason", async () => {
    const sock = connect(port, "127.0.0.1");
    const closed = await new Promise<number>((resolve) => {
      const t0 = Date.now();
      sock.on("close", () => resolve(Date.now() - t0));
      sock.on("error", () => {});
    });
    expect(closed).toBeGreaterThanOrEqual(350);
    expect(closed).toBeLessThan(2000);
    expect(logs.some((l) => /closed after .*: no (TLS handshake|sign-on) within 400 ms/.test(l))).toBe(true);
  });

  it("closes a connection that sends garbage, with the reason in the log", async () => {
    const sock = connect(port, "127.0.0.1");
    await new Promise((r) => sock.once("connect", r));
    const { header, payload } = encodeFrame('<lrmd_command t="lrmd" lrmd_op="register" lrmd_protocol_version="1.1" lrmd_remote_msg_id="1"/>', 1);
    sock.write(header);
    sock.write(payload);
    const d = new FrameDecoder();
    const reply = await new Promise<string>((r) => sock.on("data", (b: Uint8Array) => d.push(b).forEach((f) => r(f.xml))));
    expect(reply).toMatch(/lrmd_rc="0"/);
    sock.write(new Uint8Array(64).fill(0x55));
    await new Promise((r) => sock.on("close", r));
    expect(logs.some((l) => /magic is 0x55555555/.test(l))).toBe(true);
  });

  it("notices a hung peer within about a second through pokes", async () => {
    const c = client({ pokeIntervalMs: 200, pokeTimeoutMs: 500 });
    await c.connect();
    // Freeze the server side of this connection: it stops reading.
    const sc = server.clients.find((x) => x.id === c.session!.clientId)!;
    const t0 = Date.now();
    // The server stops answering this client (as a SIGSTOPped daemon would).
    const orig = sc.conn!.send.bind(sc.conn!);
    sc.conn!.send = () => Promise.resolve();
    const reason = await new Promise<string>((r) => c.once("close", r));
    expect(reason).toMatch(/did not answer a poke within 500 ms/);
    expect(Date.now() - t0).toBeLessThan(1500);
    sc.conn!.send = orig;
  });

  it("does not declare a healthy peer dead when its own event loop was stalled past the poke deadline", async () => {
    const c = client({ pokeIntervalMs: 100, pokeTimeoutMs: 300 });
    await c.connect();
    let closed = "";
    c.once("close", (r: string) => (closed = r));
    // The server side stalls the whole process (client and server alike) for 4 deadlines just
    // before it answers a poke: the client's deadline timer fires late, the answer is in flight.
    const sc = server.clients.find((x) => x.id === c.session!.clientId)!;
    const orig = sc.conn!.send.bind(sc.conn!);
    let stalls = 0;
    sc.conn!.send = (...a: Parameters<typeof orig>) => {
      if (stalls++ === 0) {
        const end = Date.now() + 1200;
        while (Date.now() < end) { /* a stalled process */ }
      }
      return orig(...a);
    };
    await new Promise((r) => setTimeout(r, 800));
    expect(closed).toBe("");
    expect(c.connected).toBe(true);
    c.close();
  });

  it("reconnects after the server dropped it, and lists recurring ops again", async () => {
    const c = client();
    await c.connect();
    await c.registerResource({ id: "rc", standard: "ocf", provider: "test", type: "fake" });
    await c.exec({ rscId: "rc", action: "monitor", intervalMs: 60_000, timeoutMs: 5000, startDelayMs: 60_000, params: {} });
    const closed = new Promise<string>((r) => c.once("close", r));
    server.clients.find((x) => x.id === c.session!.clientId)!.conn!.destroy("test drop");
    expect(await closed).toMatch(/closed|peer/);
    expect(c.connected).toBe(false);
    await expect(c.poke()).rejects.toThrow(/not connected/);
    const s2 = await c.connect();
    expect(s2.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await c.getRecurring("rc")).toEqual([{ rscId: "rc", action: "monitor", intervalMs: 60_000, timeoutMs: 5000 }]);
    expect(await c.cancel("rc", "monitor", 60_000)).toBe(true);
    c.close();
  });

  it("speaks TLS-PSK (core/tls-psk) with a 4096-byte key, and refuses a wrong key", async () => {
    const big = new Uint8Array(4096).map((_, i) => (i * 7919) & 0xff);
    const tlsServer = new RemoteServer({ backend, key: () => big });
    const p = (await tlsServer.listen({ host: "127.0.0.1", port: 0 })).port;
    try {
      const c = new RemoteClient({ host: "127.0.0.1", port: p, key: big });
      const s = await c.connect();
      expect(s.tls).toEqual({ version: "TLSv1.3", cipher: "TLS_CHACHA20_POLY1305_SHA256" });
      expect(await c.poke()).toBeGreaterThan(0);
      c.close();
      const c12 = new RemoteClient({ host: "127.0.0.1", port: p, key: big, tlsVersions: ["TLSv1.2"] });
      expect((await c12.connect()).tls.version).toBe("TLSv1.2");
      c12.close();
      const wrong = big.slice();
      wrong[100] = wrong[100]! ^ 1;
      const e = await new RemoteClient({ host: "127.0.0.1", port: p, key: wrong }).connect().catch((x: unknown) => x);
      expect(isAtriumError(e, "TLS_BAD_KEY")).toBe(true);
      expect((e as Error).message).toMatch(/^Cannot connect to 127\.0\.0\.1:\d+: .*different key/);
    } finally {
      await tlsServer.close();
    }
  });

  it("reports a refused connection clearly", async () => {
    const c = new RemoteClient({ host: "127.0.0.1", port: 1, key, secure: plainSecure });
    const e = await c.connect().catch((x: unknown) => x);
    expect(isAtriumError(e, "REMOTE_REFUSED")).toBe(true);
    expect((e as Error).message).toBe("Cannot connect to 127.0.0.1:1: connection refused (nothing listens there)");
  });
});
