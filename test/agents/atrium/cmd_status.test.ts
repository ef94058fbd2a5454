// The CLI commands against an in-process atriumd (fast; the built executables are covered by
// test/agents/atriumd/atriumd.node_only.test.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAtriumd } from "../../../agents/atriumd/mod.ts";
import { runAtrium } from "../../../agents/atrium/mod.ts";
import { captureIo } from "./_io.ts";

const dir = mkdtempSync(join(tmpdir(), "atrium-cmds-"));
let stop: ((sig: string) => void) | undefined;
let done: Promise<number>;

function io() {
  return captureIo({ ATRIUM_STATE_DIR: dir, PCMK_authkey_location: join(dir, "none") }, dir);
}

async function atrium(...args: string[]) {
  const o = io();
  const code = await runAtrium(args, o);
  return { code, out: o.out, err: o.err };
}

beforeAll(async () => {
  const d = io();
  await new Promise<void>((ready) => {
    done = runAtriumd(["--state-dir", dir, "--node-name", "alpha"], d, {
      onSignal: (h) => {
        stop = h;
        return () => {};
      },
      ready: () => ready(),
    });
  });
});

afterAll(async () => {
  stop?.("SIGTERM");
  expect(await done).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

describe("atrium status, resource, node, property, constraint", () => {
  it("prints text and JSON status", async () => {
    const t = await atrium("status");
    expect(t.code).toBe(0);
    expect(t.out).toContain("* Online: [ alpha ]");
    const j = await atrium("status", "--json");
    expect(JSON.parse(j.out).nodes[0]).toMatchObject({ name: "alpha", kind: "cluster", online: true, standby: false });
  });

  it("runs each update command and reports the CIB version", async () => {
    const steps: string[][] = [
      ["property", "set", "stonith-enabled=false", "no-quorum-policy=ignore"],
      ["resource", "create", "web", "ocf:heartbeat:apache", "configfile=/etc/apache2/apache2.conf", "op", "monitor", "interval=30s"],
      ["resource", "disable", "web"],
      ["resource", "enable", "web"],
      ["resource", "move", "web", "alpha"],
      ["resource", "clear", "web"],
      ["resource", "cleanup", "web", "--node", "alpha"],
      ["constraint", "location", "web", "prefers", "alpha=200"],
      ["node", "standby", "alpha"],
      ["node", "unstandby", "alpha"],
      ["property", "unset", "no-quorum-policy"],
    ];
    for (const s of steps) {
      const r = await atrium(...s);
      expect([s.join(" "), r.code, r.err]).toEqual([s.join(" "), 0, r.err]);
      expect(r.out).toMatch(/(Done|No change) \(CIB version \d+\.\d+\.\d+\)/);
    }
    const j = JSON.parse((await atrium("status", "--json")).out);
    expect(j.resources).toEqual([expect.objectContaining({ id: "web", agent: "ocf:heartbeat:apache", role: "Stopped", active_on: [] })]);
    expect(j.nodes[0].standby).toBe(false);
  });

  it("reports refused requests with the error code and exit 1", async () => {
    const r = await atrium("resource", "delete", "ghost");
    expect(r.code).toBe(1);
    expect(r.err).toContain('Cannot delete resource "ghost"');
    expect(r.err).toContain("[CIB_NOT_FOUND]");
    const bad = await atrium("resource", "create", "x", "ocf:Dummy");
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("[INVALID_REQUEST]");
  });
});
