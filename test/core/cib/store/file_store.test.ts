import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CibVersion } from "../../../../core/cib/model.ts";
import { FileStore } from "../../../../core/cib/store/mod.ts";

function v(adminEpoch: number, epoch: number, numUpdates: number): CibVersion {
  return { adminEpoch, epoch, numUpdates };
}
function cib(x: CibVersion, body = ""): string {
  return `<cib admin_epoch="${x.adminEpoch}" epoch="${x.epoch}" num_updates="${x.numUpdates}"><configuration>${body}</configuration><status/></cib>`;
}

let root = "";
let dir = "";
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "atrium-fstore-"));
  dir = join(root, "cib");
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function writeN(n: number, keep?: number): Promise<void> {
  const s = await FileStore.open(dir, keep === undefined ? {} : { keep });
  let prev: CibVersion | null = null;
  for (let i = 1; i <= n; i++) {
    await s.write(cib(v(0, 1, i)), { expected: prev, next: v(0, 1, i) });
    prev = v(0, 1, i);
  }
  await s.close();
}

describe("FileStore", () => {
  it("persists across reopen, with cib.xml, one file per kept version and a manifest", async () => {
    await writeN(3);
    const names = (await readdir(dir)).sort();
    expect(names).toEqual(["cib-0.1.1.xml", "cib-0.1.2.xml", "cib-0.1.3.xml", "cib.xml", "manifest.json"]);
    expect(await readFile(join(dir, "cib.xml"), "utf8")).toBe(cib(v(0, 1, 3)));
    const s = await FileStore.open(dir);
    expect(await s.read()).toEqual({ version: v(0, 1, 3), xml: cib(v(0, 1, 3)) });
    expect((await s.history()).map((h) => h.version.numUpdates)).toEqual([3, 2, 1]);
    await s.close();
  });

  it("prunes version files beyond keep (default 20)", async () => {
    await writeN(23);
    const files = (await readdir(dir)).filter((n) => n.startsWith("cib-"));
    expect(files.length).toBe(20);
    expect(files).not.toContain("cib-0.1.3.xml");
    expect(files).toContain("cib-0.1.4.xml");
  });

  it("skips a newest version file that does not match its manifest entry (truncated or corrupt)", async () => {
    await writeN(3);
    await truncate(join(dir, "cib-0.1.3.xml"), 20);
    let s = await FileStore.open(dir, { readOnly: true });
    expect((await s.read())?.version).toEqual(v(0, 1, 2));
    await s.close();
    await writeFile(join(dir, "cib-0.1.2.xml"), cib(v(0, 1, 2)).replace("configuration", "configuratioN"));
    s = await FileStore.open(dir);
    expect(await s.read()).toEqual({ version: v(0, 1, 1), xml: cib(v(0, 1, 1)) });
    // the bad files are gone and the next write continues from the good version
    expect((await readdir(dir)).filter((n) => n.startsWith("cib-"))).toEqual(["cib-0.1.1.xml"]);
    await s.write(cib(v(0, 1, 2), "again"), { expected: v(0, 1, 1), next: v(0, 1, 2) });
    await s.close();
    s = await FileStore.open(dir, { readOnly: true });
    expect((await s.read())?.xml).toBe(cib(v(0, 1, 2), "again"));
    await s.close();
  });

  it("ignores a manifest entry whose file was never renamed into place, and removes temp files", async () => {
    await writeN(2);
    const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8"));
    manifest.versions.unshift({ version: "0.1.3", file: "cib-0.1.3.xml", bytes: 10, sha256: "00" });
    await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest));
    await writeFile(join(dir, ".cib-0.1.3.xml.abcdef.tmp"), "<cib adm");
    const s = await FileStore.open(dir);
    expect((await s.read())?.version).toEqual(v(0, 1, 2));
    expect((await readdir(dir)).some((n) => n.endsWith(".tmp"))).toBe(false);
    await s.close();
  });

  it("falls back to scanning complete version files when the manifest is unreadable", async () => {
    await writeN(3);
    await writeFile(join(dir, "manifest.json"), "{not json");
    await writeFile(join(dir, "cib-0.1.9.xml"), "<cib epoch=\"1\"><configuration>"); // partial: no </cib>
    const s = await FileStore.open(dir, { readOnly: true });
    expect((await s.read())?.version).toEqual(v(0, 1, 3));
    await s.close();
  });

  it("adopts a lone Pacemaker cib.xml with the version of its start tag", async () => {
    const { mkdir } = await import("node:fs/promises");
    await mkdir(dir);
    const text = `<?xml version="1.0"?>\n<cib crm_feature_set="3.16.2" validate-with="pacemaker-3.9" epoch="7" num_updates="4" admin_epoch="1">\n<configuration/><status/></cib>\n`;
    await writeFile(join(dir, "cib.xml"), text);
    const s = await FileStore.open(dir);
    expect(await s.read()).toEqual({ version: v(1, 7, 4), xml: text });
    await s.write(cib(v(1, 7, 5)), { expected: v(1, 7, 4), next: v(1, 7, 5) });
    expect((await s.history()).map((h) => h.version)).toEqual([v(1, 7, 5)]);
    await s.close();
  });

  it("lets one writer hold a directory: a second open fails with CIB_STORE_LOCKED naming the pid", async () => {
    const a = await FileStore.open(dir);
    const err = await FileStore.open(dir).catch((e) => e);
    expect(err.code).toBe("CIB_STORE_LOCKED");
    expect(err.message).toContain(`process ${process.pid}`);
    const ro = await FileStore.open(dir, { readOnly: true });
    await a.write(cib(v(0, 0, 1)), { expected: null, next: v(0, 0, 1) });
    expect((await ro.read())?.version).toEqual(v(0, 0, 1));
    await expect(ro.write(cib(v(0, 0, 2)), { expected: v(0, 0, 1), next: v(0, 0, 2) }))
      .rejects.toMatchObject({ code: "CIB_STORE_READ_ONLY" });
    await a.close();
    const b = await FileStore.open(dir);
    expect((await b.read())?.version).toEqual(v(0, 0, 1));
    await b.close();
  });

  it("breaks a stale lock left by a dead process, but not one held by a live process", async () => {
    const { mkdir } = await import("node:fs/promises");
    const { hostname } = await import("node:os");
    await mkdir(dir);
    const lock = (pid: number) => JSON.stringify({ pid, host: hostname(), token: `t${pid}`, since: "then" });
    await writeFile(join(dir, "lock"), lock(2 ** 22 + 12345)); // above pid_max: never alive
    const s = await FileStore.open(dir);
    expect(JSON.parse(await readFile(join(dir, "lock"), "utf8")).pid).toBe(process.pid);
    await s.close();
    expect((await readdir(dir)).includes("lock")).toBe(false);
    // a breaker that died while breaking a stale lock left lock.break behind
    await writeFile(join(dir, "lock"), lock(2 ** 22 + 12346));
    await writeFile(join(dir, "lock.break"), lock(2 ** 22 + 12347));
    const t = await FileStore.open(dir);
    expect((await readdir(dir)).filter((n) => n.startsWith("lock")).sort()).toEqual(["lock"]);
    await t.close();
    await writeFile(join(dir, "lock"), lock(1)); // pid 1 is alive
    await expect(FileStore.open(dir)).rejects.toMatchObject({ code: "CIB_STORE_LOCKED" });
  });
});

