/** Bearer token authentication with a constant-time comparison. Internal to core/api/. */
import type { MiddlewareHandler } from "hono";
import { ApiProblem } from "./_problem.ts";

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** Compare two secrets in time independent of where they differ (both are hashed first). */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([digest(a), digest(b)]);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

/** Middleware: 401 unless `Authorization: Bearer <token>` matches. The token is never logged or echoed. */
export function bearerAuth(token: string): MiddlewareHandler {
  return async (c, next) => {
    const h = c.req.header("authorization") ?? "";
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(h);
    if (m === null) throw new ApiProblem(401, "UNAUTHORIZED", "Cannot use the API without a token: expected an \"Authorization: Bearer TOKEN\" header");
    if (!(await secretsEqual(m[1]!, token))) throw new ApiProblem(401, "UNAUTHORIZED", "Cannot use the API with this token: it does not match the daemon's token");
    await next();
  };
}
