/**
 * The HTTP control endpoint: a runtime-neutral hono app over a {@link CibService}. Every route
 * under `/v1` needs `Authorization: Bearer TOKEN` (unless auth is explicitly turned off);
 * bodies are checked with valibot at the edge; every error leaves as
 * `application/problem+json` carrying the AtriumError code, from one handler.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { CibService, ApplyResult, CibEdit } from "../cib/service/mod.ts";
import { formatCibVersion, parseCibVersion } from "../cib/codec.ts";
import {
  cleanupResource,
  clearResource,
  createResource,
  deleteResource,
  disableResource,
  enableResource,
  locationConstraint,
  moveResource,
  removeNode,
  setNodeStandby,
  setProperty,
} from "../cib/edit/mod.ts";
import { clusterStatus, withFencing } from "../status/mod.ts";
import { bearerAuth } from "./_auth.ts";
import { type FenceApi, registerFenceRoutes } from "./fence_routes.ts";
import { CleanupBody, CreateResourceBody, LocationBody, MoveBody, PropertyBody, readBody } from "./_body.ts";
import { ApiProblem, problemResponse } from "./_problem.ts";
import { OPENAPI } from "./openapi.ts";

/** Options of {@link createApi}. */
export interface ApiOptions {
  readonly service: CibService;
  /** The bearer token every request must carry. Required unless `auth` is false. */
  readonly token?: string;
  /** Turn authentication off (tests and trusted sockets only); default true. */
  readonly auth?: boolean;
  /** One line per request (method, path, status); never headers or bodies. */
  readonly log?: (line: string) => void;
  /** The fencer (POST /v1/fence, GET /v1/fence/history, the status's `fencing`); without it those answer 503. */
  readonly fencing?: FenceApi;
}

/** The JSON body of a successful update. */
export interface UpdateResponse {
  readonly version: string;
  readonly change: ApplyResult["kind"];
  readonly warnings: readonly string[];
}

