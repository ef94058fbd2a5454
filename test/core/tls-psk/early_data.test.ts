// A hand-driven TLS 1.3 client that offers 0-RTT and sends early data: the server must refuse
// the early data silently (RFC 8446 section 4.2.10) and still complete the handshake. The
// client is built from the internal primitives, so this also checks the server against a second,
// independent composition of the key schedule. Runs on Node and Deno.
import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { concat, u16, vec16, vec8 } from "../../../core/tls-psk/_bytes.ts";
import { EXT, HS, SUITE_BY_NAME } from "../../../core/tls-psk/_constants.ts";
import { hash, newKeyShare } from "../../../core/tls-psk/_crypto.ts";
import { encodeU16List, ext, handshakeMessage, parseServerHello } from "../../../core/tls-psk/_messages.ts";
import { PlainProtection, RecordSplitter, Tls13Protection } from "../../../core/tls-psk/_record.ts";
import { Schedule13 } from "../../../core/tls-psk/_schedule.ts";
import { tlsPskAccept } from "../../../core/tls-psk/mod.ts";
import { duplexPair, readBytes } from "./_pair.ts";

describe("0-RTT offered by a client", () => {
  it("drops the early data, completes the handshake and carries 1-RTT data", async () => {
    const key = randomBytes(48);
    const suite = SUITE_BY_NAME.get("TLS_AES_128_GCM_SHA256")!;
    const [a, b] = duplexPair();
    const accepted = tlsPskAccept(b, { key });
    const share = newKeyShare("x25519");
    const exts = [
      ext(EXT.supportedGroups, encodeU16List([0x001d], 2)),
      ext(EXT.supportedVersions, encodeU16List([0x0304], 1)),
      ext(EXT.pskKeyExchangeModes, vec8(Uint8Array.of(1))),
      ext(EXT.keyShare, vec16(u16(0x001d), vec16(share.publicKey))),
      ext(EXT.earlyData, new Uint8Array(0)),
      ext(
        EXT.preSharedKey,
        concat([vec16(vec16(Buffer.from("CRM")), Buffer.alloc(4)), vec16(vec8(Buffer.alloc(32)))]),
      ),
    ];
    const body = concat([
      u16(0x0303),
      randomBytes(32),
      vec8(),
      encodeU16List([suite.code], 2),
      vec8(Uint8Array.of(0)),
      vec16(...exts),
    ]);
    const ch = handshakeMessage(HS.clientHello, body);
    const ks = new Schedule13("sha256", key);
    const binder = ks.verifyData(ks.binderKey(), hash("sha256", [ch.raw.subarray(0, ch.raw.length - 35)]));
    (ch.raw as Buffer).set(binder, ch.raw.length - 32);
    a.write(new PlainProtection(0x0301).seal(22, ch.raw));
    // early data under a key the server never derives
    const early = new Tls13Protection(suite, randomBytes(32));
    a.write(early.seal(23, Buffer.from("early data the server must drop")));
    a.write(early.seal(23, Buffer.from("more early data")));

    // the server's whole flight arrives in one write
    const split = new RecordSplitter();
    split.push(await readBytes(a, 1));
    const shRec = split.next()!;
    expect(shRec.type).toBe(22);
    const shRaw = shRec.fragment;
    const sh = parseServerHello(shRaw.subarray(4));
    const ks2 = sh.ext.map.get(EXT.keyShare)!;
    const dhe = share.compute(ks2.subarray(4));
    ks.setDhe(dhe);
    const transcript: Uint8Array[] = [ch.raw, shRaw];
    const hsSecrets = ks.handshakeSecrets(hash("sha256", transcript));
    const read = new Tls13Protection(suite, hsSecrets.server);
    let rec = split.next()!;
    if (rec.type === 20) rec = split.next()!; // compatibility CCS
    const messages: Buffer[] = [];
    while (rec) {
      messages.push(read.open(rec).data);
      rec = split.next()!;
    }
    const hsBytes = Buffer.concat(messages);
    const eeLen = hsBytes.readUIntBE(1, 3);
    const ee = hsBytes.subarray(0, 4 + eeLen);
    const fin = hsBytes.subarray(4 + eeLen);
    expect(ee[0]).toBe(HS.encryptedExtensions);
    expect(ee.subarray(4).equals(Buffer.from("0000", "hex"))).toBe(true); // early_data not accepted
    transcript.push(ee);
    expect(fin.subarray(4).equals(ks.verifyData(hsSecrets.server, hash("sha256", transcript)))).toBe(true);
    transcript.push(fin);
    const th = hash("sha256", transcript);
    const write = new Tls13Protection(suite, hsSecrets.client);
    a.write(write.seal(22, handshakeMessage(HS.finished, ks.verifyData(hsSecrets.client, th)).raw));
    const s = await accepted;
    expect(s.info).toEqual({
      version: "TLSv1.3",
      cipher: "TLS_AES_128_GCM_SHA256",
      group: "x25519",
      identity: "CRM",
    });
    const app = new Tls13Protection(suite, ks.appSecrets(th).client);
    a.write(app.seal(23, Buffer.from("1-RTT data")));
    expect((await readBytes(s, 10)).toString()).toBe("1-RTT data");
  });
});
