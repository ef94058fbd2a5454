/**
 * Exclusive resource discovery (`resource-discovery="exclusive"` on a location constraint), as
 * Pacemaker 2.1.5 applies it when scoring: a resource named by such a constraint may run only on
 * the nodes that constraint (or another exclusive one) selected; every other node gets
 * -INFINITY, for the resource and every resource below it. Typical use: keep services off the
 * remote nodes of a mixed cluster. Internal to core/scheduler/.
 */
import { INFINITY } from "./scores.ts";
import type { Primitive, Rsc, WorkingSet } from "./_model.ts";

function below(r: Rsc, out: Rsc[] = []): Rsc[] {
  out.push(r);
  switch (r.kind) {
    case "group": for (const m of r.members) below(m, out); break;
    case "clone": for (const i of r.instances) below(i, out); break;
    case "bundle": for (const i of r.replicas) below(i, out); break;
    default: break;
  }
  return out;
}

/** Resources named directly by an exclusive location, found in the CIB (also when no node matched). */
function exclusiveByCib(ws: WorkingSet): Set<Rsc> {
  const out = new Set<Rsc>();
  for (const el of ws.ids.values()) {
    if (el.tag !== "rsc_location" || (el.attrs["resource-discovery"] ?? "").toLowerCase() !== "exclusive") continue;
    const r = el.attrs.rsc !== undefined ? ws.byId.get(el.attrs.rsc) : undefined;
    if (r) out.add(r);
  }
  return out;
}

/**
 * Ban resources with exclusive discovery from every node no exclusive location selected
 * (Pacemaker's apply_exclusive_discovery). `ban(r, node, score, source)` records the score.
 */
export function applyExclusiveDiscovery(ws: WorkingSet,
  ban: (r: Rsc, node: string, score: number, source: string) => void): void {
  const flagged = exclusiveByCib(ws);
  /** Resource -> nodes an exclusive location (on it or an ancestor) selected. */
  const exclusiveNodes = new Map<Rsc, Set<string>>();
  for (const loc of ws.locations) {
    if ((loc.discovery ?? "").toLowerCase() !== "exclusive") continue;
    flagged.add(loc.rsc);
    for (const t of below(loc.rsc)) {
      const s = exclusiveNodes.get(t) ?? new Set<string>();
      s.add(loc.node);
      exclusiveNodes.set(t, s);
    }
  }
  if (flagged.size === 0) return;
  const done = new Set<Rsc>();
  for (const top of flagged) {
    for (const t of below(top)) {
      if (done.has(t)) continue;
      done.add(t);
      const ok = exclusiveNodes.get(t) ?? new Set<string>();
      for (const [node, score] of t.allowed) {
        if (ok.has(node) || score <= -INFINITY) continue;
        ban(t, node, -INFINITY, "exclusive resource discovery");
      }
    }
  }
}

/**
 * Is discovery (probing) of `p` off on `node`: a `resource-discovery="never"` location for it (or
 * its parent) on that node, or exclusive discovery that did not select the node?
 */
export function discoveryOff(ws: WorkingSet, p: Primitive, node: string): boolean {
  let exclusive = false, selected = false;
  for (const l of ws.locations) {
    if (l.rsc !== p && l.rsc !== p.parent) continue;
    const d = (l.discovery ?? "").toLowerCase();
    if (d === "never" && l.node === node) return true;
    if (d === "exclusive") { exclusive = true; if (l.node === node) selected = true; }
  }
  return exclusive && !selected;
}
