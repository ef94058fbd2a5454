/**
 * Whether the local node may hold a fence device, as Pacemaker 2.1.5's fencer decides when it
 * registers devices from the CIB (`cib_device_update`): the node must be among the resource's
 * allowed nodes (every node in a symmetric cluster; in an asymmetric one, only nodes a location
 * constraint names) with a score that is not negative, and the same for an enclosing group.
 * Scores are summed over the location constraints (`node`/`score` and rules) on the resource
 * and its ancestors, with Pacemaker's INFINITY arithmetic.
 * @module
 */
import type { Cib, CibElement, RscLocation } from "../cib/model.ts";
import { childrenOf, constraints, findById, resourceRefs, resourceSets } from "../cib/query.ts";
import { evaluateRule, parseScore, type RuleContext } from "../cib/rules/mod.ts";

const INF = 1_000_000;

/** Pacemaker's score addition: -INFINITY wins over INFINITY, sums are clipped. */
export function addScores(a: number, b: number): number {
  if (a <= -INF || b <= -INF) return -INF;
  if (a >= INF || b >= INF) return INF;
  return Math.max(-INF, Math.min(INF, a + b));
}

function namesResource(c: RscLocation, id: string): { hit: boolean; submatches?: (string | undefined)[] } {
  if (c.attrs.rsc !== undefined) return { hit: c.attrs.rsc === id };
  const pattern = c.attrs["rsc-pattern"];
  if (pattern !== undefined) {
    try {
      const m = new RegExp(pattern).exec(id);
      return m === null ? { hit: false } : { hit: true, submatches: [...m] };
    } catch {
      return { hit: false };
    }
  }
  for (const set of resourceSets(c)) if (resourceRefs(set).includes(id)) return { hit: true };
  return { hit: false };
}

/**
 * The local node's location score for resource `id`: undefined when the node is not an allowed
 * node at all (asymmetric cluster and no constraint names it), else the summed score.
 */
export function localScore(
  cib: Cib,
  id: string,
  localNode: string,
  symmetric: boolean,
  ctx: RuleContext,
): number | undefined {
  let score: number | undefined = symmetric ? 0 : undefined;
  for (const c of constraints(cib, "rsc_location")) {
    const m = namesResource(c, id);
    if (!m.hit) continue;
    if (c.attrs.node !== undefined) {
      if (c.attrs.node !== localNode) continue;
      score = addScores(score ?? 0, parseScore(c.attrs.score));
      continue;
    }
    for (const rule of childrenOf(c, "rule") as CibElement[]) {
      const r = evaluateRule(rule, m.submatches ? { ...ctx, match: { submatches: m.submatches } } : ctx);
      if (r.unresolvedIdRef !== undefined || r.invalidRole !== undefined || !r.passed) continue;
      score = addScores(score ?? 0, r.score);
    }
  }
  return score;
}

/**
 * Why the local node may not hold the device (a sentence), or undefined when it may: checks the
 * device itself and its enclosing resources (a group's or clone's constraints apply to members).
 */
export function locationBan(
  cib: Cib,
  ancestors: readonly string[],
  id: string,
  localNode: string,
  symmetric: boolean,
  ctx: RuleContext,
): string | undefined {
  const own = localScore(cib, id, localNode, symmetric, ctx);
  let total = own;
  for (const a of ancestors) {
    const s = localScore(cib, a, localNode, true, ctx);
    if (s !== undefined && s !== 0) total = addScores(total ?? 0, s);
    if (s !== undefined && s < 0) return `node "${localNode}" is banned from "${a}" (score ${scoreText(s)})`;
  }
  if (total === undefined) return `node "${localNode}" is not an allowed node (asymmetric cluster)`;
  if (total < 0) return `node "${localNode}" is banned (score ${scoreText(total)})`;
  return undefined;
}

function scoreText(s: number): string {
  return s <= -INF ? "-INFINITY" : s >= INF ? "INFINITY" : String(s);
}

/** `findById` for rules' `id-ref`s. */
export function resolver(cib: Cib): (id: string, tag: string) => CibElement | undefined {
  return (id, tag) => findById(cib, id, tag);
}
