/**
 * Remote connections are always watched: the scheduler is given a view of the CIB in which an
 * `ocf:pacemaker:remote` primitive without a recurring monitor has one (interval and timeout
 * {@link IMPLICIT_CONNECTION_MONITOR}, the agent's advertised default), so a lost remote node is
 * noticed even when nobody configured a monitor on its connection. The stored CIB is never
 * changed; the operation appears in the status section as `ID_monitor_30000`.
 *
 * Failed remote connections are always retried ({@link withConnectionRetry}): a connection
 * without `reconnect_interval` gets the instance attribute `reconnect_interval` =
 * IMPLICIT_CONNECTION_RETRY (5 s). So a failed connection is not restarted in the transition that
 * recovers from the failure (Pacemaker 2.1.5 without reconnect_interval restarts it there, and
 * its node's resources wait for that start to time out before they move: ~18 s in the failover
 * bench); its node is fenced and its resources move at once; and the node rejoins by itself as
 * soon as its daemon answers (the controller's reconnect watch) or the interval has passed.
 *
 * @example
 * ```ts
 * const scheduler = (cib, now) => schedule(withConnectionMonitors(cib), { now });
 * ```
 */
import { type Cib, type CibElement, type CibNode, isElement } from "../../core/cib/model.ts";
import { IMPLICIT_CONNECTION_RETRY } from "../../core/controller/mod.ts";

/** The implicit monitor of a remote connection (ocf:pacemaker:remote's meta-data default). */
export const IMPLICIT_CONNECTION_MONITOR = "30s";

function isRemoteConnection(el: CibElement): boolean {
  return el.tag === "primitive" && el.attrs.class === "ocf" && el.attrs.provider === "pacemaker" &&
    el.attrs.type === "remote";
}

function hasRecurringMonitor(el: CibElement): boolean {
  const ops = el.children.find((c): c is CibElement => isElement(c, "operations"));
  return (ops?.children ?? []).some((o) =>
    isElement(o, "op") && o.attrs.name === "monitor" && o.attrs.interval !== undefined &&
    !/^0+[a-z]*$/i.test(o.attrs.interval.trim()) &&
    !/^(false|no|off|0)$/i.test(o.attrs.enabled ?? "true")
  );
}

function withMonitor(el: CibElement): CibElement {
  const id = el.attrs.id ?? "remote";
  const op: CibElement = {
    tag: "op",
    attrs: {
      id: `${id}-monitor-interval-${IMPLICIT_CONNECTION_MONITOR}`,
      name: "monitor",
      interval: IMPLICIT_CONNECTION_MONITOR,
      timeout: IMPLICIT_CONNECTION_MONITOR,
    },
    children: [],
  };
  const i = el.children.findIndex((c) => isElement(c, "operations"));
  if (i < 0) return { ...el, children: [...el.children, { tag: "operations", attrs: {}, children: [op] }] };
  const ops = el.children[i] as CibElement;
  const children = [...el.children];
  children[i] = { ...ops, children: [...ops.children, op] };
  return { ...el, children };
}

function hasNv(el: CibElement, set: string, name: string): boolean {
  return el.children.some((s) =>
    isElement(s, set) && s.children.some((nv) => isElement(nv, "nvpair") && nv.attrs.name === name)
  );
}

function withRetry(el: CibElement): CibElement {
  if (hasNv(el, "instance_attributes", "reconnect_interval")) return el;
  const id = el.attrs.id ?? "remote";
  const nv: CibElement = {
    tag: "nvpair",
    attrs: { id: `${id}-instance-implicit-reconnect-interval`, name: "reconnect_interval", value: IMPLICIT_CONNECTION_RETRY },
    children: [],
  };
  return { ...el, children: [...el.children, { tag: "instance_attributes", attrs: { id: `${id}-instance-implicit` }, children: [nv] }] };
}

function visit(node: CibNode, edit: (el: CibElement) => CibElement): CibNode {
  if (!isElement(node)) return node;
  if (node.tag === "status") return node;
  if (isRemoteConnection(node)) return edit(node);
  if (node.tag === "primitive") return node;
  let changed = false;
  const children = node.children.map((c) => {
    const n = visit(c, edit);
    if (n !== c) changed = true;
    return n;
  });
  return changed ? { ...node, children } : node;
}

/** `cib` as the scheduler should see it (the same object when nothing is missing). */
export function withConnectionMonitors(cib: Cib): Cib {
  return visit(cib, (el) => hasRecurringMonitor(el) ? el : withMonitor(el)) as Cib;
}

/** `cib` with the implicit retry of failed remote connections (see the module documentation). */
export function withConnectionRetry(cib: Cib): Cib {
  return visit(cib, withRetry) as Cib;
}
