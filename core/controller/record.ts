/**
 * Recording operation results into the CIB status exactly as Pacemaker 2.1.5's controller does
 * (`pcmk__create_history_xml`): `node_state/lrm/lrm_resources/lrm_resource/lrm_rsc_op` with the
 * ids `RSC_last_0`, `RSC_last_failure_0` (a failed one-shot also updates `RSC_last_0`) and
 * `RSC_monitor_INTERVAL`, the transition key and magic, timings in seconds and the op digest.
 * Pure edits: each takes a CIB and returns a new one.
 *
 * @example
 * ```ts
 * await cib.apply((c) => recordOperation(c, { node: "node1", resource: "d", agent, result, targetRc: 0, params: {}, timeoutMs: 20000 }));
 * ```
 * @module
 */
import type { Cib, CibElement } from "../cib/model.ts";
import type { AgentRef } from "../plugin/types.ts";
import { didFail, opKey, OP_STATUS, transitionKey, transitionMagic } from "./op_codes.ts";
import { opDigest } from "../cib/op_digest.ts";
import { childEl, elem, type NodeRef, nodeRef, putChild, updateNodeState } from "./_status_tree.ts";
import type { OpResult } from "./types.ts";

/** The feature set Pacemaker 2.1.5 writes (`CRM_FEATURE_SET`). */
export const FEATURE_SET = "3.16.1";
/** The transition uuid used for results outside any transition (Pacemaker's FAKE_TE_ID). */
export const FAKE_TE_ID = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

/** What to record. */
export interface RecordInput {
  /** The node the operation ran on. */
  readonly node: string;
  /** The history id (`lrm_resource` id): the resource id, `rsc:N` for unique clone instances. */
  readonly resource: string;
  readonly agent: AgentRef;
  readonly result: OpResult;
  readonly targetRc: number;
  /** Instance attributes the operation ran with (for the digest). */
  readonly params: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Meta attributes of the operation (migrate_source/migrate_target for migrations). */
  readonly meta?: Readonly<Record<string, string>>;
  /** `crm-debug-origin` (default `do_update_resource`). */
  readonly origin?: string;
}

function seconds(ms: number): string {
  return String(Math.max(0, Math.floor(ms / 1000)));
}

/** The `lrm_rsc_op` ids a result is written under (first is the main one). */
export function historyIds(resource: string, action: string, intervalMs: number, failed: boolean): string[] {
  if (action === "migrate_to" || action === "migrate_from") return [opKey(resource, action, intervalMs)];
  if (failed) return intervalMs === 0 ? [`${resource}_last_failure_0`, `${resource}_last_0`] : [`${resource}_last_failure_0`];
  if (intervalMs > 0) return [opKey(resource, action, intervalMs)];
  return [`${resource}_last_0`];
}

function opElement(id: string, task: string, inp: RecordInput, failed: boolean): CibElement {
  const r = inp.result;
  const key = r.userdata && r.userdata.split(":").length >= 4 ? r.userdata : transitionKey(-1, r.callId, inp.targetRc, FAKE_TE_ID);
  const attrs: Record<string, string> = {
    id,
    operation_key: opKey(inp.resource, task, r.intervalMs),
    operation: task,
    "crm-debug-origin": inp.origin ?? "do_update_resource",
    crm_feature_set: FEATURE_SET,
    "transition-key": key,
    "transition-magic": transitionMagic(r.status, r.rc, key),
    "exit-reason": failed ? (r.reason ?? "") : "",
    on_node: inp.node,
    "call-id": String(r.callId),
    "rc-code": String(r.rc),
    "op-status": String(OP_STATUS[r.status]),
    interval: String(r.intervalMs),
  };
  if (r.runAt || r.rcChangedAt || r.execTimeMs || r.queueTimeMs) {
    attrs["last-rc-change"] = seconds(r.intervalMs !== 0 && r.rcChangedAt ? r.rcChangedAt : r.runAt);
    attrs["exec-time"] = String(Math.max(0, Math.round(r.execTimeMs)));
    attrs["queue-time"] = String(Math.max(0, Math.round(r.queueTimeMs)));
  }
  if (r.action === "migrate_to" || r.action === "migrate_from") {
    const src = inp.meta?.migrate_source, tgt = inp.meta?.migrate_target;
    if (src !== undefined) attrs.migrate_source = src;
    if (tgt !== undefined) attrs.migrate_target = tgt;
  }
  attrs["op-digest"] = opDigest(inp.params, r.intervalMs, inp.timeoutMs);
  return elem("lrm_rsc_op", attrs);
}

