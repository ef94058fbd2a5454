/**
 * Fencing topology: the `fencing-level` elements of `fencing-topology`, grouped by target as
 * Pacemaker 2.1.5's fencer registers them (`fenced_register_level`). A level targets a node by
 * name (`target`), by a regular expression on the name (`target-pattern`) or by a permanent
 * node attribute (`target-attribute` = `target-value`); `index` is 1 to 9 and `devices` a comma
 * list. Levels of the same target and index add their devices together. For a node, the entry
 * whose key is the node's name is used first, otherwise the first entry that matches it; its
 * levels are tried in index order.
 *
 * @example
 * ```ts
 * const topo = readTopology(cib);
 * topologyFor(topo, "node1", nodeAttributes(cib, "node1"))?.levels; // [{ index: 1, devices: [...] }, ...]
 * ```
 * @module
 */
import type { Cib } from "../cib/model.ts";
import { childrenOf, fencingLevels, nodes } from "../cib/query.ts";

/** How a topology entry names its nodes. */
export type TopologyTargetKind = "name" | "pattern" | "attribute";

/** One level: the devices that must all succeed. */
export interface TopologyLevel {
  readonly index: number;
  readonly devices: readonly string[];
  /** Ids of the `fencing-level` elements that made it. */
  readonly ids: readonly string[];
}

/** The levels of one target. */
export interface TopologyEntry {
  readonly kind: TopologyTargetKind;
  /** The key: the node name, the pattern, or `attribute=value`. */
  readonly target: string;
  readonly pattern?: string;
  readonly attribute?: string;
  readonly value?: string;
  /** Levels in index order (indexes without devices left out). */
  readonly levels: readonly TopologyLevel[];
}

/** A fencing-level that was ignored, and why. */
export interface TopologyIssue {
  readonly id: string;
  readonly message: string;
}

/** The whole topology. */
export interface Topology {
  readonly entries: readonly TopologyEntry[];
  readonly issues: readonly TopologyIssue[];
}

/** The highest level index plus one (Pacemaker's ST_LEVEL_MAX). */
export const LEVEL_LIMIT = 10;

interface Draft {
  kind: TopologyTargetKind;
  target: string;
  pattern?: string;
  attribute?: string;
  value?: string;
  levels: Map<number, { devices: string[]; ids: string[] }>;
}

/**
 * Read the fencing topology of `cib`. Levels without id, without a usable target or with an
 * index outside 1..9 are ignored with an issue (as Pacemaker ignores them).
 *
 * @example
 * ```ts
 * readTopology(cib).entries.map((e) => e.target);
 * ```
 */
export function readTopology(cib: Cib): Topology {
  const drafts = new Map<string, Draft>();
  const issues: TopologyIssue[] = [];
  for (const el of fencingLevels(cib)) {
    const a = el.attrs;
    const id = a.id ?? "";
    if (id === "") {
      issues.push({ id, message: "Ignoring a fencing-level without id" });
      continue;
    }
    let kind: TopologyTargetKind;
    let key: string;
    if (a.target !== undefined) {
      kind = "name";
      key = a.target;
    } else if (a["target-pattern"] !== undefined) {
      kind = "pattern";
      key = a["target-pattern"];
    } else if (a["target-attribute"] !== undefined && a["target-value"] !== undefined) {
      kind = "attribute";
      key = `${a["target-attribute"]}=${a["target-value"]}`;
    } else {
      issues.push({ id, message: `Ignoring fencing-level "${id}": it has no valid target` });
      continue;
    }
    const index = /^\s*[+-]?\d+/.test(a.index ?? "") ? Number.parseInt(a.index!, 10) : 0;
    if (index <= 0 || index >= LEVEL_LIMIT) {
      issues.push({ id, message: `Ignoring fencing-level "${id}": invalid level number "${a.index ?? ""}"` });
      continue;
    }
    let d = drafts.get(key);
    if (d === undefined) {
      d = { kind, target: key, levels: new Map() };
      if (a["target-pattern"] !== undefined) d.pattern = a["target-pattern"];
      if (a["target-attribute"] !== undefined) d.attribute = a["target-attribute"];
      if (a["target-value"] !== undefined) d.value = a["target-value"];
      drafts.set(key, d);
    }
    const level = d.levels.get(index) ?? { devices: [], ids: [] };
    level.devices.push(...(a.devices ?? "").split(",").map((s) => s.trim()).filter((s) => s !== ""));
    level.ids.push(id);
    d.levels.set(index, level);
  }
  const entries: TopologyEntry[] = [];
  for (const d of drafts.values()) {
    const levels = [...d.levels.entries()]
      .filter(([, l]) => l.devices.length > 0)
      .sort(([x], [y]) => x - y)
      .map(([index, l]) => Object.freeze({ index, devices: Object.freeze(l.devices), ids: Object.freeze(l.ids) }));
    entries.push({
      kind: d.kind,
      target: d.target,
      ...(d.pattern !== undefined ? { pattern: d.pattern } : {}),
      ...(d.attribute !== undefined ? { attribute: d.attribute } : {}),
      ...(d.value !== undefined ? { value: d.value } : {}),
      levels: Object.freeze(levels),
    });
  }
  return { entries, issues };
}

/** True when `entry` targets `node` (whose permanent attributes are `attrs`). */
export function topologyMatches(entry: TopologyEntry, node: string, attrs: ReadonlyMap<string, string>): boolean {
  switch (entry.kind) {
    case "name":
      return entry.target.toLowerCase() === node.toLowerCase();
    case "pattern":
      try {
        return new RegExp(entry.pattern ?? entry.target).test(node);
      } catch {
        return false;
      }
    case "attribute":
      return entry.attribute !== undefined && attrs.get(entry.attribute) === entry.value;
  }
}

/**
 * The topology entry for `node`, or undefined when none has levels for it (then every capable
 * device is tried in turn).
 *
 * @example
 * ```ts
 * topologyFor(readTopology(cib), "node1")?.levels.map((l) => l.devices);
 * ```
 */
export function topologyFor(
  topology: Topology,
  node: string,
  attrs: ReadonlyMap<string, string> = new Map(),
): TopologyEntry | undefined {
  const exact = topology.entries.find((e) => e.target === node && e.kind === "name");
  const found = exact ?? topology.entries.find((e) => topologyMatches(e, node, attrs));
  return found !== undefined && found.levels.length > 0 ? found : undefined;
}

/**
 * The permanent node attributes of `node` (the `instance_attributes` of its entry in the nodes
 * section, matched by uname or id; rules ignored), which `target-attribute` levels test.
 */
export function nodeAttributes(cib: Cib, node: string): Map<string, string> {
  const out = new Map<string, string>();
  const entry = nodes(cib).find((n) => (n.attrs.uname ?? n.attrs.id) === node);
  for (const set of childrenOf(entry, "instance_attributes")) {
    for (const p of childrenOf(set, "nvpair")) {
      const name = p.attrs.name;
      if (name !== undefined && !out.has(name)) out.set(name, p.attrs.value ?? "");
    }
  }
  return out;
}
