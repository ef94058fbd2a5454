/**
 * What the controller needs to know about a resource named in a transition: its agent, instance
 * and meta attributes, operation settings, the id its history is kept under, and whether the
 * controller handles it itself (remote connections, implicit guest connections, `launcher`
 * containers) or hands it to a node's executor.
 *
 * @example
 * ```ts
 * const info = describeResource(cib, "web");
 * if (info?.kind === "agent") executor.exec({ resource: info.historyId, agent: info.agent, ... });
 * ```
 * @module
 */
import { findById, nvValues, ops, rscDefaults, walkResources } from "../cib/query.ts";
import type { Cib, CibElement, Primitive } from "../cib/model.ts";
import type { AgentRef } from "../plugin/types.ts";
import { durationMs } from "./_duration.ts";

/** Who carries out the resource's operations. */
export type ResourceKind = "agent" | "remote-connection" | "guest-connection" | "launcher";

/** A remote or guest node's connection settings. */
export interface ConnectionSettings {
  /** The remote/guest node name. */
  readonly node: string;
  /** Explicit address (`server` / `remote-addr`); a guest falls back to its launcher's address, then its name. */
  readonly host?: string;
  readonly port: number;
  readonly connectTimeoutMs: number;
  /** The container resource of a guest node. */
  readonly container?: string;
}

/** Operation settings from the resource's `op` entries. */
export interface OpSettings {
  readonly timeoutMs?: number;
  readonly onFail?: string;
  /** The op is for the promoted role (its monitor is expected to return 8). */
  readonly promoted: boolean;
}

/** A resource as the controller sees it. */
export interface ResourceInfo {
  readonly id: string;
  /** The `lrm_resource` id: the id, without the instance number for anonymous clones. */
  readonly historyId: string;
  readonly kind: ResourceKind;
  readonly agent: AgentRef;
  readonly params: Readonly<Record<string, string>>;
  readonly meta: Readonly<Record<string, string>>;
  readonly connection?: ConnectionSettings;
  /** Settings of operation `action` at `intervalMs`. */
  op(action: string, intervalMs: number): OpSettings;
}

const REMOTE_AGENT: AgentRef = { class: "ocf", provider: "pacemaker", type: "remote" };

function settingsOf(cib: Cib, p: CibElement): (action: string, intervalMs: number) => OpSettings {
  const list = ops(p, { cib });
  return (action, intervalMs) => {
    const name = action === "probe" ? "monitor" : action;
    const o = list.find((x) => x.attrs.name === name && durationMs(x.attrs.interval, 0) === intervalMs);
    const role = (o?.attrs.role ?? "").toLowerCase();
    return {
      ...(o?.attrs.timeout !== undefined ? { timeoutMs: durationMs(o.attrs.timeout, 20_000) } : {}),
      ...(o?.attrs["on-fail"] !== undefined ? { onFail: o.attrs["on-fail"] } : {}),
      promoted: role === "master" || role === "promoted",
    };
  };
}

function toRecord(m: Map<string, string>): Record<string, string> {
  return Object.fromEntries(m);
}

/** Describe resource `id` (a primitive, a clone instance `id:N`, or an implicit guest connection). */
export function describeResource(cib: Cib, id: string): ResourceInfo | undefined {
  const m = /^(.*):(\d+)$/.exec(id);
  const visits = walkResources(cib);
  const visit = visits.find((v) => v.resource.attrs.id === id && v.resource.tag === "primitive")
    ?? (m ? visits.find((v) => v.resource.attrs.id === m[1] && v.resource.tag === "primitive") : undefined);
  const defaults = rscDefaults(cib);
  if (!visit) {
    for (const v of visits) {
      if (v.resource.tag !== "primitive") continue;
      const meta = nvValues(v.resource, "meta_attributes", { cib });
      if (meta.get("remote-node") !== id) continue;
      return {
        id, historyId: id, kind: "guest-connection", agent: REMOTE_AGENT, params: {}, meta: {},
        connection: {
          node: id,
          ...(meta.get("remote-addr") !== undefined ? { host: meta.get("remote-addr")! } : {}),
          port: Number.parseInt(meta.get("remote-port") ?? "3121", 10) || 3121,
          connectTimeoutMs: durationMs(meta.get("remote-connect-timeout"), 60_000),
          container: v.resource.attrs.id ?? "",
        },
        op: (action: string, intervalMs: number) => action === "monitor" && intervalMs > 0
          ? { timeoutMs: 30_000, promoted: false }
          : action === "start" ? { timeoutMs: durationMs(meta.get("remote-connect-timeout"), 60_000), promoted: false } : { promoted: false },
      };
    }
    return undefined;
  }
  const p = visit.resource as Primitive;
  const tmpl = p.attrs.template !== undefined ? findById(cib, p.attrs.template, "template") : undefined;
  const src = tmpl ?? p;
  const agent: AgentRef = {
    class: p.attrs.class ?? src.attrs.class ?? "",
    ...((p.attrs.provider ?? src.attrs.provider) !== undefined ? { provider: (p.attrs.provider ?? src.attrs.provider)! } : {}),
    type: p.attrs.type ?? src.attrs.type ?? "",
  };
  const params = new Map([...(tmpl ? nvValues(tmpl, "instance_attributes", { cib }) : []), ...nvValues(p, "instance_attributes", { cib })]);
  const meta = new Map(defaults);
  for (const a of visit.ancestors) for (const [k, v] of nvValues(a, "meta_attributes", { cib })) meta.set(k, v);
  for (const [k, v] of nvValues(p, "meta_attributes", { cib })) meta.set(k, v);
  const clone = [...visit.ancestors].reverse().find((a) => a.tag === "clone" || a.tag === "master");
  const unique = clone !== undefined && /^(true|yes|on|1)$/i.test(meta.get("globally-unique") ?? "false");
  const historyId = clone !== undefined && !unique && m ? m[1]! : id;
  const isRemote = agent.class === "ocf" && agent.provider === "pacemaker" && agent.type === "remote";
  const kind: ResourceKind = isRemote ? "remote-connection" : agent.class === "launcher" ? "launcher" : "agent";
  const settings = settingsOf(cib, src === p ? p : { ...p, children: [...src.children, ...p.children] });
  const info: ResourceInfo = {
    id, historyId, kind, agent, params: toRecord(params), meta: toRecord(meta),
    ...(isRemote ? {
      connection: {
        node: p.attrs.id ?? id,
        host: params.get("server") ?? p.attrs.id ?? id,
        port: Number.parseInt(params.get("port") ?? "3121", 10) || 3121,
        connectTimeoutMs: settings("start", 0).timeoutMs ?? 60_000,
      },
    } : {}),
    op: settings,
  };
  return info;
}
