/**
 * Status section checks that Pacemaker reports as configuration warnings when it unpacks the
 * status: node state for nodes no longer configured, and resources still active that are no
 * longer configured (active orphans), clone instances beyond the clone's limits, and a
 * failure-timeout ignored because of on-fail=block.
 */
import { clusterOptions, type Ctx, isFalse, isTrue, kids, loc, report } from "./_tree.ts";
import { allResources, opsOf, type Rsc, top } from "./_rsc.ts";
import { baseId, configuredNodes, lrmResources, nodeOfState, rscState, transientAttrs } from "./_history.ts";
import { parseIntervalMs } from "./_values.ts";

/** Check node_state entries and resource histories. */
export function checkStatus(ctx: Ctx): void {
  if (ctx.status === undefined) return;
  const nodes = configuredNodes(ctx);
  const configured = new Set(allResources(ctx).map((r) => r.id));
  // Implicit resources: a guest's connection (named by remote-node) and a bundle's replicas.
  const bundles: string[] = [];
  for (const r of allResources(ctx)) {
    const rn = r.ownMeta.get("remote-node")?.value;
    if (rn !== undefined) configured.add(rn);
    if (r.tag === "bundle") bundles.push(r.id + "-");
  }
  const implicit = (id: string): boolean => bundles.some((b) => id.startsWith(b));
  const stopOrphans = !isFalse(clusterOptions(ctx).get("stop-orphan-resources"));
  for (const state of kids(ctx.status, "node_state")) {
    if (state.attrs.id === undefined || state.attrs.uname === undefined) continue;
    const node = nodeOfState(nodes, state);
    if (node === undefined) {
      report(ctx, "warning", "UNKNOWN_NODE_STATE", loc(ctx, state), state.attrs.uname, "a node of the configuration",
        `Recorded state of node "${state.attrs.uname}" is ignored because the node is no longer in the configuration`);
      continue;
    }
    for (const lrm of lrmResources(state)) {
      const id = lrm.attrs.id;
      if (id === undefined || configured.has(id) || configured.has(baseId(id)) || implicit(id)) continue;
      if (!rscState(lrm).active) continue;
      report(ctx, "warning", "ACTIVE_ORPHAN", loc(ctx, lrm), id, "a configured resource, or the resource stopped",
        stopOrphans
          ? `Resource "${id}" is active on ${node.name} but no longer configured (it will be stopped)`
          : `Resource "${id}" is active on ${node.name} but no longer configured and must be stopped manually`);
    }
  }
}

/**
 * A failure-timeout is ignored for a resource with failures when one of its operations uses
 * on-fail=block (Pacemaker warns when it computes the fail count).
 */
export function checkFailureTimeout(ctx: Ctx): void {
  if (ctx.status === undefined) return;
  const failing = new Set<string>();
  for (const state of kids(ctx.status, "node_state")) {
    for (const [name, value] of transientAttrs(ctx, state)) {
      const m = /^fail-count-(.+?)(#.+_\d+)?$/.exec(name);
      if (m !== null && value !== undefined && value !== "0" && value !== "") failing.add(m[1]!);
    }
  }
  for (const r of allResources(ctx)) {
    if (r.tag !== "primitive" || !failing.has(r.id)) continue;
    const ft = r.meta.get("failure-timeout");
    const ms = parseIntervalMs(ft);
    if (ft === undefined || ms === undefined || ms === 0) continue;
    const block = opsOf(ctx, r.el).find((op) => op.attrs["on-fail"]?.toLowerCase() === "block");
    if (block === undefined) continue;
    report(ctx, "warning", "FAILURE_TIMEOUT_IGNORED", loc(ctx, block, "on-fail"), ft,
      "no failure-timeout, or an on-fail other than block",
      `Failure timeout "${ft}" of resource "${r.id}" is ignored because it conflicts with on-fail=block`);
  }
}

/**
 * Active clone instances beyond what the clone allows (clone-max overall and one per node for
 * anonymous clones, instance numbers from clone-max up for unique ones) are orphans.
 */
export function checkCloneOrphans(ctx: Ctx): void {
  if (ctx.status === undefined) return;
  const nodes = configuredNodes(ctx);
  const clonePrims = new Map<string, Rsc>();
  for (const r of allResources(ctx)) {
    if (r.tag !== "primitive") continue;
    const t = top(r);
    if (t.tag === "clone" || t.tag === "master") clonePrims.set(r.id, t);
  }
  const total = new Map<string, number>();
  for (const state of kids(ctx.status, "node_state")) {
    const node = nodeOfState(nodes, state);
    if (node === undefined) continue;
    const perNode = new Map<string, number>();
    for (const lrm of lrmResources(state)) {
      const id = lrm.attrs.id ?? "";
      const base = baseId(id);
      const clone = clonePrims.get(base);
      if (clone === undefined || !rscState(lrm).active) continue;
      const max = intMeta(clone, "clone-max", nodes.length);
      const unique = isTrue(clone.meta.get("globally-unique"));
      const n = (perNode.get(base) ?? 0) + 1;
      const t = (total.get(base) ?? 0) + 1;
      perNode.set(base, n);
      total.set(base, t);
      const inst = id === base ? 0 : Number(id.slice(base.length + 1));
      // Unique instances are named; anonymous ones are matched to free instances, one per node.
      if (unique ? inst >= max : t > max || n > 1) {
        report(ctx, "warning", "ACTIVE_ORPHAN", loc(ctx, lrm), id, `at most ${max} instance(s) of clone "${clone.id}"`,
          `Clone instance "${id}" is active on ${node.name} beyond what clone "${clone.id}" allows (it will be stopped)`);
      }
    }
  }
}

function intMeta(r: Rsc, name: string, dflt: number): number {
  const v = r.meta.get(name);
  return v !== undefined && /^\s*\d+\s*$/.test(v) ? Number(v) : dflt;
}
