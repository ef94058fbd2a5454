/**
 * Carrying out one transition action: pick the executor (local, a remote/guest link, the
 * controller's own connection or launcher resources), build the request, run it, record the
 * result (and failure attributes) in the CIB, remember recurring operations. Internal.
 */
import type { Cib } from "../cib/model.ts";
import type { Logger } from "../plugin/types.ts";
import type { TransitionAction } from "../scheduler/mod.ts";
import { countsAsFailure, recordFailure, setNodeAttribute } from "./node_attrs.ts";
import { didFail, expectedRc, isRealFailure, transitionKey } from "./op_codes.ts";
import { forgetOperations, recordOperation, recurringHistoryIds } from "./record.ts";
import { describeResource, type ResourceInfo } from "./resources.ts";
import type { CibAccess, ControllerClock, NodeExecutor, OpRequest, OpResult } from "./types.ts";

/** A recurring operation the controller started (to record its later results). */
export interface RecurringEntry {
  readonly node: string;
  readonly info: ResourceInfo;
  readonly req: OpRequest;
  readonly targetRc: number;
  readonly onFail?: string;
  /** `rc:status` of the last recorded result. */
  last: string;
}

/** What dispatching needs from the controller. */
export interface DispatchContext {
  readonly cib: CibAccess;
  readonly clock: ControllerClock;
  readonly log?: Logger;
  readonly nodeName: string;
  readonly uuid: string;
  /** The executor that runs `info`'s operations on `node` (undefined: unreachable). */
  route(info: ResourceInfo, node: string): NodeExecutor | undefined;
  readonly recurring: Map<string, RecurringEntry>;
  /** Write to the CIB (marks the change as the controller's own). */
  write(edit: (cib: Cib) => Cib): Promise<void>;
  /**
   * The CIB as the scheduler saw it (its implicit additions, e.g. a remote connection's
   * implicit reconnect_interval): parameters are recorded from it, so the digests the
   * scheduler compares match. Default: the stored CIB.
   */
  readonly view?: (cib: Cib) => Cib;
  /** Fence a node (no fencer: undefined, and fencing actions fail). */
  readonly fence?: (node: string, op: "reboot" | "off" | "on") => Promise<boolean>;
}

/** The key of a recurring operation in {@link DispatchContext.recurring}. */
export function recurringKey(node: string, resource: string, action: string, intervalMs: number): string {
  return `${node}\u0000${resource}\u0000${action}\u0000${intervalMs}`;
}

function agentMeta(info: ResourceInfo, action: string, intervalMs: number, timeoutMs: number): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(info.meta)) meta[k.replace(/-/g, "_")] = v;
  meta.name = action;
  meta.interval = String(intervalMs);
  meta.timeout = String(timeoutMs);
  return meta;
}

/** A failed result for an operation that could not be sent. */
export function unreachable(req: OpRequest, now: number, reason: string): OpResult {
  return {
    resource: req.resource, action: req.action, intervalMs: req.intervalMs, callId: -1, rc: 1, status: "not_connected",
    reason, runAt: now, rcChangedAt: now, execTimeMs: 0, queueTimeMs: 0, userdata: req.userdata,
  };
}

/** Record `result` of `req` on `node` (history, plus failure attributes for real failures). */
export async function recordResult(
  ctx: DispatchContext, node: string, info: ResourceInfo, req: OpRequest, result: OpResult, targetRc: number, onFail?: string,
): Promise<void> {
  const failed = isRealFailure(req.action, req.intervalMs, result.status, result.rc, targetRc);
  const cib = ctx.cib.get();
  const startFatal = !/^(false|no|off|0)$/i.test(clusterOption(cib, "start-failure-is-fatal") ?? "true");
  await ctx.write((c) => {
    let out = recordOperation(c, {
      node, resource: info.historyId, agent: info.agent, result, targetRc, params: info.params, timeoutMs: req.timeoutMs, meta: req.meta,
    });
    if (failed && countsAsFailure(req.action, req.intervalMs)) {
      out = recordFailure(out, node, info.historyId, req.action, req.intervalMs, {
        now: ctx.clock.now(), infinity: req.action === "start" && startFatal, ignore: onFail === "ignore",
      });
    }
    return out;
  });
}

function clusterOption(cib: Cib, name: string): string | undefined {
  for (const c of cib.children) {
    if (c.tag !== "configuration" || !("attrs" in c)) continue;
    for (const s of c.children) {
      if (s.tag !== "crm_config" || !("attrs" in s)) continue;
      for (const set of s.children) {
        if (!("attrs" in set)) continue;
        for (const p of set.children) if (p.tag === "nvpair" && "attrs" in p && p.attrs.name === name) return p.attrs.value;
      }
    }
  }
  return undefined;
}

async function cancelRecurringOf(ctx: DispatchContext, node: string, info: ResourceInfo, exec: NodeExecutor | undefined): Promise<void> {
  for (const [k, e] of [...ctx.recurring]) {
    if (e.node !== node || e.info.historyId !== info.historyId) continue;
    ctx.recurring.delete(k);
    try {
      await exec?.cancel(e.req.resource, e.req.action, e.req.intervalMs);
    } catch {
      // the link may be gone; nothing recurring remains there then
    }
  }
  const ids = recurringHistoryIds(ctx.cib.get(), node, info.historyId);
  if (ids.length > 0) await ctx.write((c) => forgetOperations(c, node, info.historyId, ids));
}

