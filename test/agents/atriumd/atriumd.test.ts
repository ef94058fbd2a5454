import { mkdtempSync, rmSync, statSync, writeFileSync, chmodSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseListen, runAtriumd } from "../../../agents/atriumd/mod.ts";
import { serveFetch } from "../../../agents/atriumd/_http.ts";
import { loadOrCreateToken } from "../../../agents/atriumd/_state.ts";

const dir = mkdtempSync(join(tmpdir(), "atriumd-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("atriumd pieces", () => {
  it("parses --listen", () => {
    expect(parseListen("127.0.0.1:0")).toEqual({ hostname: "127.0.0.1", port: 0 });
    expect(parseListen("[::1]:7070")).toEqual({ hostname: "::1", port: 7070 });
    expect(() => parseListen("localhost")).toThrow(/expected ADDR:PORT/);
    expect(() => parseListen("1.2.3.4:70000")).toThrow(/expected ADDR:PORT/);
  });

  it("creates a 0600 token, reuses it, tightens its mode and replaces a bad one", async () => {
    const a = await loadOrCreateToken(dir);
    expect(a.created).toBe(true);
    expect(statSync(join(dir, "token")).mode & 0o777).toBe(0o600);
    chmodSync(join(dir, "token"), 0o644);
    const b = await loadOrCreateToken(dir);
    expect(b).toEqual({ token: a.token, created: false });
    expect(statSync(join(dir, "token")).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, "token"), "short");
    const c = await loadOrCreateToken(dir);
    expect(c.created).toBe(true);
    expect(readFileSync(join(dir, "token"), "utf8").trim()).toBe(c.token);
  });

  it("serves a fetch handler over node:http with bodies, headers and a body cap", async () => {
    const srv = await serveFetch(async (r) => new Response(JSON.stringify({ m: r.method, p: new URL(r.url).pathname, b: await r.text(), h: r.headers.get("x-t") }), { status: 201, headers: { "content-type": "application/json" } }), { hostname: "127.0.0.1", port: 0, maxBodyBytes: 1000 });
    try {
      const r = await fetch(`${srv.url}/a/b?q=1`, { method: "POST", body: "hello", headers: { "x-t": "v" } });
      expect(r.status).toBe(201);
      expect(await r.json()).toEqual({ m: "POST", p: "/a/b", b: "hello", h: "v" });
      const big = await fetch(`${srv.url}/x`, { method: "POST", body: "x".repeat(5000) });
      expect(big.status).toBe(413);
      expect(big.headers.get("content-type")).toBe("application/problem+json");
    } finally {
      await srv.close();
    }
  });

  it("answers 500 without details when the handler throws", async () => {
    const srv = await serveFetch(() => { throw new Error("secret internals"); }, { hostname: "127.0.0.1", port: 0, onError: () => {} });
    try {
      const r = await fetch(`${srv.url}/`);
      expect(r.status).toBe(500);
      expect(await r.text()).not.toContain("secret internals");
    } finally {
      await srv.close();
    }
  });

  it("starts the controller hook with the CIB service and stops it on a signal", async () => {
    const events: string[] = [];
    let signal: ((s: string) => void) | undefined;
    const out = { stdout() {}, stderr(t: string) { events.push(t.trim()); }, env: { PCMK_authkey_location: join(dir, "none") }, cwd: dir };
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    const done = runAtriumd(["--state-dir", join(dir, "ctl"), "--node-name", "n1"], out, {
      onSignal: (h) => ((signal = h), () => {}),
      ready: () => ready(),
      startController: async (ctx) => {
        events.push(`start ${ctx.nodeName} ${ctx.service.version().epoch}`);
        ctx.service.onChange((e) => events.push(`change ${e.kind}`));
        return { stop: async () => void events.push("stop") };
      },
    });
    await isReady;
    signal!("SIGTERM");
    expect(await done).toBe(0);
    expect(events.filter((e) => /^(start|stop|change)/.test(e))).toEqual(["start n1 1", "stop", "change status"]);
  });
});
