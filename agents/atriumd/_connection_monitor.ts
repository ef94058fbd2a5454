/**
 * Remote connections are always watched: the scheduler is given a view of the CIB in which an
 * `ocf:pacemaker:remote` primitive without a recurring monitor has one (interval and timeout
 * {@link IMPLICIT_CONNECTION_MONITOR}, the agent's advertised default), so a lost remote node is
 * noticed even when nobody configured a monitor on its connection. The stored CIB is never
 * changed; the operation appears in the status section as `ID_monitor_30000`.
 *
 * Failed remote connections are always retried ({@link withConnectionRetry}): a connection with
 * neither `failure-timeout` nor `reconnect_interval` (nor a `failure-timeout` in rsc_defaults)
 * gets the meta attribute `failure-timeout` = IMPLICIT_CONNECTION_RETRY (5 s), so a remote node
 * whose daemon comes back rejoins by itself (the controller's recheck timer honours it).
 *
 * @example
 * ```ts
 * const scheduler = (cib, now) => schedule(withConnectionMonitors(cib), { now });
 * ```
 */
import { type Cib, type CibElement, type CibNode, isElement } from "../../core/cib/model.ts";
import { rscDefaults } from "../../core/cib/query.ts";
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
  if (hasNv(el, "meta_attributes", "failure-timeout") || hasNv(el, "instance_attributes", "reconnect_interval")) return el;
  const id = el.attrs.id ?? "remote";
  const nv: CibElement = {
    tag: "nvpair",
    attrs: { id: `${id}-meta-implicit-failure-timeout`, name: "failure-timeout", value: IMPLICIT_CONNECTION_RETRY },
    children: [],
  };
  return { ...el, children: [...el.children, { tag: "meta_attributes", attrs: { id: `${id}-meta-implicit` }, children: [nv] }] };
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
  if (rscDefaults(cib).get("failure-timeout") !== undefined) return cib;
  return visit(cib, withRetry) as Cib;
}
