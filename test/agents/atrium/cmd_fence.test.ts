import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandIo } from "../../../agents/_command.ts";
import { formatHistory, parseFenceArgs } from "../../../agents/atrium/cmd_fence.ts";
import { runAtrium } from "../../../agents/atrium/mod.ts";

const dir = mkdtempSync(join(tmpdir(), "atrium-fence-cli-"));
const seen: { method: string; url: string; auth: string; body: string }[] = [];
let server: Server;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", auth: req.headers.authorization ?? "", body });
      res.setHeader("content-type", "application/json");
      if (req.url === "/v1/fence") {
        const b = JSON.parse(body) as { target: string; action?: string };
        const ok = b.target !== "nodeX";
        res.end(JSON.stringify({ ok, state: ok ? "success" : "failed", target: b.target, action: b.action ?? "reboot", devices: ["ipmi1"], ...(ok ? {} : { error: "All fencing levels failed" }) }));
      } else {
        res.end(JSON.stringify({ entries: [{ id: "1", target: "node2", action: "reboot", origin: "node1", client: "controller", delegate: "node1", state: "success", devices: ["ipmi1"], startedAt: "2026-01-01T00:00:00.000Z", endedAt: "2026-01-01T00:00:01.000Z" }] }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const state = join(dir, "up");
  mkdirSync(state);
  writeFileSync(join(state, "api.json"), JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  writeFileSync(join(state, "token"), "s3cret\n");
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function io(state: string): CommandIo & { out: string; err: string } {
  const o = {
    out: "",
    err: "",
    env: { ATRIUM_STATE_DIR: join(dir, state) },
    cwd: dir,
    stdout(t: string) {
      o.out += t;
    },
    stderr(t: string) {
      o.err += t;
    },
  };
  return o;
}

describe("atrium fence arguments", () => {
  it("parses fence and history requests", () => {
    expect(parseFenceArgs(["node2"])).toEqual({ kind: "fence", target: "node2" });
    expect(parseFenceArgs(["node2", "--off", "--reason", "disk"])).toEqual({ kind: "fence", target: "node2", action: "off", reason: "disk" });
    expect(parseFenceArgs(["--node", "history", "--reboot"])).toEqual({ kind: "fence", target: "history", action: "reboot" });
    expect(parseFenceArgs(["history", "--json"])).toEqual({ kind: "history", json: true });
    expect(parseFenceArgs(["history", "node2"])).toEqual({ kind: "history", target: "node2", json: false });
  });
  it("names what does not fit", () => {
    expect(() => parseFenceArgs(["n1", "--off", "--reboot"])).toThrow(/exclude each other/);
    expect(() => parseFenceArgs(["n1", "n2"])).toThrow(/expected one NODE, got "n1 n2"/);
    expect(() => parseFenceArgs(["n1", "--json"])).toThrow(/--json is for/);
    expect(() => parseFenceArgs(["history", "--off"])).toThrow(/are for fencing a node/);
    expect(() => parseFenceArgs(["n1", "--cycle"])).toThrow(/Cannot parse arguments of "atrium fence"/);
  });
  it("formats the history as stonith_admin does", () => {
    expect(formatHistory([])).toBe("No fencing history\n");
    expect(formatHistory([{ target: "n2", action: "off", state: "failed", client: "cli", origin: "n1", delegate: "n1", endedAt: "t", error: "boom" }]))
      .toBe("off of n2 failed: delegate=n1, client=cli@n1, last-failed=t (boom)\n");
  });
});

describe("atrium fence against atriumd", () => {
  it("says the daemon is not running when there is none", async () => {
    const o = io("none");
    expect(await runAtrium(["fence", "node2"], o)).toBe(69);
    expect(o.err).toMatch(/Cannot reach atriumd/);
    const h = io("none");
    expect(await runAtrium(["fence", "history"], h)).toBe(69);
  });
  it("posts /v1/fence and reads /v1/fence/history with the token", async () => {
    const o = io("up");
    expect(await runAtrium(["fence", "node2", "--off"], o)).toBe(0);
    expect(o.out).toBe(`Done: off of "node2" succeeded (devices: ipmi1)\n`);
    expect(seen.at(-1)).toEqual({ method: "POST", url: "/v1/fence", auth: "Bearer s3cret", body: JSON.stringify({ target: "node2", action: "off" }) });
    const bad = io("up");
    expect(await runAtrium(["fence", "nodeX"], bad)).toBe(1);
    expect(bad.err).toMatch(/reboot of "nodeX" failed: All fencing levels failed/);
    const h = io("up");
    expect(await runAtrium(["fence", "history", "node2"], h)).toBe(0);
    expect(seen.at(-1)!.url).toBe("/v1/fence/history?target=node2");
    expect(h.out).toBe("reboot of node2 successful: delegate=node1, client=controller@node1, devices=ipmi1, completed=2026-01-01T00:00:01.000Z\n");
    const j = io("up");
    expect(await runAtrium(["fence", "history", "--json"], j)).toBe(0);
    expect(JSON.parse(j.out).entries[0].target).toBe("node2");
    expect(o.out + h.out + j.out).not.toContain("s3cret");
    const u = io("up");
    expect(await runAtrium(["fence", "a", "b"], u)).toBe(64);
  });
});
