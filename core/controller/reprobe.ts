/**
 * Re-probing the local node when the controller starts, as Pacemaker's controller does when a
 * node (re)joins: the history recorded for this node may be stale (the daemon restarted, the
 * executor lost its recurring operations), so every resource in it is probed again (a one-shot
 * monitor, expected rc 7) and its history replaced by that probe's result. Recurring monitors
 * of resources found running are then re-created by the next transition. Connection resources
 * are probed too: without an open link they report "not running" and are started (reconnected).
 *
 * @example
 * ```ts
 * const n = await reprobeNode(cib, local, { node: "node1", uuid, write: (e) => cib.apply(e) });
 * ```
 * @module
 */
import type { Cib, CibElement } from "../cib/model.ts";
import { type AgentRef, OcfRc } from "../plugin/types.ts";
import { transitionKey } from "./op_codes.ts";
import { forgetOperations, recordOperation } from "./record.ts";
import { describeResource } from "./resources.ts";
import { childEl, findNodeState, nodeRef } from "./_status_tree.ts";
import type { CibAccess, NodeExecutor, OpRequest } from "./types.ts";

/** Options of {@link reprobeNode}. */
export interface ReprobeOptions {
  readonly node: string;
  readonly uuid: string;
  readonly write: (edit: (cib: Cib) => Cib) => Promise<unknown>;
  /** Probe timeout (default: the resource's monitor timeout, else 20 000 ms). */
  readonly timeoutMs?: number;
  /** The CIB as the scheduler sees it (parameters are recorded from it, see DispatchContext.view). */
  readonly view?: (cib: Cib) => Cib;
}

/**
 * Probe every resource in `node`'s history through `exec` (or the executor `exec` picks for
 * each resource; undefined skips it); returns how many were probed.
 */
export async function reprobeNode(
  cib: CibAccess, exec: NodeExecutor | ((resource: string, agent: AgentRef) => NodeExecutor | undefined), opts: ReprobeOptions,
): Promise<number> {
  const current = cib.get();
  const ns = findNodeState(current, nodeRef(current, opts.node));
  const lrs = childEl(childEl(ns, "lrm"), "lrm_resources");
  const entries = (lrs?.children ?? []).filter((c): c is CibElement => c.tag === "lrm_resource" && "attrs" in c);
  let n = 0;
  await Promise.all(entries.map(async (lr, i) => {
    const id = lr.attrs.id;
    const cls = lr.attrs.class;
    if (id === undefined || cls === undefined || lr.attrs.type === undefined) return;
    const agent = { class: cls, type: lr.attrs.type, ...(lr.attrs.provider !== undefined ? { provider: lr.attrs.provider } : {}) };
    const target = typeof exec === "function" ? exec(id, agent) : exec;
    if (target === undefined) return;
    const info = describeResource(opts.view ? opts.view(current) : current, id);
    const timeoutMs = opts.timeoutMs ?? info?.op("monitor", 0).timeoutMs ?? 20_000;
    const req: OpRequest = {
      resource: id, agent, action: "monitor", intervalMs: 0, timeoutMs, params: info?.params ?? {},
      meta: { name: "monitor", interval: "0", timeout: String(timeoutMs) },
      userdata: transitionKey(0, i, OcfRc.NOT_RUNNING, opts.uuid),
    };
    let result;
    try {
      result = await target.exec(req);
    } catch {
      return;
    }
    const ids = lr.children.filter((c) => c.tag === "lrm_rsc_op" && "attrs" in c).map((c) => (c as CibElement).attrs.id ?? "");
    await opts.write((c) => recordOperation(forgetOperations(c, opts.node, id, ids), {
      node: opts.node, resource: id, agent, result, targetRc: OcfRc.NOT_RUNNING, params: req.params, timeoutMs, origin: "do_update_resource",
    }));
    n++;
  }));
  return n;
}
