/**
 * Fence devices: the `stonith` primitives of the CIB as Pacemaker 2.1.5's fencer registers them
 * on a node (`cib_device_update`, `build_device_from_xml`). A device is left out when it is
 * disabled (`target-role=Stopped` on it or an enclosing resource) or when the local node may not
 * hold it (a location constraint bans it there, an asymmetric cluster never allows it, or its
 * failures there reached its `migration-threshold`, see `_failures.ts`). Its
 * parameters are its instance attributes (rules evaluated for the local node, a template's
 * attributes under the primitive's own); a configured `action` parameter is turned into
 * `pcmk_off_action`/`pcmk_reboot_action` as Pacemaker does. Only one instance of a cloned
 * device is registered.
 *
 * @example
 * ```ts
 * const { devices, skipped } = readFenceDevices(cib, { localNode: "node1" });
 * for (const d of devices) console.log(d.id, d.agent, hostCheckOf(d, NO_FEATURES));
 * ```
 * @module
 */
import type { Cib, CibElement, Primitive } from "../cib/model.ts";
import { clusterProperties, rscDefaults, templateOf, walkResources } from "../cib/query.ts";
import { parseScore, type RuleContext, unpackNvSets } from "../cib/rules/mod.ts";
import { failureAttributes, failureBan } from "./_failures.ts";
import { locationBan, resolver } from "./_location.ts";
import type { AgentFeatures } from "../plugin/fence_features.ts";
import { parseHostMap, parseTargetList } from "./targets.ts";

/** How a device decides which nodes it can fence (`pcmk_host_check`). */
export type HostCheck = "static-list" | "dynamic-list" | "status" | "none";

/** One fence device. */
export interface FenceDevice {
  /** The resource id. */
  readonly id: string;
  /** The fence agent (the primitive's `type`, e.g. `fence_dummy`). */
  readonly agent: string;
  /** Device parameters: instance attributes (Pacemaker's own `pcmk_*` ones included). */
  readonly params: Readonly<Record<string, string>>;
  /** The `priority` meta attribute (higher is tried first; 0 by default). */
  readonly priority: number;
  /** The `provides` meta attribute (`unfencing` makes `on` automatic). */
  readonly provides?: string;
  /** Position in the configuration (ties in priority keep it). */
  readonly index: number;
  /** `pcmk_host_list`, parsed. */
  readonly hostList: readonly string[];
  /** `pcmk_host_map`: node -> plug. */
  readonly hostMap: ReadonlyMap<string, string>;
}

/** A stonith primitive that was not registered, and why. */
export interface SkippedDevice {
  readonly id: string;
  readonly reason: string;
}

/** Options of {@link readFenceDevices}. */
export interface ReadDevicesOptions {
  /** The node the fencer runs on: location constraints and rules are evaluated for it. */
  readonly localNode?: string;
  /** Time for rules (default: now). */
  readonly now?: Date;
  /** Extra node attributes of the local node for rules (`#uname` and `#kind` are set). */
  readonly nodeAttrs?: Readonly<Record<string, string>>;
}

/** What {@link readFenceDevices} found. */
export interface DeviceScan {
  readonly devices: readonly FenceDevice[];
  readonly skipped: readonly SkippedDevice[];
}

/**
 * Build a device from its parameters (as `stonith_admin --register` would): maps a configured
 * `action` parameter onto `pcmk_off_action`/`pcmk_reboot_action` and drops it, parses the host
 * list and map.
 *
 * @example
 * ```ts
 * fenceDevice("f1", "fence_dummy", { pcmk_host_list: "node1 node2" }).hostList; // ["node1", "node2"]
 * ```
 */
export function fenceDevice(
  id: string,
  agent: string,
  params: Readonly<Record<string, string>>,
  meta: { priority?: number; provides?: string; index?: number } = {},
): FenceDevice {
  const p: Record<string, string> = { ...params };
  const action = p["action"];
  if (action !== undefined) {
    delete p["action"];
    // Pacemaker: "reboot" and "" are ignored; "off" maps reboot; anything else maps both.
    if (action !== "" && action !== "reboot") {
      if (action !== "off") p["pcmk_off_action"] ??= action;
      p["pcmk_reboot_action"] ??= action;
    }
  }
  return {
    id,
    agent,
    params: Object.freeze(p),
    priority: meta.priority ?? 0,
    ...(meta.provides !== undefined ? { provides: meta.provides } : {}),
    index: meta.index ?? 0,
    hostList: Object.freeze(parseTargetList(p["pcmk_host_list"])),
    hostMap: parseHostMap(p["pcmk_host_map"]),
  };
}

/**
 * The host check a device uses: `pcmk_host_check` when set; otherwise static-list when a host
 * list or map is set; otherwise dynamic-list when the agent has `list`, status when it has
 * `status`, else none (Pacemaker 2.1.5's `target_list_type`).
 */
