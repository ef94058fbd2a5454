// Record layer behaviour over an in-memory pair: one write = own records, splitting, bad input,
// deadlines, close, flow control. Runs on Node and Deno.
import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { tlsPskAccept, tlsPskConnect } from "../../../core/tls-psk/mod.ts";
import type { TlsPskSocket, TlsVersion } from "../../../core/tls-psk/mod.ts";
import { duplexPair, readBytes, records, settle } from "./_pair.ts";
import type { End } from "./_pair.ts";

const key = randomBytes(32);

async function established(version: TlsVersion, cipher?: "TLS_PSK_WITH_AES_128_GCM_SHA256") {
  const [a, b] = duplexPair();
  const [c, s] = await Promise.all([
    tlsPskConnect(a, { identity: "CRM", key, versions: [version], ...(cipher ? { ciphers: [cipher] } : {}) }),
    tlsPskAccept(b, { key }),
  ]);
  await new Promise((r) => setTimeout(r, 0));
  a.written.length = 0;
  b.written.length = 0;
  return { a, b, c, s };
}

function errorOf(sock: TlsPskSocket): Promise<Error & { code?: string }> {
  return new Promise((resolve) => sock.once("error", resolve));
}

/** Handshake-stage failure caused by raw bytes sent from a fake peer. */
async function rawPeer(role: "client" | "server", bytes: Buffer, end = false) {
  const [a, b] = duplexPair();
  const p = settle(role === "server" ? tlsPskAccept(a, { key }) : tlsPskConnect(a, { identity: "CRM", key }));
  b.write(bytes);
  if (end) b.end();
  return { r: await p, a, b };
}

describe("record boundaries", () => {
  for (const version of ["TLSv1.3", "TLSv1.2"] as const) {
    it(`sends each write as its own records, split at 2^14 bytes (${version})`, async () => {
      const { a, c, s } = await established(
        version,
        version === "TLSv1.2" ? "TLS_PSK_WITH_AES_128_GCM_SHA256" : undefined,
      );
      const header = Buffer.alloc(40, 1);
      const payload = Buffer.alloc(100, 2);
      const big = randomBytes(40_000);
      c.write(header);
      c.write(payload);
      c.write(big);
      const got = await readBytes(s, 40 + 100 + 40_000);
      expect(got.subarray(0, 40).equals(header)).toBe(true);
      expect(got.subarray(140).equals(big)).toBe(true);
      const overhead = version === "TLSv1.3" ? 17 : 24;
      const lens = records(a.written).map((r) => r.len - overhead);
      expect(lens).toEqual([40, 100, 16384, 16384, 40_000 - 32768]);
      expect(records(a.written).every((r) => r.type === 23)).toBe(true);
    });
  }

  it("sends nothing for an empty write and still calls back", async () => {
    const { a, c } = await established("TLSv1.3");
    await new Promise<void>((resolve, reject) =>
      c.write(Buffer.alloc(0), (e) => (e ? reject(e) : resolve()))
    );
    expect(a.written.length).toBe(0);
  });

  it("write callbacks run in order once the records were written", async () => {
    const { a, c } = await established("TLSv1.3");
    const seen: number[] = [];
    await new Promise<void>((resolve) => {
      c.write("one", () => seen.push(a.written.length));
      c.write("two", () => {
        seen.push(a.written.length);
        resolve();
      });
    });
    expect(seen.length).toBe(2);
    expect(seen[0]).toBeGreaterThanOrEqual(1);
    expect(seen[1]).toBe(2);
  });
});

