/**
 * Phase 4: from current state and assignment to actions. Decides fencing, then for each
 * primitive the stops (including those implied by fencing), the start, promotions and
 * demotions, live migration, and what cannot run (blocked).
 */
import { nodeAvailable } from "./scores_init.ts";
import { bool } from "./_cib.ts";
import { cloneOf, type Primitive, type SNode, type WorkingSet } from "./_model.ts";
import type { Plan } from "./_plan.ts";
import type { Role } from "./transition.ts";
import { pendingProbeNode } from "./_probe_block.ts";

/** Can the cluster fence `n` now? (Pacemaker's pe_can_fence.) */
export function canFence(ws: WorkingSet, n: SNode): boolean {
  if (n.type === "guest") return true;
  if (!ws.options.stonithEnabled) return false;
  if (ws.options.haveQuorum || ws.options.noQuorumPolicy === "ignore") return true;
  return n.online;
}

/** Mark the nodes that will be fenced in this transition. */
export function decideFencing(ws: WorkingSet): void {
  const haveManaged = [...ws.byId.values()].some((r) => r.managed);
  if (!haveManaged) return;
  for (const n of ws.nodes.values()) {
    if (n.type === "guest") {
      if (!n.resetRequired) continue;
      const cont = n.containerRsc ? ws.byId.get(n.containerRsc) : undefined;
      if (!cont || cont.kind !== "primitive") continue;
      if ([...cont.running.keys()].some((h) => { const hn = ws.nodes.get(h); return hn?.unclean && !canFence(ws, hn); })) continue;
      n.fence = "reboot";
      continue;
    }
    if (!n.unclean) continue;
    if (n.type === "remote" && !n.remoteRsc) continue;
    if (canFence(ws, n)) n.fence = ws.options.stonithAction;
  }
}

function roleOf(p: Primitive, role: Role | undefined): Role {
  if (!role) return "Stopped";
  const promotable = cloneOf(p)?.promotable ?? false;
  if (promotable && role === "Started") return "Unpromoted";
  return role;
}

function migratable(ws: WorkingSet, p: Primitive, cur: string | undefined, next: string | null): boolean {
  if (!cur || !next || cur === next) return false;
  if (!bool(p.meta.get("allow-migrate"), false) && !(p.remoteNode && !p.container)) return false;
  if (p.parent && p.parent.kind === "clone") return false;
  if (p.running.size !== 1 || p.failed.size > 0) return false;
  const n = ws.nodes.get(cur);
  if (!n || !n.online || n.unclean || n.fence) return false;
  return true;
}

/** Build the initial plan of every primitive. */
export function planActions(ws: WorkingSet): Map<Primitive, Plan> {
  const plans = new Map<Primitive, Plan>();
  for (const r of ws.byId.values()) {
    if (r.kind !== "primitive") continue;
    const p = r;
    if (plans.has(p)) continue;
    const curNodes = [...p.running.keys()];
    const cur = curNodes[0];
    const curRole = roleOf(p, cur !== undefined ? p.running.get(cur) : undefined);
    const next = p.assigned ?? null;
    let nextRole: Role = next ? roleOf(p, p.nextRole ?? "Started") : "Stopped";
    if (!p.managed) nextRole = curRole;
    const plan: Plan = {
      p, ...(cur !== undefined ? { cur } : {}), curRole, next, nextRole,
      stops: new Map(), start: false, startRunnable: true, promote: false, demote: false,
      failed: [...p.failed].some(([n, f]) => p.running.has(n) && f.onFail !== "ignore"),
      migrate: false, reload: false,
    };
    plans.set(p, plan);
    if (!p.managed) continue;
    const multi = curNodes.length > 1;
    for (const n of curNodes) {
      const node = ws.nodes.get(n);
      const fenced = node?.fence !== undefined;
      const needStop = n !== next || multi || fenced || (p.failed.has(n) && p.failed.get(n)!.onFail !== "ignore") || p.restartOn.has(n);
      if (!needStop) continue;
      const runnable = fenced || (node !== undefined && node.online && !p.blockedOn.has(n));
      plan.stops.set(n, { runnable, pseudo: fenced });
    }
    if (next) {
      plan.start = !p.running.has(next) || plan.stops.has(next);
      plan.startRunnable = nodeAvailable(ws.nodes.get(next));
      const noQuorum = !ws.options.haveQuorum && (p.meta.get("requires") ?? "").toLowerCase() !== "nothing";
      if (noQuorum && (ws.options.noQuorumPolicy === "stop" || ws.options.noQuorumPolicy === "suicide")) {
        if (p.running.has(next) && !plan.stops.has(next)) {
          plan.stops.set(next, { runnable: ws.nodes.get(next)?.online ?? false, pseudo: false });
        }
        plan.start = true;
        plan.startRunnable = false;
        plan.blockedBy = "no quorum";
      } else if (noQuorum && ws.options.noQuorumPolicy === "freeze" && plan.start && p.running.size === 0) {
        plan.startRunnable = false;
        plan.blockedBy = "no quorum";
      }
      if (plan.start && plan.startRunnable && pendingProbeNode(ws, p) !== undefined) {
        plan.startRunnable = false;
        plan.blockedBy = "probe on a pending node";
      }
      const roleHere = roleOf(p, p.running.get(next));
      if (nextRole === "Promoted" && (plan.start || roleHere !== "Promoted")) plan.promote = true;
    }
    for (const n of curNodes) {
      if (roleOf(p, p.running.get(n)) === "Promoted" && (n !== next || nextRole !== "Promoted" || plan.stops.has(n))) {
        plan.demote = true;
      }
    }
    if (!plan.failed && plan.stops.size === 1 && migratable(ws, p, cur, next) && curRole === nextRole) plan.migrate = true;
  }
  return plans;
}

/** Would the plan leave the primitive active on its next node after the transition? */
export function activeAfter(plan: Plan): boolean {
  if (!plan.next) return false;
  if (plan.start) return plan.startRunnable;
  return plan.p.running.has(plan.next) || !plan.p.managed;
}

/** Does the plan stop the primitive anywhere (a required stop)? */
export function stopsAnywhere(plan: Plan): boolean {
  return plan.stops.size > 0;
}

export { nodeAvailable };