export function hostCheckOf(device: FenceDevice, features: AgentFeatures): HostCheck | string {
  const explicit = device.params["pcmk_host_check"];
  if (explicit !== undefined) return explicit.toLowerCase();
  if (device.params["pcmk_host_list"] !== undefined || device.params["pcmk_host_map"] !== undefined) {
    return "static-list";
  }
  if (features.supportsList) return "dynamic-list";
  if (features.supportsStatus) return "status";
  return "none";
}

/** The targets a static-list device names: its host list, then the plugs of its host map. */
export function staticTargets(device: FenceDevice): string[] {
  return [...device.hostList, ...device.hostMap.values()];
}

/**
 * The fence devices of `cib` for the fencer on `localNode`, in configuration order.
 *
 * @example
 * ```ts
 * readFenceDevices(cib, { localNode: "node1" }).devices.map((d) => d.id);
 * ```
 */
export function readFenceDevices(cib: Cib, options: ReadDevicesOptions = {}): DeviceScan {
  const localNode = options.localNode;
  const attrs: Record<string, string> = { ...(options.nodeAttrs ?? {}) };
  if (localNode !== undefined) {
    attrs["#uname"] ??= localNode;
    attrs["#kind"] ??= "cluster";
  }
  const ctx: RuleContext = {
    now: options.now ?? new Date(),
    nodeAttrs: attrs,
    resolveIdRef: resolver(cib),
  };
  const props = clusterProperties(cib);
  const symmetric = !/^(false|no|off|n|0)$/i.test(props.get("symmetric-cluster") ?? "true");
  const defaults = rscDefaults(cib);
  const devices: FenceDevice[] = [];
  const skipped: SkippedDevice[] = [];
  const seenClones = new Set<string>();
  const failures = localNode !== undefined ? failureAttributes(cib, localNode) : new Map<string, string>();
  let index = 0;
  for (const { resource, ancestors } of walkResources(cib)) {
    if (resource.tag !== "primitive") continue;
    const p = resource as Primitive;
    const template = templateOf(cib, p);
    const cls = p.attrs.class ?? template?.attrs.class;
    if (cls === undefined || cls.toLowerCase() !== "stonith") continue;
    const id = p.attrs.id;
    const agent = p.attrs.type ?? template?.attrs.type;
    if (id === undefined) continue;
    if (agent === undefined) {
      skipped.push({ id, reason: "it names no fence agent (type)" });
      continue;
    }
    const clone = ancestors.find((a) => a.tag === "clone" || a.tag === "master");
    if (clone?.attrs.id !== undefined) {
      if (seenClones.has(clone.attrs.id)) continue; // one copy of a clone
      seenClones.add(clone.attrs.id);
    }
    const meta = effectiveMeta(p, ancestors, defaults, ctx);
    const role = meta.get("target-role");
    if (role !== undefined && role.toLowerCase() === "stopped") {
      skipped.push({ id, reason: "it is disabled (target-role=Stopped)" });
      continue;
    }
    if (localNode !== undefined) {
      const ids = ancestors.flatMap((a) => (a.attrs.id !== undefined ? [a.attrs.id] : [])).reverse();
      const ban = locationBan(cib, ids, id, localNode, symmetric, ctx);
      if (ban !== undefined) {
        skipped.push({ id, reason: ban });
        continue;
      }
      const failed = failureBan(id, failures, meta, options.now ?? new Date());
      if (failed !== undefined) {
        skipped.push({ id, reason: `${failed} on ${localNode}` });
        continue;
      }
    }
    const params: Record<string, string> = {};
    if (template !== undefined) for (const [k, v] of unpackNvSets(template, "instance_attributes", ctx).values) params[k] = v;
    for (const [k, v] of unpackNvSets(p, "instance_attributes", ctx).values) params[k] = v;
    const provides = meta.get("provides");
    devices.push(fenceDevice(id, agent, params, {
      priority: parseScore(meta.get("priority")),
      ...(provides !== undefined ? { provides } : {}),
      index: index++,
    }));
  }
  return { devices, skipped };
}

/** Meta attributes of a primitive: its own, then its ancestors' (innermost first), then rsc_defaults. */
function effectiveMeta(
  p: Primitive,
  ancestors: readonly CibElement[],
  defaults: ReadonlyMap<string, string>,
  ctx: RuleContext,
): Map<string, string> {
  const out = unpackNvSets(p, "meta_attributes", ctx).values;
  for (const a of [...ancestors].reverse()) {
    for (const [k, v] of unpackNvSets(a, "meta_attributes", ctx).values) if (!out.has(k)) out.set(k, v);
  }
  for (const [k, v] of defaults) if (!out.has(k)) out.set(k, v);
  return out;
}
