/**
 * The OpenAPI 3.1 document of the control endpoint (served at `GET /v1/openapi.json`).
 * Kept by hand beside the routes in `app.ts`; the API test checks that every route is in it.
 */

const problem = { $ref: "#/components/responses/Problem" };
const update = {
  "200": { description: "Updated", content: { "application/json": { schema: { $ref: "#/components/schemas/Update" } } } },
  "4XX": problem,
};
const json = (ref: string) => ({ required: true, content: { "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } } });
const idParam = [{ name: "id", in: "path", required: true, schema: { type: "string" } }];
const nameParam = [{ name: "name", in: "path", required: true, schema: { type: "string" } }];
const str = { type: "string" };
const strMap = { type: "object", additionalProperties: str };

/** The document. */
export const OPENAPI = {
  openapi: "3.1.0",
  info: { title: "Atrium control API", version: "1" },
  security: [{ bearer: [] }],
  paths: {
    "/v1/status": { get: { summary: "Cluster status", responses: { "200": { description: "The status model", content: { "application/json": { schema: { $ref: "#/components/schemas/Status" } } } } } } },
    "/v1/cib": {
      get: {
        summary: "The CIB",
        parameters: [{ name: "format", in: "query", schema: { enum: ["xml", "json"] } }],
        responses: { "200": { description: "The CIB (ETag: its version)", content: { "application/xml": {}, "application/json": {} } } },
      },
    },
    "/v1/resources": { post: { summary: "Create a primitive", requestBody: json("CreateResource"), responses: { "201": update["200"], "4XX": problem } } },
    "/v1/resources/{id}": { delete: { summary: "Delete a resource and its constraints", parameters: idParam, responses: update } },
    "/v1/resources/{id}/enable": { post: { summary: "target-role=Started", parameters: idParam, responses: update } },
    "/v1/resources/{id}/disable": { post: { summary: "target-role=Stopped", parameters: idParam, responses: update } },
    "/v1/resources/{id}/move": { post: { summary: "cli-prefer constraint to a node", parameters: idParam, requestBody: json("Move"), responses: update } },
    "/v1/resources/{id}/clear": { post: { summary: "Remove cli-prefer/cli-ban constraints", parameters: idParam, responses: update } },
    "/v1/resources/{id}/cleanup": { post: { summary: "Forget history and failures", parameters: idParam, requestBody: { ...json("Cleanup"), required: false }, responses: update } },
    "/v1/constraints/location": { post: { summary: "Location constraint", requestBody: json("Location"), responses: { "201": update["200"], "4XX": problem } } },
    "/v1/nodes/{name}/standby": { post: { summary: "Put a node in standby", parameters: nameParam, responses: update } },
    "/v1/nodes/{name}/unstandby": { post: { summary: "Take a node out of standby", parameters: nameParam, responses: update } },
    "/v1/nodes/{name}": { delete: { summary: "Remove a node (entry and status)", parameters: nameParam, responses: update } },
    "/v1/properties/{name}": { put: { summary: "Set a cluster property (null removes it)", parameters: nameParam, requestBody: json("Property"), responses: update } },
    "/v1/fence": { post: { summary: "Fence a cluster or remote node now (503 without a fencer)", requestBody: json("Fence"), responses: { "200": { description: "The fencer's outcome (ok false when it failed)", content: { "application/json": { schema: { $ref: "#/components/schemas/FenceOutcome" } } } }, "4XX": problem, "503": problem } } },
    "/v1/fence/history": {
      get: {
        summary: "The fencing history, oldest first",
        parameters: [{ name: "target", in: "query", schema: str }],
        responses: { "200": { description: "{entries}", content: { "application/json": { schema: { type: "object", required: ["entries"], properties: { entries: { type: "array", items: { $ref: "#/components/schemas/FenceOutcome" } } } } } } }, "503": problem },
      },
    },
    "/v1/openapi.json": { get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } } },
  },
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    responses: {
      Problem: { description: "RFC 9457 problem with an Atrium error code", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } },
    },
    schemas: {
      Problem: { type: "object", required: ["type", "title", "status", "code", "detail"], properties: { type: str, title: str, status: { type: "integer" }, code: str, detail: str } },
      Update: { type: "object", required: ["version", "change", "warnings"], properties: { version: str, change: { enum: ["configuration", "status", "none"] }, warnings: { type: "array", items: str } } },
      CreateResource: {
        type: "object",
        required: ["id", "agent"],
        additionalProperties: false,
        properties: { id: str, agent: str, params: strMap, meta: strMap, ops: { type: "array", items: { type: "object", required: ["name"], properties: { name: str }, additionalProperties: str } } },
      },
      Move: { type: "object", required: ["node"], additionalProperties: false, properties: { node: str } },
      Cleanup: { type: "object", additionalProperties: false, properties: { node: str } },
      Location: { type: "object", required: ["rsc", "node"], additionalProperties: false, properties: { rsc: str, node: str, kind: { enum: ["prefers", "avoids"] }, score: str } },
      Fence: { type: "object", required: ["target"], additionalProperties: false, properties: { target: str, action: { enum: ["reboot", "off"] }, reason: str } },
      FenceOutcome: {
        type: "object",
        required: ["id", "target", "action", "state", "devices"],
        properties: { id: str, ok: { type: "boolean" }, target: str, action: str, origin: str, client: str, delegate: str, state: { enum: ["pending", "success", "failed"] }, devices: { type: "array", items: str }, error: str, startedAt: str, endedAt: str },
      },
      Property: { type: "object", required: ["value"], additionalProperties: false, properties: { value: { type: ["string", "null"] } } },
      Status: {
        type: "object",
        required: ["nodes", "resources", "failed_actions"],
        properties: {
          nodes: { type: "array", items: { type: "object", required: ["name", "kind", "online", "standby"], properties: { name: str, kind: { enum: ["cluster", "remote", "guest"] }, online: { type: "boolean" }, standby: { type: "boolean" }, host: str } } },
          resources: { type: "array", items: { type: "object", required: ["id", "agent", "role", "active_on"], properties: { id: str, agent: str, role: { enum: ["Started", "Stopped", "Promoted", "Unpromoted"] }, active_on: { type: "array", items: str } } } },
          failed_actions: { type: "array", items: { type: "object", required: ["resource", "node", "action", "interval", "rc", "status", "reason", "time"] } },
          fencing: { type: "array", items: { type: "object", required: ["id", "target", "action", "state", "origin", "client", "delegate", "devices", "started"], properties: { target: str, action: str, state: { enum: ["pending", "success", "failed"] }, completed: str, error: str } } },
        },
      },
    },
  },
} as const;
