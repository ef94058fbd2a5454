// Known-answer tests for the key schedule, PRF and record protection (RFC 8448, RFC 8439, the
// IETF TLS 1.2 PRF vectors). Runs on Node and Deno.
import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { aeadOpen, aeadSeal, deriveSecret, expandLabel, hash, prf12 } from "../../../core/tls-psk/_crypto.ts";
import { newKeyShare } from "../../../core/tls-psk/_crypto.ts";
import { SUITE_BY_NAME } from "../../../core/tls-psk/_constants.ts";
import { Tls12Protection, Tls13Protection } from "../../../core/tls-psk/_record.ts";
import { finished12, premaster12, Schedule13 } from "../../../core/tls-psk/_schedule.ts";

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe("TLS 1.3 key schedule with a PSK and x25519 (RFC 8448 section 4)", () => {
  const psk = h("4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3");
  const ks = new Schedule13("sha256", psk);

  it("derives the early secret, binder key, finished key and binder", () => {
    expect(hex(ks.early)).toBe("9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c");
    const bk = ks.binderKey("res binder");
    expect(hex(bk)).toBe("69fe131a3bbad5d63c64eebcc30e395b9d8107726a13d074e389dbc8a4e47256");
    expect(hex(ks.finishedKey(bk))).toBe("5588673e72cb59c87d220caffe94f2dea9a3b1609f7d50e90a48227db9ed7eaa");
    const truncatedHash = h("63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14");
    expect(hex(ks.verifyData(bk, truncatedHash))).toBe(
      "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d",
    );
  });

  it("derives the client early traffic secret from the full ClientHello hash", () => {
    const th = h("08ad0fa05d7c7233b1775ba2ff9f4c5b8b59276b7f227f13a976245f5d960913");
    expect(hex(deriveSecret("sha256", ks.early, "c e traffic", th))).toBe(
      "3fbbe6a60deb66c30a32795aba0eff7eaa10105586e7be5c09678d63b6caab62",
    );
  });

  it("derives the handshake and application traffic secrets", () => {
    ks.setDhe(h("f44194756ff9ec9d25180635d66ea6824c6ab3bf179977be37f723570e7ccb2e"));
    const hsSecrets = ks.handshakeSecrets(
      h("f736cb34fe25e701551bee6fd24c1cc7102a7daf9405cb15d97aafe16f757d03"),
    );
    expect(hex(hsSecrets.client)).toBe("2faac08f851d35fea3604fcb4de82dc62c9b164a70974d0462e27f1ab278700f");
    expect(hex(hsSecrets.server)).toBe("fe927ae271312e8bf0275b581c54eef020450dc4ecffaa05a1a35d27518e7803");
    const app = ks.appSecrets(h("b0aeffc46a2cfe33114e6fd7d51f9f04b1ca3c497dab08934a774a9d9ad7dbf3"));
    expect(hex(app.client)).toBe("2abbf2b8e381d23dbebe1dd2a7d16a8bf484cb4950d23fb7fb7fa8547062d9a1");
    expect(hex(app.server)).toBe("cc21f1bf8feb7dd5fa505bd9c4b468a9984d554a993dc49e6d285598fb672691");
  });
});

