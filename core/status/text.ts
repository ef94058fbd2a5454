/**
 * A crm_mon-style text rendering of a {@link ClusterStatus}: nodes grouped as crm_mon groups
 * them (Online, RemoteOnline, GuestOnline with their host, standby and other states one per
 * line, OFFLINE ...), resources with where they run, lost nodes and blocked resources with
 * the reasons in words (sections of Atrium's own), failed actions with reasons in words.
 */
import type { ClusterStatus, StatusNode, StatusResource } from "./types.ts";
import { formatInterval } from "./_words.ts";
import { fencingSection } from "./fencing.ts";
import { fencingLimitLines } from "../fencer/attempts.ts";

const PREFIX = { cluster: "", remote: "Remote", guest: "Guest" } as const;

function nodeLabel(n: StatusNode): string {
  return n.kind === "guest" && n.host !== undefined ? `${n.name}@${n.host}` : n.name;
}

function nodeLines(nodes: readonly StatusNode[]): string[] {
  const lines: string[] = [];
  for (const kind of ["cluster", "remote", "guest"] as const) {
    const of = nodes.filter((n) => n.kind === kind);
    const online = of.filter((n) => n.online && !n.standby && n.state === "online");
    const offline = of.filter((n) => !n.online && (n.state === "offline"));
    if (online.length > 0) lines.push(`  * ${PREFIX[kind]}Online: [ ${online.map(nodeLabel).join(" ")} ]`);
    for (const n of of) {
      if (online.includes(n) || offline.includes(n)) continue;
      const what = n.standby ? (n.online ? "standby" : `standby (${n.state})`) : n.state === "unclean" ? "UNCLEAN (offline)" : n.state;
      lines.push(`  * ${PREFIX[kind]}Node ${nodeLabel(n)}: ${what}`);
    }
    if (offline.length > 0) lines.push(`  * ${PREFIX[kind]}OFFLINE: [ ${offline.map(nodeLabel).join(" ")} ]`);
  }
  return lines;
}

function resourceLine(r: StatusResource): string {
  const flags = [
    ...(r.target_role?.toLowerCase() === "stopped" ? ["disabled"] : []),
    ...(r.managed ? [] : ["unmanaged"]),
  ];
  const name = `${r.id}${flags.length > 0 ? ` (${flags.join(", ")})` : ""}`;
  const label = `${name}\t(${r.agent})`;
  if (r.active_on.length === 0) return `  * ${label}:\t Stopped`;
  if (r.clone !== undefined || r.active_on.length > 1) {
    const byRole = new Map<string, string[]>();
    for (const n of r.active_on) {
      const role = r.roles[n] ?? r.role;
      (byRole.get(role) ?? byRole.set(role, []).get(role)!).push(n);
    }
    const parts = [...byRole].map(([role, ns]) => `${role}: [ ${ns.join(" ")} ]`);
    const warn = r.clone === undefined ? " (active on several nodes)" : "";
    return `  * ${label}:\t ${parts.join(" ")}${warn}`;
  }
  return `  * ${label}:\t ${r.role} ${r.active_on[0]}`;
}

/**
 * The "Lost Nodes", "Blocked Resources" and "Resource Warnings" sections (empty when nothing is
 * lost, blocked or at risk): one line each, with the reason in words.
 */
export function blockedSection(s: ClusterStatus): string[] {
  const out: string[] = [];
  const lost = s.nodes.filter((n) => n.unusable_reason !== undefined);
  if (lost.length > 0) out.push("", "Lost Nodes:", ...lost.map((n) => `  * ${n.name}: ${n.unusable_reason}`));
  const blocked = s.resources.filter((r) => r.blocked);
  if (blocked.length > 0) {
    out.push("", "Blocked Resources:");
    for (const r of blocked) {
      const where = r.active_on.length > 0 ? ` (on ${r.active_on.join(", ")})` : r.last_known_active_on !== undefined ? ` (last known on ${r.last_known_active_on.join(", ")})` : "";
      out.push(`  * ${r.id}${where}: ${r.blocked_reason ?? "blocked"}`);
    }
  }
  const warned = s.resources.filter((r) => !r.blocked && r.warning !== undefined);
  if (warned.length > 0) out.push("", "Resource Warnings:", ...warned.map((r) => `  * ${r.id}: ${r.warning}`));
  return out;
}

/**
 * Render the status for people.
 *
 * @example
 * ```ts
 * process.stdout.write(renderStatus(clusterStatus(cib)));
 * ```
 */
export function renderStatus(s: ClusterStatus): string {
  const count = (k: string): number => s.nodes.filter((n) => n.kind === k).length;
  const out: string[] = ["Cluster Summary:"];
  if (s.version !== undefined) out.push(`  * CIB version: ${s.version}`);
  out.push(`  * ${s.nodes.length} node${s.nodes.length === 1 ? "" : "s"} configured (${count("cluster")} cluster, ${count("remote")} remote, ${count("guest")} guest)`);
  out.push(`  * ${s.resources.length} resource${s.resources.length === 1 ? "" : "s"} configured`);
  out.push("", "Node List:", ...nodeLines(s.nodes));
  out.push("", "Full List of Resources:");
  if (s.resources.length === 0) out.push("  * No resources");
  const groups = new Map<string, StatusResource[]>();
  for (const r of s.resources) {
    if (r.group === undefined) {
      out.push(resourceLine(r));
      continue;
    }
    const key = r.clone !== undefined ? `${r.clone} (group ${r.group})` : r.group;
    const list = groups.get(key);
    if (list === undefined) {
      groups.set(key, [r]);
      out.push(`\u0000${key}`);
    } else list.push(r);
  }
  for (let i = 0; i < out.length; i++) {
    const line = out[i]!;
    if (!line.startsWith("\u0000")) continue;
    const key = line.slice(1);
    out.splice(i, 1, `  * Resource Group: ${key}:`, ...groups.get(key)!.map((r) => `  ${resourceLine(r)}`));
  }
  out.push(...blockedSection(s));
  if (s.failed_actions.length > 0) {
    out.push("", "Failed Resource Actions:");
    for (const f of s.failed_actions) {
      const op = f.interval > 0 ? `${f.action} (every ${formatInterval(f.interval)})` : f.action;
      const when = f.time !== null ? ` at ${f.time}` : "";
      out.push(`  * ${f.resource} ${op} on ${f.node} failed: ${f.reason} (rc=${f.rc}, status ${f.status})${when}`);
    }
  }
  out.push(...fencingSection(s.fencing));
  out.push(...fencingLimitLines(s.fencing_limits));
  if (s.warnings.length > 0) out.push("", "Warnings:", ...s.warnings.map((w) => `  * ${w}`));
  return out.join("\n") + "\n";
}
