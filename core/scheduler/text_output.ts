/**
 * crm_simulate-style text: cluster status (node list and resources), the Transition Summary,
 * allocation scores and score explanations.
 */
import { formatScore } from "./scores.ts";
import type { NodeSummary, Placement, SummaryEntry, Transition } from "./transition.ts";

function nodeLines(nodes: Readonly<Record<string, NodeSummary>>): string[] {
  const groups = new Map<string, string[]>();
  for (const [name, n] of Object.entries(nodes)) {
    const kind = n.type === "cluster" ? "Node" : n.type === "remote" ? "RemoteNode" : "GuestNode";
    const label = n.state === "online" ? "Online" : n.state === "offline" ? "OFFLINE" : n.state === "unclean" ? "UNCLEAN (offline)"
      : n.state === "standby" ? "Standby" : n.state === "maintenance" ? "Maintenance" : "Pending";
    const key = `${label}|${kind}`;
    const l = groups.get(key) ?? [];
    l.push(name);
    groups.set(key, l);
  }
  const out: string[] = [];
  for (const [key, names] of groups) {
    const [label, kind] = key.split("|") as [string, string];
    if (label === "Online" || label === "OFFLINE") {
      const prefix = kind === "Node" ? "" : kind === "RemoteNode" ? "Remote" : "Guest";
      out.push(`  * ${prefix}${label}: [ ${names.join(" ")} ]`);
    } else for (const n of names) out.push(`  * ${kind} ${n}: ${label.toLowerCase()}`);
  }
  return out;
}

function rscLines(placement: Readonly<Record<string, readonly Placement[]>>): string[] {
  const out: string[] = [];
  for (const key of Object.keys(placement).sort()) {
    const list = placement[key]!;
    if (list.length === 0) out.push(`    * ${key}\t(Stopped)`);
    else for (const p of list) out.push(`    * ${key}\t(${p.role} ${p.node})`);
  }
  return out;
}

/** "Current cluster status" / "Revised Cluster Status" blocks. */
export function formatStatus(title: string, nodes: Readonly<Record<string, NodeSummary>>,
  placement: Readonly<Record<string, readonly Placement[]>>): string {
  return [`${title}:`, "  * Node List:", ...nodeLines(nodes), "", "  * Full List of Resources:", ...rscLines(placement), ""].join("\n") + "\n";
}

/** One summary line as crm_simulate prints it. */
export function formatSummaryEntry(e: SummaryEntry): string {
  if (e.action === "fence") return `  * Fence (${e.op}) ${e.node}`;
  const verb = e.action === "re-promote" ? "Re-promote" : e.action[0]!.toUpperCase() + e.action.slice(1);
  let detail: string;
  const role = e.role ? `${e.role} ` : "";
  if (e.from === null) detail = e.role ? `${e.role} -> ${e.next_role ?? ""} ${e.to}` : `${e.to}`;
  else if (e.to === null) detail = `${role}${e.from}`;
  else if (e.from === e.to) detail = e.next_role ? `${e.role} -> ${e.next_role} ${e.from}` : `${role}${e.from}`;
  else detail = e.next_role ? `${e.role} ${e.from} -> ${e.next_role} ${e.to}` : `${role}${e.from} -> ${e.to}`;
  return `  * ${verb.padEnd(10)} ${e.resource.padEnd(24)} ( ${detail} )${e.blocked ? " blocked" : ""}`;
}

/** The "Transition Summary" block. */
export function formatSummary(t: Transition): string {
  return ["Transition Summary:", ...t.summary.map(formatSummaryEntry), ""].join("\n") + "\n";
}

/** Allocation scores, one line per resource and node (like crm_simulate -s). */
export function formatScores(t: Transition): string {
  const lines: string[] = [];
  for (const id of Object.keys(t.scores).sort()) {
    for (const [node, s] of Object.entries(t.scores[id]!).sort(([a], [b]) => (a < b ? -1 : 1))) {
      lines.push(`pcmk__native_allocate: ${id} allocation score on ${node}: ${formatScore(s)}`);
    }
  }
  return lines.join("\n") + (lines.length ? "\n" : "");
}

/** Score contributions of one resource (all its instances), per node, with their sources. */
export function formatExplain(t: Transition, rsc: string): string | undefined {
  const ids = Object.keys(t.explain).filter((id) => id === rsc || id.replace(/:\d+$/, "") === rsc);
  if (!ids.length) return undefined;
  const lines: string[] = [];
  for (const id of ids.sort()) {
    lines.push(`${id}:`);
    const byNode = new Map<string, string[]>();
    for (const c of t.explain[id]!) {
      const l = byNode.get(c.node) ?? [];
      l.push(`${formatScore(c.score).padStart(10)}  ${c.source}`);
      byNode.set(c.node, l);
    }
    for (const node of Object.keys(t.scores[id] ?? {}).sort()) {
      lines.push(`  ${node}: ${formatScore(t.scores[id]![node]!)}`);
      for (const l of byNode.get(node) ?? []) lines.push(`    ${l}`);
    }
  }
  return lines.join("\n") + "\n";
}
