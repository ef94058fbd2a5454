import { describe, expect, it } from "vitest";
import { createApi, type FenceApi } from "../../../core/api/mod.ts";
import { CibService } from "../../../core/cib/service/mod.ts";
import { MemoryStore } from "../../../core/cib/store/mod.ts";
import { markNodeMember } from "../../../core/cib/edit/mod.ts";
import { AtriumError } from "../../../core/errors.ts";
import type { FenceHistoryEntry, FenceOutcome } from "../../../core/fencer/mod.ts";
import { renderStatus } from "../../../core/status/mod.ts";

const TOKEN = "t0k3n-abcdefghijklmnopqrstuvwxyz";

function entry(target: string, state: "success" | "failed" | "pending", endedAt?: string): FenceHistoryEntry {
  return {
    id: `id-${target}-${state}`, target, action: "reboot", origin: "node1", client: "atrium-api", delegate: "node1", state,
    devices: ["fence1"], attempts: [], merged: [], startedAt: "2026-01-01T00:00:00.000Z",
    ...(endedAt !== undefined ? { endedAt } : {}), ...(state === "failed" ? { error: "device failed" } : {}),
  };
}

class FakeFencing implements FenceApi {
  readonly requests: unknown[] = [];
  readonly entries: FenceHistoryEntry[] = [];
  request(req: { target: string; action?: "reboot" | "off"; reason?: string; client?: string }): Promise<FenceOutcome> {
    this.requests.push(req);
    if (req.target === "guest1") throw new AtriumError("FENCE_GUEST_NODE", `Cannot fence guest node "guest1" through fence devices`);
    const e = { ...entry(req.target, req.target === "bad" ? "failed" : "success", "2026-01-01T00:00:01.000Z"), action: req.action ?? "reboot" };
    this.entries.push(e);
    return Promise.resolve({ ...e, ok: e.state === "success" });
  }
  history(filter: { target?: string } = {}): FenceHistoryEntry[] {
    return this.entries.filter((e) => filter.target === undefined || e.target === filter.target);
  }
}

async function setup(fencing?: FenceApi) {
  const svc = await CibService.open(new MemoryStore(), { nodeName: "node1" });
  await svc.apply((c) => markNodeMember(c, "node1"));
  const app = createApi({ service: svc, token: TOKEN, ...(fencing ? { fencing } : {}) });
  const call = (method: string, path: string, body?: unknown, auth = true) =>
    app.request(path, {
      method,
      headers: { ...(auth ? { authorization: `Bearer ${TOKEN}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
  return { call, svc };
}

describe("fence routes", () => {
  it("fences through the fencer and answers its outcome; the history follows", async () => {
    const f = new FakeFencing();
    const { call } = await setup(f);
    const r = await call("POST", "/v1/fence", { target: "node2", action: "off", reason: "test" });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true, target: "node2", state: "success", devices: ["fence1"] });
    expect(f.requests).toEqual([{ target: "node2", action: "off", reason: "test", client: "atrium-api" }]);
    const bad = await (await call("POST", "/v1/fence", { target: "bad" })).json();
    expect(bad).toMatchObject({ ok: false, state: "failed", error: "device failed" });
    expect((await (await call("GET", "/v1/fence/history")).json()).entries.map((e: FenceHistoryEntry) => e.target)).toEqual(["node2", "bad"]);
    expect((await (await call("GET", "/v1/fence/history?target=bad")).json()).entries).toHaveLength(1);
    const status = await (await call("GET", "/v1/status")).json();
    expect(status.fencing.map((x: { target: string; state: string }) => `${x.target}:${x.state}`)).toEqual(["node2:success", "bad:failed"]);
    const text = renderStatus(status);
    expect(text).toContain("Fencing History:");
    expect(text).toContain("  * off of node2 by node1 for atrium-api@node1 successful at 2026-01-01 00:00:01 +00:00");
    expect(text).toContain("  * reboot of bad by node1 for atrium-api@node1 failed (device failed) at 2026-01-01 00:00:01 +00:00");
  });

  it("rejects bad bodies, guests and unauthenticated calls, changing nothing", async () => {
    const f = new FakeFencing();
    const { call } = await setup(f);
    for (const body of [{}, { target: "" }, { target: "n", action: "on" }, { target: "n", extra: 1 }, "not json"]) {
      const r = await call("POST", "/v1/fence", body);
      expect(r.status).toBe(400);
      expect(r.headers.get("content-type")).toBe("application/problem+json");
    }
    const g = await call("POST", "/v1/fence", { target: "guest1" });
    expect(g.status).toBe(422);
    expect((await g.json()).code).toBe("FENCE_GUEST_NODE");
    expect((await call("POST", "/v1/fence", { target: "node2" }, false)).status).toBe(401);
    expect((await call("GET", "/v1/fence/history", undefined, false)).status).toBe(401);
    expect(f.entries).toEqual([]);
  });

  it("answers 503 without a fencer, and the status has no fencing then", async () => {
    const { call } = await setup();
    const r = await call("POST", "/v1/fence", { target: "node2" });
    expect(r.status).toBe(503);
    expect((await r.json()).code).toBe("FENCER_UNAVAILABLE");
    expect((await call("GET", "/v1/fence/history")).status).toBe(503);
    const status = await (await call("GET", "/v1/status")).json();
    expect(status.fencing).toBeUndefined();
    expect(renderStatus(status)).not.toContain("Fencing History");
  });
});
