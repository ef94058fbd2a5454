import { describe, expect, it } from "vitest";
import { ByteQueue } from "../../core/_byte_queue.ts";

describe("ByteQueue", () => {
  it("takes exact slices across chunk boundaries and finds newlines", () => {
    const q = new ByteQueue();
    q.push(new Uint8Array([1, 2]));
    q.push(new Uint8Array([]));
    q.push(new Uint8Array([3, 10, 5]));
    expect(q.length).toBe(5);
    expect(q.indexOf()).toBe(3);
    expect([...q.take(1)]).toEqual([1]);
    expect([...q.take(3)]).toEqual([2, 3, 10]);
    expect(q.indexOf()).toBe(-1);
    expect(q.length).toBe(1);
    expect(() => q.take(2)).toThrow(/Cannot take 2 bytes from a queue holding 1/);
    q.clear();
    expect(q.length).toBe(0);
  });
});
