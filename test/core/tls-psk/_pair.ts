/**
 * Test helpers: an in-memory duplex pair with a record of every chunk written, and a collector.
 */
import { Buffer } from "node:buffer";
import { Duplex } from "node:stream";

/** One end of an in-memory pipe; `written` logs every chunk it sent. */
export class End extends Duplex {
  peer!: End;
  readonly written: Buffer[] = [];
  /** When set, writes are swallowed (a stalled peer). */
  blackhole = false;

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.written.push(chunk);
    if (!this.blackhole) this.peer.push(chunk);
    cb();
  }

  override _final(cb: () => void): void {
    this.peer.push(null);
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.peer.destroyed) this.peer.destroy();
    cb(err);
  }
}

/** Two connected ends. */
export function duplexPair(): [End, End] {
  const a = new End();
  const b = new End();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** Collect `n` bytes from a readable. */
export function readBytes(r: Duplex, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (c: Buffer): void => {
      parts.push(c);
      got += c.length;
      if (got >= n) {
        r.off("data", onData);
        r.off("error", reject);
        resolve(Buffer.concat(parts));
      }
    };
    r.on("data", onData);
    r.on("error", reject);
  });
}

/** Split a byte log into TLS records (type and length). */
export function records(chunks: readonly Buffer[]): Array<{ type: number; len: number }> {
  const b = Buffer.concat(chunks);
  const out: Array<{ type: number; len: number }> = [];
  let off = 0;
  while (off + 5 <= b.length) {
    const len = b.readUInt16BE(off + 3);
    out.push({ type: b[off]!, len });
    off += 5 + len;
  }
  return out;
}

/** Outcome of a promise: the value or the error, never a rejection. */
export async function settle<T>(
  p: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: Error & { code?: string } }> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    return { ok: false, error: e as Error & { code?: string } };
  }
}