function withLrmResource(ns: CibElement, ref: NodeRef, resource: string, agent: AgentRef, fn: (lr: CibElement) => CibElement | undefined): CibElement {
  const lrm = childEl(ns, "lrm") ?? elem("lrm", { id: ref.id });
  const lrs = childEl(lrm, "lrm_resources") ?? elem("lrm_resources", {});
  const old = childEl(lrs, "lrm_resource", resource);
  const base = old ?? elem("lrm_resource", {
    id: resource, type: agent.type, class: agent.class, ...(agent.provider !== undefined ? { provider: agent.provider } : {}),
  });
  const next = fn(base);
  if (next === old) return ns;
  const newLrs = putChild(lrs, "lrm_resource", resource, next);
  return putChild(ns, "lrm", undefined, putChild(lrm, "lrm_resources", undefined, newLrs));
}

/**
 * Record one operation result. Notify results are not recorded (Pacemaker ignores their
 * outcome); a reload is recorded as a start (success) or a monitor (failure), as Pacemaker does.
 */
export function recordOperation(cib: Cib, inp: RecordInput): Cib {
  const r = inp.result;
  if (r.action === "notify" || r.status === "cancelled") return cib;
  let task = r.action;
  if (task === "reload" || task === "reload-agent") task = r.status === "done" ? "start" : "monitor";
  const failed = didFail(r.status, r.rc, inp.targetRc);
  const ids = historyIds(inp.resource, task, r.intervalMs, failed);
  const ref = nodeRef(cib, inp.node);
  return updateNodeState(cib, ref, inp.origin ?? "do_update_resource", (ns) =>
    withLrmResource(ns, ref, inp.resource, inp.agent, (lr) => {
      let out = lr;
      for (const id of ids) out = putChild(out, "lrm_rsc_op", id, opElement(id, task, inp, failed));
      return out;
    }));
}

/** Remove the history entries `ids` of `resource` on `node` (e.g. a cancelled recurring monitor). */
export function forgetOperations(cib: Cib, node: string, resource: string, ids: readonly string[]): Cib {
  const ref = nodeRef(cib, node);
  let changed = false;
  const next = updateNodeState(cib, ref, "do_update_resource", (ns) => {
    const lrs = childEl(childEl(ns, "lrm"), "lrm_resources");
    if (!childEl(lrs, "lrm_resource", resource)) return ns;
    return withLrmResource(ns, ref, resource, { class: "", type: "" }, (lr) => {
      let out = lr;
      for (const id of ids) {
        if (childEl(out, "lrm_rsc_op", id)) { out = putChild(out, "lrm_rsc_op", id, undefined); changed = true; }
      }
      return out;
    });
  });
  return changed ? next : cib;
}

/** The ids of the recorded recurring operations of `resource` on `node`. */
export function recurringHistoryIds(cib: Cib, node: string, resource: string): string[] {
  const ref = nodeRef(cib, node);
  const status = childEl(cib, "status");
  const ns = status?.children.find((c) => c.tag === "node_state" && "attrs" in c && (c.attrs.id === ref.id || c.attrs.uname === node));
  const lr = childEl(childEl(childEl(ns as CibElement | undefined, "lrm"), "lrm_resources"), "lrm_resource", resource);
  const out: string[] = [];
  for (const c of lr?.children ?? []) {
    if (c.tag !== "lrm_rsc_op" || !("attrs" in c)) continue;
    const iv = Number(c.attrs.interval ?? "0");
    const id = c.attrs.id ?? "";
    if (iv > 0 && id !== `${resource}_last_failure_0`) out.push(id);
  }
  return out;
}
