import { afterAll, describe, expect, it } from "vitest";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAuthkey } from "../../../core/remote/authkey.ts";
import { isAtriumError } from "../../../core/errors.ts";

const dir = mkdtempSync(join(tmpdir(), "atrium-authkey-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadAuthkey", () => {
  it("reads the whole file as raw bytes, trailing newline included", () => {
    const f = join(dir, "k1");
    writeFileSync(f, "secret\n");
    const k = loadAuthkey({ explicit: f });
    expect(k.path).toBe(f);
    expect(Array.from(k.key)).toEqual(Array.from(new TextEncoder().encode("secret\n")));
  });

  it("names every path tried and why, never the key", () => {
    const empty = join(dir, "empty");
    writeFileSync(empty, "");
    const sub = join(dir, "adir");
    mkdirSync(sub);
    for (const [path, why] of [[join(dir, "none"), "does not exist"], [empty, "empty"], [sub, "not a regular file"]] as const) {
      let err: unknown;
      try {
        loadAuthkey({ explicit: path });
      } catch (e) {
        err = e;
      }
      expect(isAtriumError(err, "AUTHKEY_NOT_FOUND")).toBe(true);
      expect((err as Error).message).toBe(`Cannot read a Pacemaker remote authkey: "${path}" (${why})`);
    }
  });

  it("falls back from an unreadable PCMK_authkey_location to the defaults, saying why", () => {
    const k = (() => {
      try {
        return loadAuthkey({ env: { PCMK_authkey_location: join(dir, "missing") } });
      } catch (e) {
        return e as Error;
      }
    })();
    if (k instanceof Error) {
      expect(k.message).toContain(`"${join(dir, "missing")}" (does not exist)`);
      expect(k.message).toContain(`"/etc/pacemaker/authkey"`);
      expect(k.message).toContain(`"/etc/corosync/authkey"`);
    } else {
      expect(k.skipped[0]).toEqual({ path: join(dir, "missing"), reason: "does not exist" });
      expect(["/etc/pacemaker/authkey", "/etc/corosync/authkey"]).toContain(k.path);
    }
  });

  it("prefers PCMK_authkey_location when readable", () => {
    const f = join(dir, "k2");
    writeFileSync(f, new Uint8Array([1, 2, 3]));
    chmodSync(f, 0o600);
    expect(loadAuthkey({ env: { PCMK_authkey_location: f } })).toMatchObject({ path: f, skipped: [] });
  });
});
