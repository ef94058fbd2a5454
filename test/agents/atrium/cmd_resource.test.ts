import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseCreateArgs } from "../../../agents/atrium/cmd_resource.ts";
import { runAtrium } from "../../../agents/atrium/mod.ts";
import type { CommandIo } from "../../../agents/_command.ts";
import { captureIo } from "./_io.ts";

const dir = mkdtempSync(join(tmpdir(), "atrium-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): CommandIo & { out: string; err: string } {
  return captureIo({ ATRIUM_STATE_DIR: join(dir, "none") }, dir);
}

describe("atrium resource create arguments", () => {
  it("parses params, meta and several ops as pcs does", () => {
    expect(parseCreateArgs(["web", "ocf:heartbeat:apache", "configfile=/a=b", "meta", "target-role=Stopped", "op", "monitor", "interval=10s", "timeout=20s", "start", "timeout=60s"])).toEqual({
      id: "web",
      agent: "ocf:heartbeat:apache",
      params: { configfile: "/a=b" },
      meta: { "target-role": "Stopped" },
      ops: [{ name: "monitor", interval: "10s", timeout: "20s" }, { name: "start", timeout: "60s" }],
    });
  });
  it("names the word that does not fit", () => {
    expect(() => parseCreateArgs(["web"])).toThrow(/expected ID and CLASS:PROVIDER:TYPE/);
    expect(() => parseCreateArgs(["web", "ocf:a:b", "novalue"])).toThrow(/"novalue" in the parameters is not name=value/);
    expect(() => parseCreateArgs(["web", "ocf:a:b", "op"])).toThrow(/followed by an operation name/);
  });
});

describe("CLI without a daemon", () => {
  it("says which state dir has no daemon and what to start, for every command", async () => {
    for (const args of [["status"], ["status", "--json"], ["resource", "delete", "x"], ["node", "standby", "n1"], ["property", "set", "a=b"], ["constraint", "location", "x", "prefers", "n1"]]) {
      const o = io();
      expect(await runAtrium(args, o)).toBe(69);
      expect(o.err).toContain(`state dir "${join(dir, "none")}"`);
      expect(o.err).toContain(`atriumd --state-dir ${join(dir, "none")}`);
    }
  });
  it("refuses malformed commands with usage errors", async () => {
    for (const args of [["resource", "move", "x"], ["resource", "frobnicate", "x"], ["node", "explode", "n1"], ["property", "set", "novalue"], ["constraint", "location", "x", "likes", "n1"]]) {
      const o = io();
      expect(await runAtrium(args, o), args.join(" ")).toBe(64);
    }
  });
});
