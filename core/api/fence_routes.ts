/**
 * The fencing routes of the endpoint (registered by `createApi` when it has a fencer):
 *
 * - `POST /v1/fence` `{target, action?: "reboot"|"off", reason?}` — fence a cluster or remote
 *   node now (no action: the cluster's `stonith-action`); answers the fencer's outcome
 *   (`{ok, state, target, action, devices, error?, ...}`), 200 whether or not it succeeded.
 * - `GET /v1/fence/history[?target=NODE]` — `{entries: [...]}`, the fencing history, oldest first.
 *
 * Without a fencer (atriumd `--no-controller`) both answer 503 `FENCER_UNAVAILABLE`.
 */
import type { Hono } from "hono";
import * as v from "valibot";
import type { FenceHistoryEntry, FenceOutcome, FencingLimit, HistoryFilter } from "../fencer/mod.ts";
import { readBody } from "./_body.ts";
import { ApiProblem } from "./_problem.ts";

/** What the fencing routes need (core/controller's `ControllerFencing` fits). */
export interface FenceApi {
  request(req: { target: string; action?: "reboot" | "off"; reason?: string; client?: string }): Promise<FenceOutcome>;
  history(filter?: HistoryFilter): FenceHistoryEntry[];
  /** Targets whose failed fencing counts toward `stonith-max-attempts` (status: `fencing_limits`). */
  limits?(): FencingLimit[];
}

const NodeName = v.pipe(v.string(), v.minLength(1), v.maxLength(255), v.regex(/^[^\0\r\n]+$/, "a node name"));

/** POST /v1/fence. */
export const FenceBody = v.strictObject({
  target: NodeName,
  action: v.optional(v.picklist(["reboot", "off"])),
  reason: v.optional(v.pipe(v.string(), v.maxLength(1024))),
});

function need(fencing: FenceApi | undefined): FenceApi {
  if (fencing === undefined) throw new ApiProblem(503, "FENCER_UNAVAILABLE", "Cannot fence or read the fencing history: this daemon runs no fencer (started with --no-controller?)");
  return fencing;
}

/** Register the fencing routes on `app`; `fencing()` is asked on every request. */
export function registerFenceRoutes(app: Hono, fencing: () => FenceApi | undefined): void {
  app.post("/v1/fence", async (c) => {
    const f = need(fencing());
    const b = await readBody(c, FenceBody);
    const outcome = await f.request({
      target: b.target,
      client: "atrium-api",
      ...(b.action !== undefined ? { action: b.action } : {}),
      ...(b.reason !== undefined ? { reason: b.reason } : {}),
    });
    return c.json(outcome, 200);
  });
  app.get("/v1/fence/history", (c) => {
    const f = need(fencing());
    const target = c.req.query("target");
    if (target !== undefined && (target === "" || target.length > 255)) {
      throw new ApiProblem(400, "INVALID_REQUEST", "Cannot use the target query parameter: expected a node name");
    }
    return c.json({ entries: f.history(target !== undefined ? { target } : {}) }, 200);
  });
}