describe("TLS 1.3 primitives (RFC 8448 section 3)", () => {
  it("computes the x25519 shared secret from a fixed private key", () => {
    const client = newKeyShare(
      "x25519",
      h("49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005"),
    );
    expect(hex(client.publicKey)).toBe("99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c");
    const z = client.compute(h("c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f"));
    expect(hex(z)).toBe("8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d");
  });

  it("derives the handshake secret and the server handshake key and iv", () => {
    const ks = new Schedule13("sha256", Buffer.alloc(32));
    expect(hex(ks.early)).toBe("33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a");
    ks.setDhe(h("8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d"));
    expect(hex(ks.handshake!)).toBe("1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac");
    const sHs = h("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
    expect(hex(expandLabel("sha256", sHs, "key", new Uint8Array(0), 16))).toBe(
      "3fce516009c21727d0f2e4e86ee403bc",
    );
    expect(hex(expandLabel("sha256", sHs, "iv", new Uint8Array(0), 12))).toBe("5d313eb2671276ee13000b30");
  });

  it("rejects an all-zero x25519 result (small-order peer point)", () => {
    const share = newKeyShare("x25519");
    expect(() => share.compute(Buffer.alloc(32))).toThrow(/invalid public value/);
    expect(() => share.compute(Buffer.alloc(31, 9))).toThrow(/invalid public value/);
  });
});

describe("TLS 1.2 PRF (IETF TLS WG test vectors)", () => {
  it("matches the SHA-256 vector", () => {
    const out = prf12(
      "sha256",
      h("9bbe436ba940f017b17652849a71db35"),
      "test label",
      h("a0ba9f936cda311827a6f796ffd5198c"),
      100,
    );
    expect(hex(out)).toBe(
      "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af" +
        "0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66",
    );
  });

  it("matches the SHA-384 vector", () => {
    const out = prf12(
      "sha384",
      h("b80b733d6ceefcdc71566ea48e5567df"),
      "test label",
      h("cd665cf6a8447dd6ff8b27555edb7465"),
      148,
    );
    expect(hex(out).slice(0, 64)).toBe("7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd");
    expect(out.length).toBe(148);
  });

  it("builds the PSK premaster secret of RFC 4279 (zeros, then the key)", () => {
    expect(hex(premaster12(h("aabb"), undefined))).toBe("000200000002aabb");
    expect(hex(premaster12(h("aabb"), h("0102")))).toBe("000201020002aabb");
    expect(finished12("sha256", Buffer.alloc(48), "client finished", hash("sha256", [])).length).toBe(12);
  });
});

describe("record protection", () => {
  it("seals ChaCha20-Poly1305 as RFC 8439 section 2.8.2 says", () => {
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x80 + i));
    const nonce = h("070000004041424344454647");
    const aad = h("50515253c0c1c2c3c4c5c6c7");
    const pt = Buffer.from(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const sealed = Buffer.concat(
      aeadSeal("chacha20-poly1305", key, nonce, aad, [pt.subarray(0, 10), pt.subarray(10)]),
    );
    expect(hex(sealed.subarray(0, 16))).toBe("d31a8d34648e60db7b86afbc53ef7ec2");
    expect(hex(sealed.subarray(sealed.length - 16))).toBe("1ae10b594f09e26a7e902ecbd0600691");
    expect(aeadOpen("chacha20-poly1305", key, nonce, aad, sealed)?.toString()).toBe(pt.toString());
    sealed[5]! ^= 1;
    expect(aeadOpen("chacha20-poly1305", key, nonce, aad, sealed)).toBeUndefined();
  });

  for (const name of ["TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"] as const) {
    it(`builds TLS 1.3 ${name} records with nonce = iv XOR sequence number`, () => {
      const suite = SUITE_BY_NAME.get(name)!;
      const secret = h("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5");
      const p = new Tls13Protection(suite, secret);
      const key = expandLabel("sha256", secret, "key", new Uint8Array(0), suite.keyLen);
      const iv = expandLabel("sha256", secret, "iv", new Uint8Array(0), 12);
      p.seal(23, Buffer.from("first"));
      const rec = p.seal(23, Buffer.from("second"));
      expect(hex(rec.subarray(0, 5))).toBe("1703030017"); // 6 + 1 type byte + 16 tag
      const nonce = Buffer.from(iv);
      nonce[11]! ^= 1;
      const inner = aeadOpen(suite.aead, key, nonce, rec.subarray(0, 5), rec.subarray(5));
      expect(inner?.toString("latin1")).toBe("second\x17");
      const reader = new Tls13Protection(suite, secret); // at sequence number 0: wrong nonce
      expect(() => reader.open({ type: 23, header: rec.subarray(0, 5), fragment: rec.subarray(5) })).toThrow(
        /authentication/,
      );
    });
  }

  it("rejects a TLS 1.3 record replayed or out of order", () => {
    const suite = SUITE_BY_NAME.get("TLS_AES_128_GCM_SHA256")!;
    const w = new Tls13Protection(suite, Buffer.alloc(32, 1));
    const r = new Tls13Protection(suite, Buffer.alloc(32, 1));
    const a = w.seal(23, Buffer.from("a"));
    const b = w.seal(23, Buffer.from("b"));
    const rec = (x: Buffer) => ({ type: x[0]!, header: x.subarray(0, 5), fragment: x.subarray(5) });
    expect(() => r.open(rec(b))).toThrow(/authentication failed/);
    expect(r.open(rec(a)).data.toString()).toBe("a");
    expect(r.open(rec(b)).data.toString()).toBe("b");
    expect(() => r.open(rec(b))).toThrow(/authentication failed/);
  });

  it("round-trips TLS 1.2 AES-GCM records with explicit nonces and checks the header in the AAD", () => {
    const suite = SUITE_BY_NAME.get("TLS_PSK_WITH_AES_256_GCM_SHA384")!;
    const w = new Tls12Protection(suite, Buffer.alloc(32, 2), Buffer.alloc(4, 3));
    const r = new Tls12Protection(suite, Buffer.alloc(32, 2), Buffer.alloc(4, 3));
    const rec = w.seal(23, Buffer.from("payload"));
    expect(rec.length).toBe(5 + 8 + 7 + 16);
    expect(hex(rec.subarray(5, 13))).toBe("0000000000000000");
    const forged = Buffer.from(rec);
    forged[0] = 22;
    expect(() => r.open({ type: 22, header: forged.subarray(0, 5), fragment: forged.subarray(5) })).toThrow(
      /authentication failed/,
    );
    expect(r.open({ type: 23, header: rec.subarray(0, 5), fragment: rec.subarray(5) }).data.toString()).toBe(
      "payload",
    );
  });
});
