/**
 * The one place errors become HTTP responses: `application/problem+json` (RFC 9457) with the
 * AtriumError code. Internal to core/api/.
 */
import type { Context } from "hono";
import { AtriumError } from "../errors.ts";

/** An error raised by the endpoint itself (auth, body, routing), with its HTTP status. */
export class ApiProblem extends Error {
  override readonly name = "ApiProblem";
  readonly status: number;
  readonly code: string;
  readonly extra: Readonly<Record<string, unknown>>;
  constructor(status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  CIB_NOT_FOUND: 404,
  CIB_ID_IN_USE: 409,
  CIB_VERSION_CONFLICT: 409,
  NODE_IN_USE: 409,
  CIB_INVALID: 422,
  CIB_SERVICE_CLOSED: 503,
  CIB_STORE_CLOSED: 503,
};

const TITLES: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** The problem document of an error. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly [extra: string]: unknown;
}

/** Map any thrown value to a problem document (unexpected errors reveal nothing inside). */
export function toProblem(e: unknown): Problem {
  let status = 500;
  let code = "INTERNAL";
  let detail = "The request failed unexpectedly; see the daemon's log";
  let extra: Record<string, unknown> = {};
  if (e instanceof ApiProblem) {
    status = e.status;
    code = e.code;
    detail = e.message;
    extra = { ...e.extra };
  } else if (e instanceof AtriumError) {
    status = STATUS_BY_CODE[e.code] ?? 422;
    code = e.code;
    detail = e.message;
    if (Array.isArray(e.details?.findings)) extra = { findings: e.details.findings };
    else if (e.details !== undefined) extra = { details: e.details };
  } else if (e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError) {
    status = 400;
    code = "INVALID_REQUEST";
    detail = e.message;
  }
  return { type: `urn:atrium:problem:${code.toLowerCase().replaceAll("_", "-")}`, title: TITLES[status] ?? "Error", status, code, detail, ...extra };
}

/** The response for an error. */
export function problemResponse(c: Context, e: unknown): Response {
  const p = toProblem(e);
  const headers: Record<string, string> = { "content-type": "application/problem+json" };
  if (p.status === 401) headers["www-authenticate"] = 'Bearer realm="atrium"';
  return c.body(JSON.stringify(p), p.status as 400, headers);
}
