/**
 * Connection ordering the controller enforces itself: an action on a remote or guest node waits
 * for the start of that node's connection resource in the same transition; the stop of a
 * connection that is only stopping waits for the stops and demotes on its node, while a
 * connection that is recovered (stop and start) is started again before anything else runs on
 * its node, stops included, as in Pacemaker's `pcmk__order_remote_connection_actions` (it adds these
 * orderings; the controller adds any that are missing, so an action is never sent down a link
 * that is not open yet). A node's connection resource has the node's name.
 *
 * @example
 * ```ts
 * const t2 = withConnectionOrdering(t, "node1");
 * ```
 * @module
 */
import type { Transition, TransitionAction } from "../scheduler/mod.ts";

/** `t` with the connection orderings added (the same object when nothing was missing). */
export function withConnectionOrdering(t: Transition, localNode: string): Transition {
  const startOf = new Map<string, TransitionAction>();
  const stopOf = new Map<string, TransitionAction>();
  for (const a of t.actions) {
    if (a.resource === undefined || a.node === undefined) continue;
    if (a.kind === "start") startOf.set(a.resource, a);
    if (a.kind === "stop") stopOf.set(a.resource, a);
  }
  const extra = new Map<number, Set<number>>();
  const add = (to: TransitionAction, from: TransitionAction): void => {
    if (to.id === from.id || to.inputs.includes(from.id)) return;
    const s = extra.get(to.id) ?? new Set<number>();
    s.add(from.id);
    extra.set(to.id, s);
  };
  for (const a of t.actions) {
    const n = a.node;
    if (n === undefined || n === localNode || a.kind === "fence" || a.resource === n) continue;
    const start = startOf.get(n);
    const stop = stopOf.get(n);
    const down = a.kind === "stop" || a.kind === "demote";
    if (start && (!down || stop)) add(a, start);
    // A blocked stop there (a lost node without fencing) must not block the connection's stop.
    else if (stop && down && a.runnable) add(stop, a);
  }
  if (extra.size === 0) return t;
  const ids = new Map(t.actions.map((a) => [a.id, a]));
  if (hasCycle(t.actions, extra, ids)) return t;
  return {
    ...t,
    actions: t.actions.map((a) => {
      const more = extra.get(a.id);
      return more ? { ...a, inputs: [...new Set([...a.inputs, ...more])].sort((x, y) => x - y) } : a;
    }),
  };
}

function hasCycle(actions: readonly TransitionAction[], extra: Map<number, Set<number>>, ids: Map<number, TransitionAction>): boolean {
  const state = new Map<number, 1 | 2>();
  const visit = (id: number): boolean => {
    const s = state.get(id);
    if (s === 1) return true;
    if (s === 2) return false;
    state.set(id, 1);
    const a = ids.get(id);
    for (const i of [...(a?.inputs ?? []), ...(extra.get(id) ?? [])]) if (ids.has(i) && visit(i)) return true;
    state.set(id, 2);
    return false;
  };
  return actions.some((a) => visit(a.id));
}