describe("FileStore locking and I/O errors", () => {
  it("lets exactly one of two racing openers win, also when both break the same stale lock", async () => {
    const { mkdir } = await import("node:fs/promises");
    const { hostname } = await import("node:os");
    for (const stale of [false, true, false, true, false, true, false, true, false, true]) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
      if (stale) await writeFile(join(dir, "lock"), JSON.stringify({ pid: 2 ** 22 + 999, host: hostname(), token: "old", since: "x" }));
      const r = await Promise.allSettled([1, 2, 3, 4].map(() => FileStore.open(dir)));
      expect(r.filter((x) => x.status === "fulfilled").length, `stale=${stale}`).toBe(1);
      for (const x of r) {
        if (x.status === "rejected") expect(x.reason.code).toBe("CIB_STORE_LOCKED");
        else await x.value.close();
      }
    }
  });

  it("reports file system failures as CIB_STORE_IO saying what was attempted", async () => {
    await writeFile(join(root, "file"), "not a directory");
    const e = await FileStore.open(join(root, "file", "cib")).catch((x) => x);
    expect(e.code).toBe("CIB_STORE_IO");
    expect(e.message).toMatch(/^Cannot open CIB store .*\/file\/cib: /);
    expect(e.details.errno).toBe("ENOTDIR");
  });
});