function expectedVersion(c: Context): { expected?: ReturnType<typeof parseCibVersion> } {
  const h = c.req.header("if-match");
  if (h === undefined) return {};
  try {
    return { expected: parseCibVersion(h.replace(/^W\//, "").replace(/"/g, "")) };
  } catch {
    throw new ApiProblem(400, "INVALID_REQUEST", "Cannot use the If-Match header: expected a CIB version such as \"0.5.2\"");
  }
}

async function update(c: Context, svc: CibService, edit: CibEdit, status: 200 | 201 = 200): Promise<Response> {
  const r = await svc.apply(edit, expectedVersion(c));
  const body: UpdateResponse = {
    version: formatCibVersion(r.version),
    change: r.kind,
    warnings: r.warnings.map((f) => `${f.location}: ${f.message} [${f.code}]`),
  };
  return c.json(body, status, { etag: `"${body.version}"` });
}

/**
 * The endpoint's app. Serve it with any runtime's `fetch` adapter, or call `app.request()`.
 *
 * @throws {TypeError} when auth is on and no token (of at least 16 characters) is given
 * @example
 * ```ts
 * const app = createApi({ service, token });
 * const res = await app.request("/v1/status", { headers: { authorization: `Bearer ${token}` } });
 * ```
 */
export function createApi(options: ApiOptions): Hono {
  const svc = options.service;
  const app = new Hono();
  const log = options.log;
  if (options.auth !== false && (typeof options.token !== "string" || options.token.length < 16)) {
    throw new TypeError("Cannot create the API without a token of at least 16 characters (or with auth: false)");
  }
  app.onError((e, c) => {
    const res = problemResponse(c, e);
    log?.(`${c.req.method} ${new URL(c.req.url).pathname} ${res.status}${res.status >= 500 ? ` ${e instanceof Error ? e.stack ?? e.message : String(e)}` : ""}`);
    return res;
  });
  app.notFound((c) => problemResponse(c, new ApiProblem(404, "NOT_FOUND", `Cannot ${c.req.method} ${new URL(c.req.url).pathname}: no such route`)));
  if (log !== undefined) {
    app.use("*", async (c, next) => {
      await next();
      if (c.req.method !== "GET" && c.res.status < 400) log(`${c.req.method} ${new URL(c.req.url).pathname} ${c.res.status}`);
    });
  }
  if (options.auth !== false) app.use("/v1/*", bearerAuth(options.token!));

  app.get("/v1/openapi.json", (c) => c.json(OPENAPI));
  // The status is computed at most once a second per CIB (the tree is immutable, a new one
  // after every update; the second bounds how stale time-dependent rules can look).
  let cached: { cib: unknown; at: number; status: ReturnType<typeof clusterStatus> } | undefined;
  app.get("/v1/status", (c) => {
    const cib = svc.get();
    const now = Date.now();
    if (cached?.cib !== cib || now - cached.at > 1000) cached = { cib, at: now, status: clusterStatus(cib) };
    const status = options.fencing !== undefined
      ? { ...withFencing(cached.status, options.fencing.history()), fencing_limits: options.fencing.limits?.() ?? [] }
      : cached.status;
    return c.json(status, 200, { etag: `"${formatCibVersion(svc.version())}"` });
  });
  registerFenceRoutes(app, () => options.fencing);
  app.get("/v1/cib", (c) => {
    const format = c.req.query("format") ?? (/application\/json/.test(c.req.header("accept") ?? "") ? "json" : "xml");
    const etag = `"${formatCibVersion(svc.version())}"`;
    if (format === "json") return c.json(svc.get(), 200, { etag });
    if (format !== "xml") throw new ApiProblem(400, "INVALID_REQUEST", "Cannot use the format query parameter: expected \"xml\" or \"json\"");
    return c.body(svc.xml(), 200, { "content-type": "application/xml; charset=utf-8", etag });
  });

  app.post("/v1/resources", async (c) => {
    const b = await readBody(c, CreateResourceBody);
    return update(c, svc, (cib) => createResource(cib, b), 201);
  });
  app.delete("/v1/resources/:id", (c) => update(c, svc, (cib) => deleteResource(cib, c.req.param("id"))));
  app.post("/v1/resources/:id/enable", (c) => update(c, svc, (cib) => enableResource(cib, c.req.param("id"))));
  app.post("/v1/resources/:id/disable", (c) => update(c, svc, (cib) => disableResource(cib, c.req.param("id"))));
  app.post("/v1/resources/:id/move", async (c) => {
    const b = await readBody(c, MoveBody);
    return update(c, svc, (cib) => moveResource(cib, c.req.param("id"), b.node));
  });
  app.post("/v1/resources/:id/clear", (c) => update(c, svc, (cib) => clearResource(cib, c.req.param("id"))));
  app.post("/v1/resources/:id/cleanup", async (c) => {
    const b = await readBody(c, CleanupBody, true);
    return update(c, svc, (cib) => cleanupResource(cib, c.req.param("id"), b.node !== undefined ? { node: b.node } : {}));
  });
  app.post("/v1/constraints/location", async (c) => {
    const b = await readBody(c, LocationBody);
    return update(c, svc, (cib) => locationConstraint(cib, b), 201);
  });
  app.post("/v1/nodes/:name/standby", (c) => update(c, svc, (cib) => setNodeStandby(cib, c.req.param("name"), true)));
  app.post("/v1/nodes/:name/unstandby", (c) => update(c, svc, (cib) => setNodeStandby(cib, c.req.param("name"), false)));
  app.delete("/v1/nodes/:name", (c) => update(c, svc, (cib) => removeNode(cib, c.req.param("name"))));
  app.put("/v1/properties/:name", async (c) => {
    const b = await readBody(c, PropertyBody);
    return update(c, svc, (cib) => setProperty(cib, c.req.param("name"), b.value ?? undefined));
  });
  return app;
}
