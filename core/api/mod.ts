/**
 * The HTTP control endpoint (hono, runtime-neutral). Routes, all under bearer-token auth:
 *
 * - `GET /v1/status` — the status model (`atrium status --json`)
 * - `GET /v1/cib[?format=xml|json]` — the CIB (ETag: its version)
 * - `POST /v1/resources` `{id, agent, params?, meta?, ops?}`; `DELETE /v1/resources/:id`
 * - `POST /v1/resources/:id/{enable,disable,clear}`; `.../move` `{node}`; `.../cleanup` `{node?}`
 * - `POST /v1/constraints/location` `{rsc, node, kind?: "prefers"|"avoids", score?}`
 * - `POST /v1/nodes/:name/{standby,unstandby}`; `DELETE /v1/nodes/:name`
 * - `PUT /v1/properties/:name` `{value}` (null or "" removes it)
 * - `POST /v1/fence` `{target, action?, reason?}`; `GET /v1/fence/history[?target=]` (fence_routes.ts)
 * - `GET /v1/openapi.json` — the OpenAPI 3.1 document ({@link OPENAPI})
 *
 * Updates answer `{version, change, warnings}`; `If-Match: "A.E.N"` makes them conditional
 * (409 `CIB_VERSION_CONFLICT` when stale). Errors are `application/problem+json` with `code`.
 *
 * @example
 * ```ts
 * const app = createApi({ service, token });
 * const res = await app.request("/v1/status", { headers: { authorization: `Bearer ${token}` } });
 * ```
 */
export { createApi } from "./app.ts";
export { OPENAPI } from "./openapi.ts";
export { type FenceApi, FenceBody, registerFenceRoutes } from "./fence_routes.ts";
export type { ApiOptions, UpdateResponse } from "./app.ts";
export { ApiProblem, toProblem } from "./_problem.ts";
export type { Problem } from "./_problem.ts";
export { secretsEqual } from "./_auth.ts";
export { MAX_BODY_BYTES } from "./_body.ts";
