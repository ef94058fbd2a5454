/**
 * Indexes over the plan map, for loops that would otherwise scan every plan once per node.
 * Internal to core/scheduler/ (performance only: the indexes preserve iteration order).
 */
import type { Primitive } from "./_model.ts";
import type { Plan } from "./_plan.ts";

interface Cached {
  readonly size: number;
  readonly index: Map<string, Plan[]>;
}

const cache = new WeakMap<Map<Primitive, Plan>, Cached>();

/**
 * Node name -> the plans whose resource is currently running there, each list in the plan map's
 * iteration order (so a loop over one list visits plans in the order a full scan would).
 * Cached per plan map (rebuilt when plans were added or removed); the current state
 * (`running`) does not change while plans are adjusted.
 */
export function plansByRunningNode(plans: Map<Primitive, Plan>): Map<string, Plan[]> {
  const hit = cache.get(plans);
  if (hit !== undefined && hit.size === plans.size) return hit.index;
  const index = new Map<string, Plan[]>();
  for (const pl of plans.values()) {
    for (const node of pl.p.running.keys()) {
      const list = index.get(node);
      if (list === undefined) index.set(node, [pl]);
      else list.push(pl);
    }
  }
  cache.set(plans, { size: plans.size, index });
  return index;
}
