/**
 * A queue of received byte chunks that hands out exact-length slices without re-joining
 * everything on every read (the remote protocol's frame decoder, the agent launcher's reader).
 * Internal to core/.
 */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  /** Bytes held. */
  length = 0;

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Index of the first byte `b` (default "\n"), or -1. */
  indexOf(b = 10): number {
    let base = 0;
    for (const c of this.#chunks) {
      const i = c.indexOf(b);
      if (i >= 0) return base + i;
      base += c.length;
    }
    return -1;
  }

  /**
   * Remove and return the first `n` bytes (`n <= length`); a view of the first chunk when it
   * holds them all, else a copy.
   */
  take(n: number): Uint8Array {
    if (n > this.length) throw new RangeError(`Cannot take ${n} bytes from a queue holding ${this.length}`);
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      this.length -= n;
      return out;
    }
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const c = this.#chunks[0]!;
      const k = Math.min(c.length, n - off);
      out.set(c.subarray(0, k), off);
      off += k;
      if (k === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(k);
    }
    this.length -= n;
    return out;
  }

  /** Drop everything. */
  clear(): void {
    this.#chunks = [];
    this.length = 0;
  }
}
