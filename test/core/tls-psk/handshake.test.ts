// Client against server over an in-memory duplex pair: every version x cipher x group, key
// sizes, negotiation rules, wrong keys. Runs on Node and Deno.
import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isAtriumError } from "../../../core/errors.ts";
import { tlsPskAccept, tlsPskConnect } from "../../../core/tls-psk/mod.ts";
import type {
  TlsCipher,
  TlsGroup,
  TlsPskAcceptOptions,
  TlsPskConnectOptions,
  TlsPskSocket,
} from "../../../core/tls-psk/mod.ts";
import { duplexPair, readBytes, records, settle } from "./_pair.ts";

type ClientOpts = Omit<TlsPskConnectOptions, "key" | "identity"> & { key?: Uint8Array; identity?: string };

async function connectPair(key: Uint8Array, co: ClientOpts = {}, so: Partial<TlsPskAcceptOptions> = {}) {
  const [a, b] = duplexPair();
  const [c, s] = await Promise.all([
    tlsPskConnect(a, { identity: "CRM", ...co, key: co.key ?? key }),
    tlsPskAccept(b, { ...so, key: so.key ?? key }),
  ]);
  return { a, b, c, s };
}

async function exchange(c: TlsPskSocket, s: TlsPskSocket): Promise<void> {
  const up = randomBytes(3000);
  const down = randomBytes(20_000);
  c.write(up);
  expect((await readBytes(s, up.length)).equals(up)).toBe(true);
  s.write(down);
  expect((await readBytes(c, down.length)).equals(down)).toBe(true);
}

const key32 = randomBytes(32);

describe("TLS 1.3 handshakes", () => {
  const ciphers: TlsCipher[] = ["TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"];
  const groups: TlsGroup[] = ["x25519", "secp256r1", "ffdhe2048"];
  for (const cipher of ciphers) {
    for (const group of groups) {
      it(`negotiates ${cipher} with ${group} and carries data both ways`, async () => {
        const { c, s } = await connectPair(key32, {
          versions: ["TLSv1.3"],
          ciphers: [cipher],
          groups: [group],
        });
        const want = { version: "TLSv1.3", cipher, group, identity: "CRM" };
        expect(c.info).toEqual(want);
        expect(s.info).toEqual(want);
        await exchange(c, s);
        c.end();
      });
    }
  }

  it("follows the client's order: ChaCha20 and x25519 by default", async () => {
    const { c, s } = await connectPair(key32);
    expect(s.info).toEqual({
      version: "TLSv1.3",
      cipher: "TLS_CHACHA20_POLY1305_SHA256",
      group: "x25519",
      identity: "CRM",
    });
    expect(c.info).toEqual(s.info);
    const r = await connectPair(key32, {
      ciphers: ["TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256", "TLS_PSK_WITH_AES_128_GCM_SHA256"],
    });
    expect(r.s.info.cipher).toBe("TLS_AES_128_GCM_SHA256");
  });

  it("answers a HelloRetryRequest for another group", async () => {
    const { a, c, s } = await connectPair(key32, { groups: ["x25519", "secp256r1"] }, {
      groups: ["secp256r1"],
    });
    expect(c.info.group).toBe("secp256r1");
    expect(s.info.group).toBe("secp256r1");
    // two ClientHellos in plaintext handshake records, with the compatibility CCS between them
    const plain = records(a.written).filter((r) => r.type === 22);
    expect(plain.length).toBe(2);
    await exchange(c, s);
  });

  it("refuses when no group is shared", async () => {
    const [a, b] = duplexPair();
    const [cr, sr] = await Promise.all([
      settle(tlsPskConnect(a, { identity: "CRM", key: key32, versions: ["TLSv1.3"], groups: ["x25519"] })),
      settle(tlsPskAccept(b, { key: key32, groups: ["secp256r1"] })),
    ]);
    expect(!sr.ok && sr.error.code).toBe("TLS_PROTOCOL");
    expect(!cr.ok && cr.error.code).toBe("TLS_ALERT");
    expect(!cr.ok && cr.error.message).toContain("handshake_failure");
  });
});