describe("bad input", () => {
  it("says TLS_NOT_TLS when a client speaks HTTP to the server", async () => {
    const { r, a } = await rawPeer("server", Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    expect(!r.ok && r.error.code).toBe("TLS_NOT_TLS");
    expect(!r.ok && r.error.message).toContain("474554202f204854");
    expect(a.destroyed || a.writableEnded).toBe(true);
  });

  it("says TLS_NOT_TLS when the server answers with garbage", async () => {
    const { r } = await rawPeer("client", Buffer.from("SSH-2.0-OpenSSH_9.2\r\n"));
    expect(!r.ok && r.error.code).toBe("TLS_NOT_TLS");
  });

  it("says TLS_CLOSED when the peer ends in the middle of a record", async () => {
    const { r } = await rawPeer("server", Buffer.from("160301020000", "hex"), true);
    expect(!r.ok && r.error.code).toBe("TLS_CLOSED");
  });

  it("refuses a malformed ClientHello with decode_error", async () => {
    const [a, b] = duplexPair();
    const p = settle(tlsPskAccept(a, { key }));
    b.write(Buffer.from("16030100080100000403030000", "hex").subarray(0, 13));
    const r = await p;
    expect(!r.ok && r.error.code).toBe("TLS_PROTOCOL");
    expect(Buffer.concat(a.written).toString("hex")).toBe("15030300020232"); // fatal decode_error
  });

  it("survives every single-byte corruption of a ClientHello with an error, never a crash", async () => {
    const [a0] = duplexPair();
    void settle(tlsPskConnect(a0, { identity: "CRM", key }));
    await new Promise((r) => setTimeout(r, 0));
    const hello = Buffer.concat(a0.written);
    a0.destroy();
    const codes = new Set<string>();
    for (let i = 0; i < hello.length; i += 7) {
      const bad = Buffer.from(hello);
      bad[i] = bad[i]! ^ 0x5a;
      const [a, b] = duplexPair();
      const p = settle(tlsPskAccept(a, { key, handshakeTimeoutMs: 50 }));
      b.write(bad);
      const r = await p;
      if (!r.ok) codes.add(r.error.code ?? "none");
      else r.value.destroy();
    }
    for (const c of codes) {
      expect(["TLS_NOT_TLS", "TLS_PROTOCOL", "TLS_BAD_KEY", "TLS_HANDSHAKE_TIMEOUT"]).toContain(c);
    }
    expect(codes.has("TLS_BAD_KEY")).toBe(true); // a changed byte under the binder
  });

  it("fails the connection on a tampered record, with an alert to the sender", async () => {
    const { b, c, s } = await established("TLSv1.3");
    const sErr = errorOf(s);
    const cErr = errorOf(c);
    const rec = Buffer.concat([Buffer.from("1703030015", "hex"), Buffer.alloc(21)]);
    (b as End).push(rec); // as if it came from the client
    expect((await sErr).code).toBe("TLS_PROTOCOL");
    const ce = await cErr;
    expect(ce.code).toBe("TLS_ALERT");
    expect(ce.message).toContain("bad_record_mac");
  });

  for (const version of ["TLSv1.3", "TLSv1.2"] as const) {
    it(`lets the caller attach handlers before a bad record right after the last handshake message (${version})`, async () => {
      const [a, b] = duplexPair();
      const lastFlight = version === "TLSv1.3" ? 1 : 2;
      let writes = 0;
      const write = b._write.bind(b);
      b._write = (chunk: Buffer, enc: BufferEncoding, cb: (err?: Error | null) => void) => {
        if (++writes === lastFlight) {
          chunk = Buffer.concat([chunk, Buffer.from("1703030015", "hex"), Buffer.alloc(21)]);
        }
        write(chunk, enc, cb);
      };
      const [c, sr] = await Promise.all([
        tlsPskConnect(a, { identity: "CRM", key, versions: [version] }),
        settle(tlsPskAccept(b, { key })),
      ]);
      if (sr.ok) sr.value.on("error", () => {}); // it hears our bad_record_mac alert
      await Promise.resolve(); // a caller that awaits something else first
      const e = await errorOf(c);
      expect(e.code).toBe("TLS_PROTOCOL");
      expect(e.message).toContain("authentication failed");
    });
  }

  it("refuses a record longer than 2^14 + 256 bytes", async () => {
    const { b, c, s } = await established("TLSv1.2");
    const sErr = errorOf(s);
    const cErr = errorOf(c);
    (b as End).push(Buffer.from("1703034101", "hex"));
    const e = await sErr;
    expect(e.code).toBe("TLS_PROTOCOL");
    expect(e.message).toContain("16641");
    expect((await cErr).message).toContain("record_overflow");
  });

  it("says TLS_BAD_KEY when the server closes after the PSK binder, as pacemaker-remoted does", async () => {
    for (const bytes of ["15030300020100", ""]) {
      const [a, b] = duplexPair();
      const p = settle(tlsPskConnect(a, { identity: "lrmd", key }));
      await new Promise((r) => setTimeout(r, 0));
      b.end(Buffer.from(bytes, "hex"));
      const r = await p;
      expect(!r.ok && r.error.code).toBe("TLS_BAD_KEY");
      expect(!r.ok && r.error.message).toContain("probably hold different keys");
    }
    // a TLS 1.2 client has sent nothing key-dependent in its ClientHello
    const [a, b] = duplexPair();
    const p = settle(tlsPskConnect(a, { identity: "lrmd", key, versions: ["TLSv1.2"] }));
    await new Promise((r) => setTimeout(r, 0));
    b.end();
    const r = await p;
    expect(!r.ok && r.error.code).toBe("TLS_CLOSED");
  });

  it("refuses application data before the handshake completed", async () => {
    const { r } = await rawPeer("server", Buffer.from("170303000500000000001603", "hex"));
    expect(!r.ok && r.error.code).toBe("TLS_PROTOCOL");
  });
});

describe("deadlines, abort and close", () => {
  it("drops a stalled handshake at the deadline", async () => {
    const [a, b] = duplexPair();
    b.blackhole = true;
    const t0 = Date.now();
    const r = await settle(tlsPskConnect(a, { identity: "CRM", key, handshakeTimeoutMs: 150 }));
    const dt = Date.now() - t0;
    expect(!r.ok && r.error.code).toBe("TLS_HANDSHAKE_TIMEOUT");
    expect(dt).toBeGreaterThanOrEqual(140);
    expect(dt).toBeLessThan(1500);
    const r2 = await settle(tlsPskAccept(b, { key, handshakeTimeoutMs: 100 }));
    expect(!r2.ok && r2.error.code).toMatch(/TLS_HANDSHAKE_TIMEOUT|TLS_CLOSED/);
  });

  it("rejects with TLS_CLOSED when the signal aborts", async () => {
    const [a] = duplexPair();
    const ac = new AbortController();
    const p = settle(tlsPskConnect(a, { identity: "CRM", key, signal: ac.signal }));
    ac.abort();
    const r = await p;
    expect(!r.ok && r.error.code).toBe("TLS_CLOSED");
  });

  it("sends close_notify on end() and the peer sees end of stream", async () => {
    const { a, c, s } = await established("TLSv1.3");
    const ended = new Promise<void>((resolve) => s.on("end", () => resolve()));
    s.resume();
    c.end("bye");
    await ended;
    const recs = records(a.written);
    expect(recs.length).toBe(2); // "bye", then the encrypted close_notify
    await new Promise((r) => setTimeout(r, 10));
    expect(c.writableFinished).toBe(true);
  });

  it("stops reading the stream while the consumer does not read", async () => {
    const { c, s, b } = await established("TLSv1.3");
    const chunk = Buffer.alloc(16384, 7);
    for (let i = 0; i < 64; i++) c.write(chunk);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.readableLength).toBeLessThanOrEqual(s.readableHighWaterMark + 16384);
    expect(s.readableLength).toBeLessThan(64 * 16384);
    expect(b.isPaused()).toBe(true);
    const all = await readBytes(s, 64 * 16384);
    expect(all.length).toBe(64 * 16384);
  });
});
