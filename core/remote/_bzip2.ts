/**
 * A small bzip2 decompressor (format as documented by bzip2 1.0: Huffman + MTF + RLE2 + BWT +
 * RLE1, CRC-checked), used only for received frames whose header says the payload is
 * compressed. Output is bounded by `maxOut` so a hostile frame cannot balloon memory.
 */

class BitReader {
  #pos = 0; // bit position
  constructor(private readonly data: Uint8Array) {}
  bits(n: number): number {
    let v = 0;
    for (let k = 0; k < n; k++) {
      const byte = this.#pos >>> 3;
      if (byte >= this.data.length) throw new RangeError("unexpected end of bzip2 data");
      v = (v << 1) | ((this.data[byte]! >>> (7 - (this.#pos & 7))) & 1);
      this.#pos++;
    }
    return v >>> 0;
  }
  bit(): number {
    return this.bits(1);
  }
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

interface Huffman {
  minLen: number;
  maxLen: number;
  limit: Int32Array; // last code of each length (or -1)
  base: Int32Array; // first code of each length
  offset: Int32Array; // index into perm of first symbol of each length
  perm: Int32Array;
}

function buildHuffman(lengths: Uint8Array, n: number): Huffman {
  let minLen = 32, maxLen = 0;
  for (let i = 0; i < n; i++) {
    minLen = Math.min(minLen, lengths[i]!);
    maxLen = Math.max(maxLen, lengths[i]!);
  }
  const perm = new Int32Array(n);
  const limit = new Int32Array(maxLen + 2).fill(-1);
  const base = new Int32Array(maxLen + 2);
  const offset = new Int32Array(maxLen + 2);
  let p = 0, code = 0;
  for (let len = minLen; len <= maxLen; len++) {
    offset[len] = p;
    base[len] = code;
    for (let s = 0; s < n; s++) if (lengths[s] === len) perm[p++] = s;
    code += p - offset[len]!;
    limit[len] = code - 1;
    code <<= 1;
  }
  return { minLen, maxLen, limit, base, offset, perm };
}

function decodeSymbol(br: BitReader, h: Huffman): number {
  let code = br.bits(h.minLen);
  for (let len = h.minLen; len <= h.maxLen; len++) {
    if (code <= h.limit[len]! && code >= h.base[len]!) return h.perm[h.offset[len]! + code - h.base[len]!]!;
    code = (code << 1) | br.bit();
  }
  throw new RangeError("bad Huffman code in bzip2 data");
}

/** Decompress one bzip2 stream; at most `maxOut` bytes. Throws `RangeError` on bad data. */
export function bunzip2(data: Uint8Array, maxOut: number): Uint8Array {
  const out = new Uint8Array(maxOut);
  let outLen = 0;
  const br = new BitReader(data);
  {
    if (br.bits(8) !== 0x42 || br.bits(8) !== 0x5a || br.bits(8) !== 0x68) {
      throw new RangeError('missing "BZh" signature');
    }
    const level = br.bits(8) - 0x30;
    if (level < 1 || level > 9) throw new RangeError(`bad block size level ${level}`);
    const blockMax = level * 100000;
    for (;;) {
      const m1 = br.bits(24), m2 = br.bits(24);
      if (m1 === 0x177245 && m2 === 0x385090) {
        br.bits(32); // stream CRC (block CRCs are checked)
        break;
      }
      if (m1 !== 0x314159 || m2 !== 0x265359) throw new RangeError("bad block magic");
      const blockCrc = br.bits(32);
      if (br.bit()) throw new RangeError("randomised blocks are not supported");
      const origPtr = br.bits(24);
      // Symbol map.
      const used = br.bits(16);
      const seqToUnseq: number[] = [];
      for (let i = 0; i < 16; i++) {
        if (used & (0x8000 >>> i)) {
          const bitsMap = br.bits(16);
          for (let j = 0; j < 16; j++) if (bitsMap & (0x8000 >>> j)) seqToUnseq.push(i * 16 + j);
        }
      }
      if (seqToUnseq.length === 0) throw new RangeError("no symbols in use");
      const alphaSize = seqToUnseq.length + 2;
      const nGroups = br.bits(3);
      if (nGroups < 2 || nGroups > 6) throw new RangeError(`bad Huffman group count ${nGroups}`);
      const nSelectors = br.bits(15);
      if (nSelectors < 1) throw new RangeError("no selectors");
      const mtfGroups = [0, 1, 2, 3, 4, 5].slice(0, nGroups);
      const selectors = new Uint8Array(nSelectors);
      for (let i = 0; i < nSelectors; i++) {
        let j = 0;
        while (br.bit()) {
          j++;
          if (j >= nGroups) throw new RangeError("bad selector");
        }
        const v = mtfGroups[j]!;
        mtfGroups.splice(j, 1);
        mtfGroups.unshift(v);
        selectors[i] = v;
      }
      const tables: Huffman[] = [];
      for (let g = 0; g < nGroups; g++) {
        const lengths = new Uint8Array(alphaSize);
        let len = br.bits(5);
        for (let s = 0; s < alphaSize; s++) {
          for (;;) {
            if (len < 1 || len > 20) throw new RangeError("bad code length");
            if (!br.bit()) break;
            len += br.bit() ? -1 : 1;
          }
          lengths[s] = len;
        }
        tables.push(buildHuffman(lengths, alphaSize));
      }
      // Huffman + RLE2 + MTF decode into tt.
      const tt = new Uint32Array(blockMax);
      const counts = new Int32Array(256);
      const mtf = Array.from({ length: 256 }, (_, k) => k);
      const eob = alphaSize - 1;
      let n = 0, groupPos = 0, sel = 0, runLen = 0, runBit = 1;
      let table = tables[selectors[0]!]!;
      for (;;) {
        if (groupPos === 0) {
          if (sel >= nSelectors) throw new RangeError("ran out of selectors");
          table = tables[selectors[sel++]!]!;
          groupPos = 50;
        }
        groupPos--;
        const sym = decodeSymbol(br, table);
        if (sym <= 1) {
          runLen += (sym + 1) * runBit;
          runBit <<= 1;
          if (runLen > blockMax) throw new RangeError("run exceeds block size");
          continue;
        }
        if (runLen > 0) {
          if (n + runLen > blockMax) throw new RangeError("block exceeds its declared size");
          const b = seqToUnseq[mtf[0]!]!;
          counts[b] = counts[b]! + runLen;
          tt.fill(b, n, n + runLen);
          n += runLen;
          runLen = 0;
          runBit = 1;
        }
        if (sym === eob) break;
        const idx = sym - 1;
        if (idx >= seqToUnseq.length) throw new RangeError("symbol out of range");
        const v = mtf[idx]!;
        mtf.splice(idx, 1);
        mtf.unshift(v);
        if (n >= blockMax) throw new RangeError("block exceeds its declared size");
        const b = seqToUnseq[v]!;
        counts[b] = counts[b]! + 1;
        tt[n++] = b;
      }
      if (origPtr >= n) throw new RangeError("bad BWT origin pointer");
      // Inverse BWT.
      const cum = new Int32Array(256);
      for (let i = 0, sum = 0; i < 256; i++) {
        cum[i] = sum;
        sum += counts[i]!;
      }
      for (let i = 0; i < n; i++) {
        const b = tt[i]! & 0xff;
        tt[cum[b]!++]! |= i << 8;
      }
      // Walk, undoing RLE1, checking the block CRC.
      let crc = 0xffffffff;
      let pos = tt[origPtr]! >>> 8;
      let last = -1, run = 0;
      const emit = (b: number) => {
        if (outLen >= maxOut) throw new RangeError(`output exceeds ${maxOut} bytes`);
        out[outLen++] = b;
        crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
      };
      for (let i = 0; i < n; i++) {
        const e = tt[pos]!;
        const b = e & 0xff;
        pos = e >>> 8;
        if (run === 4) {
          for (let k = 0; k < b; k++) emit(last);
          run = 0;
          last = -1;
          continue;
        }
        if (b === last) run++;
        else {
          run = 1;
          last = b;
        }
        emit(b);
      }
      if ((~crc >>> 0) !== blockCrc) throw new RangeError("block CRC mismatch");
    }
  }
  return out.subarray(0, outLen);
}
