/**
 * Robustness of atrium-remoted (the built daemon): random, truncated and oversized frames,
 * garbage before and inside TLS, corrupted TLS records and a client stalling mid-handshake.
 * Every bad connection must be closed (no hang) with a logged reason; the daemon must stay
 * up, keep its memory bounded and keep serving good clients.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import process from "node:process";
import { encodeFrame, RemoteClient } from "../../core/remote/mod.ts";
import { tlsPskConnect } from "../../core/tls-psk/mod.ts";
import { type AtriumRemoted, buildAgent, startAtriumRemoted } from "../interop/remote_helpers.ts";

const PORT = 4950 + (process.pid % 500);
let d: AtriumRemoted;

/** Small seeded PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(20261125);
function bytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(PORT, "127.0.0.1", () => resolve(s));
    s.on("error", () => {});
    s.once("error", reject);
  });
}

/** Resolves the ms until the socket closes; rejects if it is still open after `ms`. */
function closedWithin(s: Socket, ms: number): Promise<number> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    if (s.destroyed) return resolve(0);
    const t = setTimeout(() => (s.destroy(), reject(new Error(`connection still open after ${ms} ms`))), ms);
    s.on("close", () => (clearTimeout(t), resolve(Date.now() - t0)));
    s.resume();
  });
}

function vmRssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : 0;
}

beforeAll(async () => {
  const bundle = await buildAgent("atrium-remoted");
  d = await startAtriumRemoted(bundle, PORT, { keyBytes: 512, args: ["--handshake-timeout", "500", "--max-payload", "65536"] });
}, 60_000);
afterAll(async () => {
  if (process.env["ATRIUM_FUZZ_LOG"]) (await import("node:fs")).writeFileSync(process.env["ATRIUM_FUZZ_LOG"], d?.log() ?? "");
  await d?.stop();
});

async function tlsSession(): Promise<{ tcp: Socket; tls: Awaited<ReturnType<typeof tlsPskConnect>> }> {
  const tcp = await open();
  tcp.setNoDelay(true);
  const tls = await tlsPskConnect(tcp, { identity: "lrmd", key: d.key });
  tls.on("error", () => {});
  return { tcp, tls };
}

function signOn(): Uint8Array[] {
  const f = encodeFrame('<lrmd_command t="lrmd" lrmd_op="register" lrmd_clientname="fuzz" lrmd_protocol_version="1.1" lrmd_remote_msg_id="1" lrmd_remote_msg_type="request"/>', 1);
  return [f.header, f.payload];
}

describe("atrium-remoted under hostile input", () => {
  it("closes connections sending garbage before and instead of TLS", async () => {
    const jobs: Promise<number>[] = [];
    for (let i = 0; i < 16; i++) {
      const s = await open();
      if (i % 2 === 0) s.write(bytes(1 + Math.floor(rand() * 3000)));
      else s.write(new Uint8Array([0x16, 0x03, 0x01, Math.floor(rand() * 256), Math.floor(rand() * 256), ...bytes(200)]));
      jobs.push(closedWithin(s, 3000));
    }
    await Promise.all(jobs);
  });

  it("drops a client stalling mid-handshake at the (configured) deadline", async () => {
    const s = await open();
    s.write(new Uint8Array([0x16, 0x03, 0x01, 0x00, 0x80, 0x01, 0x00, 0x00, 0x7c, 0x03, 0x03]));
    const ms = await closedWithin(s, 3000);
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThan(2000);
    await d.waitLog(/(no TLS handshake within 500 ms|TLS handshake failed \(TLS_HANDSHAKE_TIMEOUT)/);
  });

  it("closes TLS sessions carrying random, truncated, oversized and malformed frames", async () => {
    const cases: ((tls: Awaited<ReturnType<typeof tlsPskConnect>>) => void)[] = [
      (t) => t.write(bytes(500)), // not a frame
      (t) => {
        const f = encodeFrame("x".repeat(100), 1);
        t.write(f.header);
        t.write(bytes(101)); // random payload: not UTF-8 / not XML
      },
      (t) => {
        const f = encodeFrame("x".repeat(10 * 1024 * 1024), 1);
        t.write(f.header); // declares 10 MiB > --max-payload 65536
      },
      (t) => {
        const f = encodeFrame("<a/>".repeat(500), 1);
        t.write(f.header);
        t.write(f.payload.subarray(0, 100));
        t.end(); // truncated, then EOF
      },
      (t) => {
        const [h, p] = signOn();
        t.write(h!);
        t.write(p!);
        const deep = encodeFrame("<a>".repeat(5000) + "</a>".repeat(5000), 2);
        t.write(deep.header);
        t.write(deep.payload);
      },
      (t) => {
        const [h, p] = signOn();
        t.write(h!);
        t.write(p!);
        const dtd = encodeFrame('<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]><lrmd_command lrmd_op="lrmd_rsc_poke"/>', 2);
        t.write(dtd.header);
        t.write(dtd.payload);
      },
    ];
    for (let round = 0; round < 2; round++) {
      await Promise.all(cases.map(async (c) => {
        const { tcp, tls } = await tlsSession();
        c(tls);
        await closedWithin(tcp, 3000);
      }));
    }
    expect(d.log()).toMatch(/magic is 0x[0-9a-f]{8}, expected 0xbadadbbd/);
    expect(d.log()).toMatch(/exceeds the limit of 65536/);
    expect(d.log()).toMatch(/deeper than 32/);
    expect(d.log()).toMatch(/DOCTYPE/);
  });

  it("answers random but well-framed requests without closing, then serves them normally", async () => {
    const c = new RemoteClient({ host: "127.0.0.1", port: PORT, key: d.key, clientName: "fuzz-ok" });
    await c.connect();
    const ops = ["lrmd_rsc_exec", "lrmd_rsc_cancel", "lrmd_rsc_register", "lrmd_rsc_info", "lrmd_alert_exec", "lrmd_rsc_unregister", "x"];
    for (let i = 0; i < 60; i++) {
      const op = ops[Math.floor(rand() * ops.length)]!;
      const junk = String.fromCharCode(...bytes(8).map((b) => 0x21 + (b % 90)));
      const r = await c.raw({ op: "unknown", name: op === "x" ? `lrmd_${junk.replace(/[^a-z]/gi, "")}` : op }, { timeoutMs: Math.floor(rand() * 1e6) });
      expect(r.rc).toBeLessThan(0);
    }
    expect(await c.poke()).toBeGreaterThan(0);
    c.close();
  });

  it("closes sessions whose TLS records are corrupted", async () => {
    for (let i = 0; i < 6; i++) {
      const { tcp } = await tlsSession();
      tcp.write(new Uint8Array([0x17, 0x03, 0x03, 0x00, 0x40, ...bytes(0x40)]));
      await closedWithin(tcp, 3000);
    }
  });

  it("is still up with bounded memory and a closing reason logged for every connection", async () => {
    expect(d.child.exitCode).toBeNull();
    const rss = vmRssKb(d.child.pid!);
    expect(rss).toBeGreaterThan(0);
    expect(rss).toBeLessThan(250 * 1024);
    const c = new RemoteClient({ host: "127.0.0.1", port: PORT, key: d.key });
    await c.connect();
    expect(await c.poke()).toBeGreaterThan(0);
    c.close();
    await new Promise((r) => setTimeout(r, 100));
    const closes = d.log().split("\n").filter((l) => /Connection .*closed after/.test(l));
    expect(closes.length).toBeGreaterThanOrEqual(16 + 1 + 12 + 1 + 6);
    for (const l of closes) expect(l).toMatch(/closed after [0-9.]+ s.*: \S/);
  });
});
