/**
 * The controller's notifications: {@link ClusterEvent}s derived from what changes in the CIB
 * status, the way Pacemaker 2.1.5's controller raises alerts: a node joining or leaving
 * (`member`/`lost`), every recorded resource operation result (except probes that found what
 * was expected, which Pacemaker never alerts), and transient node attribute changes. Fencing
 * events come from the fencer itself. Listeners are called synchronously and must not block
 * (`Registry.notifyAll` queues and returns at once); a throwing listener is ignored.
 *
 * @example
 * ```ts
 * const off = watchClusterEvents(cib, (e) => registry.notifyAll(e));
 * ```
 * @module
 */
import type { Cib, CibElement } from "../cib/model.ts";
import type { ClusterEvent } from "../plugin/types.ts";

/** Where events go. */
export type ClusterEventSink = (event: ClusterEvent) => void;

/** Options of {@link statusEvents} and {@link watchClusterEvents}. */
export interface StatusEventOptions {
  /** Sequence numbers (default: a counter of the watcher). */
  readonly nextSequence?: () => number;
  /** Epoch ms (default Date.now). */
  readonly now?: () => number;
}

interface NodeView {
  readonly id: string;
  readonly up: boolean;
  readonly attrs: ReadonlyMap<string, string>;
  readonly ops: ReadonlyMap<string, CibElement>;
}

/** A shared sequence counter (events of the fencer and of the CIB numbered together). */
export function eventSequence(start = 0): () => number {
  let n = start;
  return () => ++n;
}

function elements(el: CibElement | undefined, tag: string): CibElement[] {
  return (el?.children ?? []).filter((c): c is CibElement => c.tag === tag && "attrs" in c);
}

function nodeUp(ns: CibElement): boolean {
  const a = ns.attrs;
  const inCcm = a.in_ccm !== undefined && a.in_ccm !== "false" && a.in_ccm !== "0";
  if (a.remote_node === "true") return inCcm;
  return inCcm && a.crmd === "online";
}

function nodeViews(cib: Cib): Map<string, NodeView> {
  const out = new Map<string, NodeView>();
  for (const status of elements(cib, "status")) {
    for (const ns of elements(status, "node_state")) {
      const name = ns.attrs.uname ?? ns.attrs.id;
      if (name === undefined) continue;
      const attrs = new Map<string, string>();
      for (const ta of elements(ns, "transient_attributes")) {
        for (const set of elements(ta, "instance_attributes")) {
          for (const p of elements(set, "nvpair")) if (p.attrs.name !== undefined) attrs.set(p.attrs.name, p.attrs.value ?? "");
        }
      }
      const ops = new Map<string, CibElement>();
      for (const lrm of elements(ns, "lrm")) {
        for (const lrs of elements(lrm, "lrm_resources")) {
          for (const lr of elements(lrs, "lrm_resource")) {
            for (const op of elements(lr, "lrm_rsc_op")) ops.set(`${lr.attrs.id ?? ""}\u0000${op.attrs.id ?? ""}`, op);
          }
        }
      }
      out.set(name, { id: ns.attrs.id ?? name, up: nodeUp(ns), attrs, ops });
    }
  }
  return out;
}

function sameResult(a: CibElement, b: CibElement): boolean {
  for (const k of ["call-id", "rc-code", "op-status", "transition-magic", "last-rc-change"]) if (a.attrs[k] !== b.attrs[k]) return false;
  return true;
}

function targetRcOf(op: CibElement): number {
  const key = op.attrs["transition-key"] ?? "";
  const parts = key.split(":");
  const n = parts.length >= 4 ? Number(parts[2]) : NaN;
  return Number.isInteger(n) ? n : 0;
}

