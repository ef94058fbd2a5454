import { describe, expect, it } from "vitest";
import { decodeHeader, encodeFrame, FrameDecoder, HEADER_SIZE } from "../../../core/remote/frame.ts";
import { isAtriumError } from "../../../core/errors.ts";

function hex(s: string): Uint8Array {
  return new Uint8Array(s.replace(/\s+/g, "").match(/../g)!.map((b) => parseInt(b, 16)));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

function swapped(xml: string): Uint8Array {
  const { header, payload } = encodeFrame(xml, 7);
  const h = new Uint8Array(header);
  const v = new DataView(h.buffer);
  for (const off of [0, 4, 24, 28, 32, 36]) v.setUint32(off, v.getUint32(off, true), false);
  for (const off of [8, 16]) v.setBigUint64(off, v.getBigUint64(off, true), false);
  return concat(h, payload);
}

describe("frame codec", () => {
  it("encodes the header exactly as Pacemaker 2.1.5 does", () => {
    const xml = "x".repeat(185);
    const { header, payload } = encodeFrame(xml, 1);
    expect(header.length).toBe(HEADER_SIZE);
    expect(payload.length).toBe(186);
    expect(payload[185]).toBe(0);
    expect(Array.from(header, (b) => b.toString(16).padStart(2, "0")).join(""))
      .toBe("bddbdaba" + "01000000" + "0100000000000000" + "0000000000000000" + "e2000000" + "28000000" + "00000000" + "ba000000");
  });

  it("decodes the captured header of the first request", () => {
    const h = decodeHeader(hex("bddbdaba 01000000 0100000000000000 0000000000000000 e2000000 28000000 00000000 ba000000"));
    expect(h).toMatchObject({ littleEndian: true, version: 1, id: 1n, sizeTotal: 226, payloadOffset: 40, payloadCompressed: 0, payloadUncompressed: 186 });
  });

  it("reassembles frames fed one byte at a time and several per chunk", () => {
    const a = encodeFrame("<a x=\"1\"/>", 1), b = encodeFrame("<b>é</b>", 2);
    const all = concat(a.header, a.payload, b.header, b.payload);
    const d = new FrameDecoder();
    const got: string[] = [];
    for (let i = 0; i < all.length; i++) got.push(...d.push(all.subarray(i, i + 1)).map((f) => f.xml));
    expect(got).toEqual(['<a x="1"/>', "<b>é</b>"]);
    expect(new FrameDecoder().push(all).map((f) => f.xml)).toEqual(got);
  });

  it("accepts a byte-swapped (big-endian) header", () => {
    const [f] = new FrameDecoder().push(swapped("<big/>"));
    expect(f!.xml).toBe("<big/>");
    expect(f!.header.littleEndian).toBe(false);
    expect(f!.header.id).toBe(7n);
  });

  it("refuses a wrong magic, naming the frame and what was expected", () => {
    const bad = new Uint8Array(HEADER_SIZE).fill(0x41);
    let err: unknown;
    try {
      new FrameDecoder().push(bad);
    } catch (e) {
      err = e;
    }
    expect(isAtriumError(err, "REMOTE_FRAME_INVALID")).toBe(true);
    expect((err as Error).message).toMatch(/^Cannot decode frame 1: magic is 0x41414141, expected 0xbadadbbd/);
  });

  it("refuses oversized frames before buffering them", () => {
    const { header } = encodeFrame("x".repeat(2000), 1);
    expect(() => new FrameDecoder({ maxPayload: 1000 }).push(header)).toThrow(/exceeds the limit of 1000/);
  });

  it("refuses inconsistent sizes", () => {
    const { header } = encodeFrame("<a/>", 1);
    new DataView(header.buffer).setUint32(36, 999, true);
    expect(() => new FrameDecoder().push(header)).toThrow(/payload_uncompressed 999 exceeds the 5 payload bytes/);
  });

  it("decodes a bzip2-compressed payload", () => {
    // bzip2 -c of '<lrmd_command t="lrmd" lrmd_op="register"/>' + NUL (44 bytes)
    const bz = hex("425a683931415926535997f7cc220000045b804000500080070000aea7dc00200031468c81a34c8d0846868d01a3250903d5029bb58c3b8f4450f8b7deccc597b824b30b23fc5dc914e142425fdf3088");
    const header = new Uint8Array(HEADER_SIZE);
    const v = new DataView(header.buffer);
    v.setUint32(0, 0xbadadbbd, true);
    v.setUint32(4, 1, true);
    v.setUint32(24, HEADER_SIZE + bz.length, true);
    v.setUint32(28, HEADER_SIZE, true);
    v.setUint32(32, bz.length, true);
    v.setUint32(36, 44, true);
    const [f] = new FrameDecoder().push(concat(header, bz));
    expect(f!.xml).toBe('<lrmd_command t="lrmd" lrmd_op="register"/>');
    // Corrupt the stream: a clear error naming the frame.
    const broken = bz.slice();
    broken[20] = broken[20]! ^ 0xff;
    expect(() => new FrameDecoder().push(concat(header, broken))).toThrow(/^Cannot decode frame 1: bzip2 payload of \d+ bytes is not a valid bzip2 stream/);
  });

  it("stays failed after an error (framing is lost)", () => {
    const d = new FrameDecoder();
    expect(() => d.push(new Uint8Array(HEADER_SIZE))).toThrow();
    expect(() => d.push(new Uint8Array(1))).toThrow(/already failed/);
  });
});
