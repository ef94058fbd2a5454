/**
 * Which resources a hard or fatal failure bans. Pacemaker bans the failed resource's top-level
 * parent when the resource is not globally unique, so a failure of one instance of an
 * anonymous clone keeps every instance of that clone off the node.
 */
import type { Primitive, Rsc } from "./_model.ts";

function primitivesIn(r: Rsc, out: Primitive[]): void {
  switch (r.kind) {
    case "primitive": out.push(r); break;
    case "group": for (const m of r.members) primitivesIn(m, out); break;
    case "clone": for (const i of r.instances) primitivesIn(i, out); break;
    default: break;
  }
}

/** The primitives a hard or fatal failure of `p` bans (`p` alone unless in an anonymous clone). */
export function failureBanTargets(p: Primitive): Primitive[] {
  if (p.bundle) return [p];
  let top: Rsc = p;
  while (top.parent) top = top.parent;
  if (top.kind !== "clone" || !top.anonymous) return [p];
  const out: Primitive[] = [];
  primitivesIn(top, out);
  return out.length ? out : [p];
}