function resourceEvent(node: string, rsc: string, op: CibElement, base: { sequence: number; timestamp: string }): ClusterEvent | undefined {
  const a = op.attrs;
  const status = Number(a["op-status"] ?? "0");
  if (status === -1) return undefined;
  const rc = Number(a["rc-code"] ?? "0");
  const interval = Number(a.interval ?? "0");
  const task = a.operation ?? "";
  const targetRc = targetRcOf(op);
  if (task === "monitor" && interval === 0 && rc === targetRc) return undefined;
  const exec = Number(a["exec-time"] ?? "0");
  return {
    kind: "resource",
    ...base,
    node,
    resource: rsc,
    task,
    interval: Number.isFinite(interval) ? interval : 0,
    rc: Number.isFinite(rc) ? rc : 1,
    status: String(Number.isFinite(status) ? status : 4),
    targetRc,
    ...(Number.isFinite(exec) ? { execTimeMs: exec } : {}),
  };
}

/**
 * The events between two CIBs: node up/down first, then resource results (in status order),
 * then attribute changes. Pure apart from the sequence counter.
 */
export function statusEvents(before: Cib, after: Cib, options: StatusEventOptions = {}): ClusterEvent[] {
  const next = options.nextSequence ?? eventSequence();
  const timestamp = new Date((options.now ?? Date.now)()).toISOString();
  const base = (): { sequence: number; timestamp: string } => ({ sequence: next(), timestamp });
  const old = nodeViews(before);
  const now = nodeViews(after);
  const out: ClusterEvent[] = [];
  for (const [name, v] of now) {
    const was = old.get(name)?.up ?? false;
    if (v.up !== was) out.push({ kind: "node", ...base(), node: name, nodeId: v.id, desc: v.up ? "member" : "lost" });
  }
  for (const [name, v] of old) {
    if (v.up && !now.has(name)) out.push({ kind: "node", ...base(), node: name, nodeId: v.id, desc: "lost" });
  }
  for (const [name, v] of now) {
    const prev = old.get(name)?.ops;
    const seen = new Set<string>();
    for (const [key, op] of v.ops) {
      const p = prev?.get(key);
      if (p !== undefined && (p === op || sameResult(p, op))) continue;
      const rsc = key.slice(0, key.indexOf("\u0000"));
      // A failed one-shot is written twice (last_0 and last_failure_0): one event.
      const once = `${rsc}\u0000${op.attrs.operation ?? ""}\u0000${op.attrs.interval ?? ""}\u0000${op.attrs["call-id"] ?? ""}\u0000${op.attrs["transition-magic"] ?? ""}`;
      if (seen.has(once)) continue;
      seen.add(once);
      const e = resourceEvent(name, rsc, op, { sequence: 0, timestamp });
      if (e) out.push({ ...e, sequence: next() });
    }
  }
  for (const [name, v] of now) {
    const prev = old.get(name)?.attrs ?? new Map<string, string>();
    for (const [k, val] of v.attrs) {
      if (prev.get(k) !== val) out.push({ kind: "attribute", ...base(), node: name, nodeId: v.id, attribute: { name: k, value: val } });
    }
    for (const k of prev.keys()) {
      if (!v.attrs.has(k)) out.push({ kind: "attribute", ...base(), node: name, nodeId: v.id, attribute: { name: k } });
    }
  }
  return out;
}

/**
 * Follow the CIB and hand each status change's events to `sink` (see the module
 * documentation). Returns the unsubscribe function.
 */
export function watchClusterEvents(cib: { get(): Cib; onChange(cb: () => void): () => void }, sink: ClusterEventSink, options: StatusEventOptions = {}): () => void {
  const opts = { ...options, nextSequence: options.nextSequence ?? eventSequence() };
  let last = cib.get();
  return cib.onChange(() => {
    const current = cib.get();
    if (current === last) return;
    let events: ClusterEvent[] = [];
    try {
      events = statusEvents(last, current, opts);
    } catch {
      events = [];
    }
    last = current;
    for (const e of events) {
      try {
        sink(e);
      } catch {
        // a notifier never affects the controller
      }
    }
  });
}
