import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isAtriumError } from "../../../../core/errors.ts";
import type { CibVersion } from "../../../../core/cib/model.ts";
import { type CibStore, FileStore, MemoryStore } from "../../../../core/cib/store/mod.ts";

function v(adminEpoch: number, epoch: number, numUpdates: number): CibVersion {
  return { adminEpoch, epoch, numUpdates };
}
function cib(x: CibVersion): string {
  return `<cib admin_epoch="${x.adminEpoch}" epoch="${x.epoch}" num_updates="${x.numUpdates}"><configuration/><status/></cib>`;
}

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const backends: [string, (keep?: number) => Promise<CibStore>][] = [
  ["MemoryStore", (keep) => Promise.resolve(new MemoryStore(keep === undefined ? {} : { keep }))],
  ["FileStore", async (keep) => {
    const d = await mkdtemp(join(tmpdir(), "atrium-store-"));
    dirs.push(d);
    return FileStore.open(join(d, "cib"), keep === undefined ? {} : { keep });
  }],
];

describe.each(backends)("%s", (_name, make) => {
  it("is empty until the first write, then returns what was written", async () => {
    const s = await make();
    expect(await s.read()).toBeUndefined();
    const w = await s.write(cib(v(0, 1, 0)), { expected: null, next: v(0, 1, 0) });
    expect(w.version).toEqual(v(0, 1, 0));
    expect(await s.read()).toEqual({ version: v(0, 1, 0), xml: cib(v(0, 1, 0)) });
    await s.close();
  });

  it("refuses a stale expected version, naming both, and changes nothing", async () => {
    const s = await make();
    await s.write(cib(v(0, 5, 2)), { expected: null, next: v(0, 5, 2) });
    await s.write(cib(v(0, 5, 3)), { expected: v(0, 5, 2), next: v(0, 5, 3) });
    const err = await s.write("<cib/>", { expected: v(0, 5, 2), next: v(0, 5, 4) }).catch((e) => e);
    expect(isAtriumError(err, "CIB_VERSION_CONFLICT")).toBe(true);
    expect(err.message).toContain('"0.5.2"');
    expect(err.message).toContain('"0.5.3"');
    expect(err.details).toMatchObject({ expected: "0.5.2", current: "0.5.3", next: "0.5.4" });
    expect(await s.read()).toEqual({ version: v(0, 5, 3), xml: cib(v(0, 5, 3)) });
    const first = await s.write("<cib/>", { expected: null, next: v(0, 9, 0) }).catch((e) => e);
    expect(isAtriumError(first, "CIB_VERSION_CONFLICT")).toBe(true);
    await s.close();
  });

  it("refuses a next version that is not greater, and bad arguments", async () => {
    const s = await make();
    await s.write(cib(v(1, 0, 0)), { expected: null, next: v(1, 0, 0) });
    await expect(s.write("<cib/>", { expected: v(1, 0, 0), next: v(0, 99, 99) })).rejects.toThrow(RangeError);
    await expect(s.write("<cib/>", { expected: v(1, 0, 0), next: v(1, 0, 0) })).rejects.toThrow(/must be greater/);
    await expect(s.write("", { expected: v(1, 0, 0), next: v(1, 0, 1) })).rejects.toThrow(TypeError);
    await expect(s.write("<cib/>", { expected: v(1, 0, 0), next: { adminEpoch: -1, epoch: 0, numUpdates: 0 } }))
      .rejects.toThrow(TypeError);
    await expect(s.write("<cib/>", { expected: v(1, 0, 0), next: v(1, 0.5, 0) })).rejects.toThrow(/non-negative integers/);
    expect((await s.read())?.version).toEqual(v(1, 0, 0));
    await s.close();
  });

  it("orders versions by admin_epoch, then epoch, then num_updates", async () => {
    const s = await make();
    await s.write(cib(v(0, 9, 9)), { expected: null, next: v(0, 9, 9) });
    await s.write(cib(v(0, 10, 0)), { expected: v(0, 9, 9), next: v(0, 10, 0) });
    await s.write(cib(v(1, 0, 0)), { expected: v(0, 10, 0), next: v(1, 0, 0) });
    expect((await s.history()).map((h) => h.version)).toEqual([v(1, 0, 0), v(0, 10, 0), v(0, 9, 9)]);
    await s.close();
  });

  it("keeps the last N versions in history, newest first", async () => {
    const s = await make(3);
    let prev: CibVersion | null = null;
    for (let i = 1; i <= 5; i++) {
      await s.write(cib(v(0, 1, i)), { expected: prev, next: v(0, 1, i) });
      prev = v(0, 1, i);
    }
    const h = await s.history();
    expect(h.map((x) => x.version.numUpdates)).toEqual([5, 4, 3]);
    expect(h[1]!.xml).toBe(cib(v(0, 1, 4)));
    expect((await s.history(2)).length).toBe(2);
    expect(await s.history(0)).toEqual([]);
    await expect(s.history(-1)).rejects.toThrow(RangeError);
    await s.close();
  });

  it("tells watchers about each committed write, survives a throwing watcher, and stops on unwatch", async () => {
    const s = await make();
    const seen: string[] = [];
    s.watch(() => {
      throw new Error("bad watcher");
    });
    const stop = s.watch((c) => seen.push(`${c.previous ? c.previous.numUpdates : "-"}->${c.version.numUpdates}`));
    await s.write(cib(v(0, 1, 1)), { expected: null, next: v(0, 1, 1) });
    await s.write(cib(v(0, 1, 2)), { expected: v(0, 1, 1), next: v(0, 1, 2) });
    await s.write("<cib/>", { expected: v(0, 1, 1), next: v(0, 1, 3) }).catch(() => {});
    stop();
    await s.write(cib(v(0, 1, 3)), { expected: v(0, 1, 2), next: v(0, 1, 3) });
    expect(seen).toEqual(["-->1", "1->2"]);
    await s.close();
  });

  it("serializes concurrent compare-and-set writes: exactly one of two racing writers wins", async () => {
    const s = await make();
    await s.write(cib(v(0, 1, 0)), { expected: null, next: v(0, 1, 0) });
    const r = await Promise.allSettled([
      s.write(cib(v(0, 1, 1)), { expected: v(0, 1, 0), next: v(0, 1, 1) }),
      s.write(cib(v(0, 2, 0)), { expected: v(0, 1, 0), next: v(0, 2, 0) }),
    ]);
    expect(r.map((x) => x.status)).toEqual(["fulfilled", "rejected"]);
    expect((await s.read())?.version).toEqual(v(0, 1, 1));
    await s.close();
  });

  it("fails every call after close with CIB_STORE_CLOSED", async () => {
    const s = await make();
    await s.close();
    await expect(s.read()).rejects.toMatchObject({ code: "CIB_STORE_CLOSED" });
    await expect(s.write("<cib/>", { expected: null, next: v(0, 0, 1) })).rejects.toMatchObject({ code: "CIB_STORE_CLOSED" });
  });
});