/** Carry out one non-pseudo action of transition `tid`; true when it ended as expected. */
export async function dispatchAction(ctx: DispatchContext, a: TransitionAction, tid: number, all: readonly TransitionAction[] = []): Promise<boolean> {
  if (a.kind === "fence") {
    if (!ctx.fence || a.node === undefined) {
      ctx.log?.warn(`Cannot fence ${a.node ?? "?"}: no fencer is configured`);
      return false;
    }
    return await ctx.fence(a.node, a.fenceOp ?? "reboot");
  }
  if (a.kind === "shutdown") return true;
  if (a.resource === undefined || a.node === undefined) return a.kind === "pseudo";
  const stored = ctx.cib.get();
  const cib = ctx.view ? ctx.view(stored) : stored;
  const info = describeResource(cib, a.resource);
  if (!info) {
    ctx.log?.warn(`Cannot run ${a.key}: resource "${a.resource}" is not configured`);
    return false;
  }
  const node = a.node;
  const exec = ctx.route(info, node);
  if (a.kind === "clear_failcount") {
    await ctx.write((c) => clearFailures(c, node, info.historyId));
    return true;
  }
  if (a.kind === "cancel") {
    await cancelRecurringOf(ctx, node, info, exec);
    return true;
  }
  const action = a.kind === "probe" ? "monitor" : a.kind;
  const intervalMs = a.kind === "probe" ? 0 : a.interval;
  const settings = info.op(action, intervalMs);
  const targetRc = expectedRc(action, intervalMs, settings.promoted);
  const timeoutMs = a.timeout > 0 ? a.timeout : settings.timeoutMs ?? 20_000;
  const meta = agentMeta(info, action, intervalMs, timeoutMs);
  if (action === "migrate_to" || action === "migrate_from") {
    const to = action === "migrate_to" ? a : all.find((x) => x.kind === "migrate_to" && x.resource === a.resource);
    const from = action === "migrate_from" ? a : all.find((x) => x.kind === "migrate_from" && x.resource === a.resource);
    if (to?.node !== undefined) meta.migrate_source = to.node;
    if (from?.node !== undefined) meta.migrate_target = from.node;
  }
  const req: OpRequest = {
    resource: info.historyId, agent: info.agent, action, intervalMs, timeoutMs,
    params: info.params, meta,
    userdata: transitionKey(tid, a.id, targetRc, ctx.uuid),
  };
  if (action === "stop" || action === "migrate_to") await cancelRecurringOf(ctx, node, info, exec);
  const rkey = recurringKey(node, info.historyId, action, intervalMs);
  if (intervalMs > 0 && ctx.recurring.has(rkey)) {
    ctx.recurring.delete(rkey);
    await exec?.cancel(req.resource, action, intervalMs).catch(() => false);
  }
  let result: OpResult;
  if (!exec) result = unreachable(req, ctx.clock.now(), `node "${node}" is not reachable from "${ctx.nodeName}"`);
  else {
    try {
      result = await exec.exec(req);
    } catch (e) {
      result = unreachable(req, ctx.clock.now(), e instanceof Error ? e.message : String(e));
    }
  }
  if (intervalMs > 0 && result.status !== "not_connected") {
    ctx.recurring.set(rkey, {
      node, info, req, targetRc, ...(settings.onFail !== undefined ? { onFail: settings.onFail } : {}), last: `${result.rc}:${result.status}`,
    });
  }
  try {
    await recordResult(ctx, node, info, req, result, targetRc, settings.onFail);
  } catch (e) {
    ctx.log?.error(`Cannot record ${a.key} on ${node}: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
  const ok = !didFail(result.status, result.rc, targetRc) || settings.onFail === "ignore";
  if (!ok) ctx.log?.warn(`${a.key} on ${node}: expected rc ${targetRc}, got rc ${result.rc} (${result.status})${result.reason ? `: ${result.reason}` : ""}`);
  return ok;
}

/** Remove the fail-count and last-failure attributes of `resource` on `node`. */
export function clearFailures(cib: Cib, node: string, resource: string): Cib {
  const names: string[] = [];
  for (const c of cib.children) {
    if (c.tag !== "status" || !("attrs" in c)) continue;
    for (const ns of c.children) {
      if (ns.tag !== "node_state" || !("attrs" in ns) || (ns.attrs.uname !== node && ns.attrs.id !== node)) continue;
      for (const ta of ns.children) {
        if (!("attrs" in ta)) continue;
        for (const set of ta.children) {
          if (!("attrs" in set)) continue;
          for (const p of set.children) {
            const n = "attrs" in p ? p.attrs.name ?? "" : "";
            if (n.startsWith(`fail-count-${resource}#`) || n.startsWith(`last-failure-${resource}#`)) names.push(n);
          }
        }
      }
    }
  }
  let out = cib;
  for (const n of names) out = setNodeAttribute(out, node, n, undefined);
  return out;
}
