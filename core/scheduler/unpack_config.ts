/**
 * Phase 1a: cluster options (crm_config), resource and operation defaults, and the node list
 * with node attributes and utilization.
 */
import type { Cib, CibElement } from "../cib/model.ts";
import { kid, kids, bool } from "./_cib.ts";
import { parseIntervalMs, unpackNvSets, type RuleContext } from "./_rules.ts";
import type { ClusterOptions, SNode } from "./_model.ts";
import { INFINITY, parseScore } from "./scores.ts";

/** Read crm_config into {@link ClusterOptions}. */
export function unpackOptions(cib: Cib, ctx: RuleContext): { options: ClusterOptions; raw: Map<string, string> } {
  const config = kid(cib, "configuration");
  const raw = unpackNvSets(kids(kid(config, "crm_config"), "cluster_property_set"), ctx);
  const nqp = (raw.get("no-quorum-policy") ?? "stop").toLowerCase();
  const stonithAction = (raw.get("stonith-action") ?? "reboot").toLowerCase();
  const haveQuorum = bool(cib.attrs["have-quorum"], false);
  const options: ClusterOptions = {
    symmetric: bool(raw.get("symmetric-cluster"), true),
    stonithEnabled: bool(raw.get("stonith-enabled"), true),
    stonithAction: stonithAction === "off" || stonithAction === "poweroff" ? "off" : "reboot",
    noQuorumPolicy: (["stop", "freeze", "ignore", "demote", "suicide"].includes(nqp) ? nqp : "stop") as ClusterOptions["noQuorumPolicy"],
    haveQuorum,
    maintenanceMode: bool(raw.get("maintenance-mode"), false),
    stopOrphanResources: bool(raw.get("stop-orphan-resources"), true),
    startupFencing: bool(raw.get("startup-fencing"), true),
    placementStrategy: (raw.get("placement-strategy") ?? "default").toLowerCase(),
    stopAllResources: bool(raw.get("stop-all-resources"), false),
    concurrentFencing: bool(raw.get("concurrent-fencing"), false),
    shutdownLock: bool(raw.get("shutdown-lock"), false),
    shutdownLockLimit: Math.floor(parseIntervalMs(raw.get("shutdown-lock-limit"), 0) / 1000),
    nodeHealthStrategy: (raw.get("node-health-strategy") ?? "none").toLowerCase(),
    nodeHealth: healthScores((raw.get("node-health-strategy") ?? "none").toLowerCase(), raw),
  };
  return { options, raw };
}

function healthScores(strategy: string, raw: Map<string, string>): ClusterOptions["nodeHealth"] {
  switch (strategy) {
    case "migrate-on-red": return { red: -INFINITY, yellow: 0, green: 0 };
    case "only-green": return { red: -INFINITY, yellow: -INFINITY, green: 0 };
    case "progressive": case "custom":
      return { red: parseScore(raw.get("node-health-red"), -INFINITY), yellow: parseScore(raw.get("node-health-yellow"), 0),
        green: parseScore(raw.get("node-health-green"), 0) };
    default: return { red: 0, yellow: 0, green: 0 };
  }
}

/** rsc_defaults and op_defaults (meta_attributes sets without rules needing a resource). */
export function unpackDefaults(cib: Cib, tag: "rsc_defaults" | "op_defaults", ctx: RuleContext): Map<string, string> {
  const config = kid(cib, "configuration");
  return unpackNvSets(kids(kid(config, tag), "meta_attributes"), ctx);
}

function utilizationOf(el: CibElement, ctx: RuleContext): Map<string, number> {
  const m = new Map<string, number>();
  for (const [k, v] of unpackNvSets(kids(el, "utilization"), ctx)) {
    const n = Number.parseInt(v, 10);
    m.set(k, Number.isNaN(n) ? 0 : n);
  }
  return m;
}

/** Create the configured nodes (cluster and remote entries of `<nodes>`). */
export function unpackNodes(cib: Cib, ctx: RuleContext, options: ClusterOptions): Map<string, SNode> {
  const nodes = new Map<string, SNode>();
  for (const n of kids(kid(kid(cib, "configuration"), "nodes"), "node")) {
    const name = n.attrs.uname ?? n.attrs.id ?? "";
    if (!name || nodes.has(name)) continue;
    const type = n.attrs.type === "remote" ? "remote" : "cluster";
    if (n.attrs.type === "ping") continue;
    nodes.set(name, makeNode(name, n.attrs.id ?? name, type, options, n, ctx));
  }
  return nodes;
}

/** Build one node; `el` holds its configured attributes (instance_attributes, utilization). */
export function makeNode(name: string, id: string, type: SNode["type"], options: ClusterOptions,
  el: CibElement | undefined, ctx: RuleContext): SNode {
  const attrs = new Map<string, string>();
  attrs.set("#uname", name);
  attrs.set("#id", id);
  attrs.set("#kind", type === "guest" ? "container" : type);
  const nodeCtx: RuleContext = { ...ctx, node: attrs };
  if (el) unpackNvSets(kids(el, "instance_attributes"), nodeCtx, attrs);
  const utilization = el ? utilizationOf(el, nodeCtx) : new Map<string, number>();
  const node: SNode = {
    name, id, type,
    online: false,
    unclean: type === "cluster" && options.startupFencing,
    pending: false,
    standby: bool(attrs.get("standby"), false),
    maintenance: bool(attrs.get("maintenance"), false),
    shutdown: false,
    seen: false,
    attrs, utilization,
    assigned: 0,
    capacityLeft: new Map(utilization),
  };
  return node;
}