describe("TLS 1.2 handshakes", () => {
  const ciphers: TlsCipher[] = [
    "TLS_PSK_WITH_AES_128_GCM_SHA256",
    "TLS_PSK_WITH_AES_256_GCM_SHA384",
    "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
  ];
  for (const cipher of ciphers) {
    it(`negotiates ${cipher} and carries data both ways`, async () => {
      const { c, s } = await connectPair(key32, { versions: ["TLSv1.2"], ciphers: [cipher] });
      const want = cipher.includes("DHE")
        ? { version: "TLSv1.2", cipher, group: "ffdhe2048", identity: "CRM" }
        : { version: "TLSv1.2", cipher, identity: "CRM" };
      expect(c.info).toEqual(want);
      expect(s.info).toEqual(want);
      await exchange(c, s);
    });
  }

  it("gives a TLS 1.2-only client TLS 1.2 from a default server, and the reverse", async () => {
    const r1 = await connectPair(key32, { versions: ["TLSv1.2"] });
    expect(r1.s.info.version).toBe("TLSv1.2");
    expect(r1.s.info.cipher).toBe("TLS_DHE_PSK_WITH_AES_256_GCM_SHA384");
    const r2 = await connectPair(key32, {}, { versions: ["TLSv1.2"] });
    expect(r2.c.info.version).toBe("TLSv1.2");
    await exchange(r2.c, r2.s);
  });

  it("marks a TLS 1.2 answer from a TLS 1.3-capable server with the downgrade sentinel", async () => {
    const sentinel = (chunks: Buffer[]) =>
      Buffer.concat(chunks).subarray(5 + 4 + 2 + 24, 5 + 4 + 2 + 32).toString("hex");
    const r1 = await connectPair(key32, { versions: ["TLSv1.2"] });
    expect(sentinel(r1.b.written)).toBe("444f574e47524401");
    const r2 = await connectPair(key32, { versions: ["TLSv1.2"] }, { versions: ["TLSv1.2"] });
    expect(sentinel(r2.b.written)).not.toBe("444f574e47524401");
  });

  it("refuses a TLS 1.2 answer marked with the sentinel when it offered TLS 1.3", async () => {
    const [a, b] = duplexPair();
    const write = b._write.bind(b);
    let first = true;
    b._write = (chunk: Buffer, enc: BufferEncoding, cb: (err?: Error | null) => void) => {
      if (first) {
        first = false;
        chunk = Buffer.from(chunk);
        Buffer.from("444f574e47524401", "hex").copy(chunk, 5 + 4 + 2 + 24); // a downgrading middlebox
      }
      write(chunk, enc, cb);
    };
    const [cr] = await Promise.all([
      settle(tlsPskConnect(a, { identity: "CRM", key: key32 })),
      settle(tlsPskAccept(b, { key: key32, versions: ["TLSv1.2"] })),
    ]);
    expect(!cr.ok && cr.error.code).toBe("TLS_PROTOCOL");
    expect(!cr.ok && cr.error.message).toContain("downgrade");
  });

  it("refuses a TLS 1.3-only client at a TLS 1.2-only server", async () => {
    const [a, b] = duplexPair();
    const [cr, sr] = await Promise.all([
      settle(tlsPskConnect(a, { identity: "CRM", key: key32, versions: ["TLSv1.3"] })),
      settle(tlsPskAccept(b, { key: key32, versions: ["TLSv1.2"] })),
    ]);
    expect(!sr.ok && sr.error.code).toBe("TLS_PROTOCOL");
    expect(!cr.ok && cr.error.message).toContain("protocol_version");
  });
});

