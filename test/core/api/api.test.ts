import { describe, expect, it } from "vitest";
import { createApi } from "../../../core/api/mod.ts";
import { CibService } from "../../../core/cib/service/mod.ts";
import { MemoryStore } from "../../../core/cib/store/mod.ts";
import { findById } from "../../../core/cib/query.ts";
import { markNodeMember } from "../../../core/cib/edit/mod.ts";

const TOKEN = "t0k3n-abcdefghijklmnopqrstuvwxyz";

async function setup() {
  const store = new MemoryStore();
  const svc = await CibService.open(store, { nodeName: "node1" });
  await svc.apply((c) => markNodeMember(c, "node1"));
  const lines: string[] = [];
  const app = createApi({ service: svc, token: TOKEN, log: (l) => lines.push(l) });
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
  return { app, svc, store, call, lines };
}

describe("HTTP API", () => {
  it("requires the bearer token and never echoes it", async () => {
    const { app, lines } = await setup();
    const none = await app.request("/v1/status");
    expect(none.status).toBe(401);
    expect(none.headers.get("content-type")).toBe("application/problem+json");
    expect((await none.json()).code).toBe("UNAUTHORIZED");
    const wrong = await app.request("/v1/status", { headers: { authorization: "Bearer wrong-token-value-1234" } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain("wrong-token-value-1234");
    expect(lines.join("\n")).not.toContain(TOKEN);
  });

  it("serves the status model and the CIB as XML or JSON", async () => {
    const { call } = await setup();
    const s = await (await call("GET", "/v1/status")).json();
    expect(s.nodes).toEqual([expect.objectContaining({ name: "node1", kind: "cluster", online: true, standby: false })]);
    const xml = await call("GET", "/v1/cib");
    expect(xml.headers.get("content-type")).toMatch(/application\/xml/);
    expect(xml.headers.get("etag")).toBe('"0.1.1"');
    expect(await xml.text()).toMatch(/^<cib /);
    const json = await (await call("GET", "/v1/cib?format=json")).json();
    expect(json.tag).toBe("cib");
  });

  it("creates, moves, disables, cleans up and deletes resources", async () => {
    const { call, svc } = await setup();
    const c = await call("POST", "/v1/resources", { id: "d", agent: "ocf:pacemaker:Dummy", params: { fake: "1" }, ops: [{ name: "monitor", interval: "10s" }] });
    expect(c.status).toBe(201);
    const body = await c.json();
    expect(body.version).toBe("0.2.0");
    expect(body.warnings.join("\n")).toContain("NO_FENCING_DEVICE");
    expect((await call("POST", "/v1/resources/d/move", { node: "node1" })).status).toBe(200);
    expect(findById(svc.get(), "cli-prefer-d")?.attrs.node).toBe("node1");
    expect((await call("POST", "/v1/resources/d/clear")).status).toBe(200);
    expect(findById(svc.get(), "cli-prefer-d")).toBeUndefined();
    expect((await call("POST", "/v1/resources/d/disable")).status).toBe(200);
    expect((await call("POST", "/v1/resources/d/enable")).status).toBe(200);
    expect((await call("POST", "/v1/resources/d/cleanup")).status).toBe(200);
    expect((await call("POST", "/v1/constraints/location", { rsc: "d", node: "node1", score: "100" })).status).toBe(201);
    expect((await call("DELETE", "/v1/resources/d")).status).toBe(200);
    expect(findById(svc.get(), "d")).toBeUndefined();
    expect(findById(svc.get(), "location-d-node1-100")).toBeUndefined();
  });

  it("handles node standby, properties and node removal", async () => {
    const { call, svc } = await setup();
    expect((await call("POST", "/v1/nodes/node1/standby")).status).toBe(200);
    expect((await (await call("GET", "/v1/status")).json()).nodes[0].standby).toBe(true);
    expect((await call("POST", "/v1/nodes/node1/unstandby")).status).toBe(200);
    const p = await call("PUT", "/v1/properties/stonith-enabled", { value: "false" });
    expect(p.status).toBe(200);
    expect(findById(svc.get(), "cib-bootstrap-options-stonith-enabled")?.attrs.value).toBe("false");
    expect((await call("DELETE", "/v1/nodes/node1")).status).toBe(200);
    expect((await (await call("GET", "/v1/status")).json()).nodes).toEqual([]);
  });

  it("answers problems with codes and statuses, and a bad request changes nothing", async () => {
    const { call, svc, store } = await setup();
    await call("POST", "/v1/resources", { id: "d", agent: "ocf:pacemaker:Dummy" });
    const before = await store.read();
    const cases: [string, string, unknown, number, string][] = [
      ["POST", "/v1/resources", { id: "d", agent: "ocf:pacemaker:Dummy" }, 409, "CIB_ID_IN_USE"],
      ["POST", "/v1/resources", { id: "e", agent: "ocf:Dummy" }, 400, "INVALID_REQUEST"],
      ["POST", "/v1/resources/nope/enable", undefined, 404, "CIB_NOT_FOUND"],
      ["POST", "/v1/resources/d/move", { node: "ghost" }, 404, "CIB_NOT_FOUND"],
      ["POST", "/v1/resources/d/move", "{not json", 400, "INVALID_REQUEST"],
      ["POST", "/v1/constraints/location", { rsc: "d", node: "node1", kind: "loves" }, 400, "INVALID_REQUEST"],
      ["GET", "/v1/nothing", undefined, 404, "NOT_FOUND"],
    ];
    for (const [m, path, body, status, code] of cases) {
      const r = await call(m, path, body);
      expect([path, r.status]).toEqual([path, status]);
      expect(r.headers.get("content-type")).toBe("application/problem+json");
      expect((await r.json()).code).toBe(code);
    }
    expect(await store.read()).toEqual(before);
    expect(svc.version()).toEqual(before!.version);
  });

  it("does not echo the request body in validation failures", async () => {
    const { call } = await setup();
    const secret = "s3cr3t-p4ssw0rd-value";
    const r = await call("POST", "/v1/resources", { id: "x", agent: "ocf:pacemaker:Dummy", params: { password: 42 }, extra: secret });
    expect(r.status).toBe(400);
    const text = await r.text();
    expect(text).not.toContain(secret);
    expect(text).not.toContain("42");
    expect(JSON.parse(text).detail).toMatch(/body\.params\.password: expected string/);
    expect(JSON.parse(text).detail).toMatch(/body\.extra: unknown field/);
  });

  it("honours If-Match with CIB_VERSION_CONFLICT", async () => {
    const { call } = await setup();
    const r = await call("PUT", "/v1/properties/stonith-enabled", { value: "false" }, { "if-match": '"0.0.1"' });
    expect(r.status).toBe(409);
    expect((await r.json()).code).toBe("CIB_VERSION_CONFLICT");
    const ok = await call("PUT", "/v1/properties/stonith-enabled", { value: "false" }, { "if-match": '"0.1.1"' });
    expect(ok.status).toBe(200);
  });

  it("documents every route in its OpenAPI document", async () => {
    const { app, call } = await setup();
    const doc = await (await call("GET", "/v1/openapi.json")).json();
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`);
    }
    const routes = app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`);
    expect(routes.length).toBeGreaterThan(10);
    for (const r of routes) expect(documented, r).toContain(r);
  });

  it("refuses to start without a token unless auth is off", async () => {
    const svc = await CibService.open(new MemoryStore(), { nodeName: "n" });
    expect(() => createApi({ service: svc })).toThrow(TypeError);
    const open = createApi({ service: svc, auth: false });
    expect((await open.request("/v1/status")).status).toBe(200);
  });
});
