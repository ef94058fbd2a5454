/**
 * Request bodies: valibot schemas of every body the endpoint takes, and the one reader that
 * checks them. A failure names the field and what was expected, never the value sent (bodies
 * may hold secrets). Internal to core/api/.
 */
import type { Context } from "hono";
import * as v from "valibot";
import { ApiProblem } from "./_problem.ts";

/** Largest body accepted. */
export const MAX_BODY_BYTES = 1024 * 1024;

const Str = v.pipe(v.string(), v.maxLength(4096));
const StrMap = v.pipe(v.record(v.pipe(v.string(), v.maxLength(255)), Str), v.check((r) => Object.keys(r).length <= 256, "at most 256 entries"));

/** POST /v1/resources. */
export const CreateResourceBody = v.strictObject({
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  agent: v.pipe(v.string(), v.minLength(3), v.maxLength(300)),
  params: v.optional(StrMap),
  meta: v.optional(StrMap),
  ops: v.optional(v.pipe(v.array(v.objectWithRest({ name: v.pipe(v.string(), v.minLength(1), v.maxLength(100)) }, Str)), v.maxLength(64))),
});

/** POST /v1/resources/:id/move. */
export const MoveBody = v.strictObject({ node: v.pipe(v.string(), v.minLength(1), v.maxLength(255)) });

/** POST /v1/resources/:id/cleanup (body optional). */
export const CleanupBody = v.strictObject({ node: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(255))) });

/** POST /v1/constraints/location. */
export const LocationBody = v.strictObject({
  rsc: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  node: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
  kind: v.optional(v.picklist(["prefers", "avoids"])),
  score: v.optional(v.pipe(v.string(), v.maxLength(20))),
});

/** PUT /v1/properties/:name. */
export const PropertyBody = v.strictObject({ value: v.nullable(Str) });

function where(issue: v.BaseIssue<unknown>): string {
  const keys = issue.path?.map((p) => String(p.key)) ?? [];
  return keys.length === 0 ? "body" : `body.${keys.join(".")}`;
}

function describe(issue: v.BaseIssue<unknown>): string {
  // Valibot's own messages quote the received value: build ours from the path and expectation.
  if (issue.type === "strict_object" && issue.expected === "never") return `${where(issue)}: unknown field`;
  if (issue.type === "check") return `${where(issue)}: expected ${issue.message}`;
  return `${where(issue)}: expected ${issue.expected ?? issue.type}`;
}

/**
 * Read and check the JSON body of `c` against `schema`. An absent body is `{}` when `optional`.
 *
 * @throws {ApiProblem} 413 for a body over {@link MAX_BODY_BYTES}, 415 for a non-JSON content
 *   type, 400 `INVALID_REQUEST` for unparsable JSON or a body that does not match
 */
export async function readBody<S extends v.GenericSchema>(c: Context, schema: S, optional = false): Promise<v.InferOutput<S>> {
  const len = Number(c.req.header("content-length") ?? "0");
  if (len > MAX_BODY_BYTES) throw new ApiProblem(413, "BODY_TOO_LARGE", `Cannot read a request body of ${len} bytes: expected at most ${MAX_BODY_BYTES}`);
  const text = await c.req.text();
  if (text.length > MAX_BODY_BYTES) throw new ApiProblem(413, "BODY_TOO_LARGE", `Cannot read a request body of ${text.length} characters: expected at most ${MAX_BODY_BYTES}`);
  let data: unknown = {};
  if (text.trim() === "") {
    if (!optional) throw new ApiProblem(400, "INVALID_REQUEST", "Cannot handle the request without a body: expected a JSON object");
  } else {
    const type = c.req.header("content-type") ?? "application/json";
    if (!/^application\/(.+\+)?json\b/i.test(type)) {
      throw new ApiProblem(415, "UNSUPPORTED_MEDIA_TYPE", "Cannot read the request body: expected content type application/json");
    }
    try {
      data = JSON.parse(text);
    } catch {
      throw new ApiProblem(400, "INVALID_REQUEST", "Cannot parse the request body: expected a JSON object");
    }
  }
  const r = v.safeParse(schema, data);
  if (!r.success) {
    const problems = r.issues.slice(0, 10).map(describe);
    throw new ApiProblem(400, "INVALID_REQUEST", `Cannot use the request body: ${problems.join("; ")}`, { fields: problems });
  }
  return r.output;
}