describe("keys and identities", () => {
  for (const size of [1, 32, 512, 4096]) {
    for (const version of ["TLSv1.3", "TLSv1.2"] as const) {
      it(`works with a ${size}-byte key over ${version}`, async () => {
        const key = randomBytes(size);
        const { c, s } = await connectPair(key, { versions: [version] });
        expect(c.info.version).toBe(version);
        await exchange(c, s);
      });
    }
  }

  for (const version of ["TLSv1.3", "TLSv1.2"] as const) {
    it(`refuses a wrong key on both sides at once over ${version}`, async () => {
      const [a, b] = duplexPair();
      const t0 = Date.now();
      const [cr, sr] = await Promise.all([
        settle(tlsPskConnect(a, { identity: "CRM", key: randomBytes(4096), versions: [version] })),
        settle(tlsPskAccept(b, { key: randomBytes(4096) })),
      ]);
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(cr.ok || cr.error.code).toBe("TLS_BAD_KEY");
      expect(sr.ok || sr.error.code).toBe("TLS_BAD_KEY");
      expect(!cr.ok && isAtriumError(cr.error)).toBe(true);
      expect(a.destroyed || a.writableEnded).toBe(true);
    });
  }

  it("never puts the key in an error message", async () => {
    const key = Buffer.from("super-secret-key-material-0123456789");
    const [a, b] = duplexPair();
    const [cr, sr] = await Promise.all([
      settle(tlsPskConnect(a, { identity: "CRM", key })),
      settle(tlsPskAccept(b, { key: Buffer.from("another-key") })),
    ]);
    for (const r of [cr, sr]) {
      expect(r.ok).toBe(false);
      const text = !r.ok
        ? `${r.error.message} ${JSON.stringify((r.error as { details?: unknown }).details)}`
        : "";
      expect(text).not.toContain("super-secret");
      expect(text).not.toContain(key.toString("hex").slice(0, 16));
    }
  });

  it("looks the key up by identity and refuses an unknown identity", async () => {
    const seen: string[] = [];
    const lookup = (id: string) => {
      seen.push(id);
      return id === "lrmd" ? key32 : undefined;
    };
    const ok = await connectPair(key32, { identity: "lrmd" }, { key: lookup });
    expect(ok.s.info.identity).toBe("lrmd");
    const ok12 = await connectPair(key32, { identity: "lrmd", versions: ["TLSv1.2"] }, { key: lookup });
    expect(ok12.s.info.identity).toBe("lrmd");
    expect(seen).toEqual(["lrmd", "lrmd"]);
    for (const versions of [["TLSv1.3"], ["TLSv1.2"]] as const) {
      const [a, b] = duplexPair();
      const [cr, sr] = await Promise.all([
        settle(tlsPskConnect(a, { identity: "mallory", key: key32, versions: [...versions] })),
        settle(tlsPskAccept(b, { key: lookup })),
      ]);
      expect(!cr.ok && cr.error.code).toBe("TLS_BAD_KEY");
      expect(!sr.ok && sr.error.message).toContain("unknown PSK identity");
    }
  });

  it("narrows the default versions to the ciphers given", async () => {
    const r = await connectPair(key32, { ciphers: ["TLS_PSK_WITH_AES_128_GCM_SHA256"] });
    expect(r.c.info).toEqual({
      version: "TLSv1.2",
      cipher: "TLS_PSK_WITH_AES_128_GCM_SHA256",
      identity: "CRM",
    });
    const r2 = await connectPair(key32, {}, { ciphers: ["TLS_AES_128_GCM_SHA256"] });
    expect(r2.s.info.cipher).toBe("TLS_AES_128_GCM_SHA256");
  });

  it("rejects bad options with TypeError or RangeError before touching the stream", () => {
    const [a] = duplexPair();
    expect(() => tlsPskConnect(a, { identity: "CRM", key: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => tlsPskConnect(a, { identity: "", key: key32 })).toThrow(RangeError);
    expect(() => tlsPskConnect(a, { identity: "CRM", key: "x" as unknown as Uint8Array })).toThrow(TypeError);
    expect(() => tlsPskConnect(a, { identity: "CRM", key: key32, groups: ["x448" as TlsGroup] })).toThrow(
      /x448/,
    );
    expect(() => tlsPskAccept(a, { key: key32, handshakeTimeoutMs: -1 })).toThrow(RangeError);
    expect(() => tlsPskAccept(a, { key: key32, versions: ["TLSv1.2"], ciphers: ["TLS_AES_128_GCM_SHA256"] }))
      .toThrow(RangeError);
    expect(a.written.length).toBe(0);
  });
});
