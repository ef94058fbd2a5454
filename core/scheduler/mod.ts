/**
 * The scheduler: a pure, deterministic function from a CIB (configuration + status) and a time
 * to a {@link Transition}. It reads like Pacemaker's pcmk__schedule_actions(), one phase per
 * file:
 *
 * 1. unpack_config.ts   cluster options, defaults, nodes
 * 2. unpack_resources.ts the resource tree, guest/remote nodes
 * 3. unpack_status.ts   membership, node attributes, operation history -> resource state
 * 4. constraints.ts     location, colocation, ordering, tickets (sets and tags)
 * 5. scores_init.ts     starting scores: locations, stickiness, failures, promotion
 * 6. assign.ts, assign_clone.ts, colocation.ts   assignment to nodes, promotion
 * 7. actions.ts         fencing, stops, starts, role changes, migration
 * 8. ordering.ts        restart propagation and blocked starts through orderings/colocations
 * 9. graph.ts, summary.ts   the action graph, the Transition Summary, the final placement
 *
 * @example
 * ```ts
 * import { schedule } from "./core/scheduler/mod.ts";
 * const t = schedule(cib, { now: new Date() });
 * console.log(t.summary, t.placement);
 * ```
 */
import type { Cib } from "../cib/model.ts";
import { kid, kids } from "./_cib.ts";
import { indexIds } from "./_cib.ts";
import { parseIsoDate, type RuleContext } from "./_rules.ts";
import type { WorkingSet } from "./_model.ts";
import { unpackDefaults, unpackNodes, unpackOptions } from "./unpack_config.ts";
import { unpackResources } from "./unpack_resources.ts";
import { unpackStatus } from "./unpack_status.ts";
import { unpackConstraints } from "./constraints.ts";
import { initScores } from "./scores_init.ts";
import { assignAll } from "./assign.ts";
import { decideFencing, planActions } from "./actions.ts";
import { fenceUnrecoverableRemotes } from "./remote_fencing.ts";
import { remoteNodesAfter } from "./remote_ordering.ts";
import { applyOrderings } from "./ordering.ts";
import { applyReloads, checkDefinitionChanges } from "./digest_check.ts";
import { buildGraph } from "./graph.ts";
import { bundleHosts, currentPlacement, finalPlacement, nodeSummaries, summarize, translateSummary } from "./summary.ts";
import type { SummaryEntry, Transition, ScoreContribution } from "./transition.ts";
import { scheduleUnfencing } from "./unfencing.ts";

export type * from "./transition.ts";

/** Options of {@link schedule}. */
export interface ScheduleOptions {
  /**
   * The effective current time (rules, failure-timeout). A Date, an ISO 8601 string, or
   * undefined for the CIB's `execution-date` (seconds since the epoch) or else the clock.
   */
  readonly now?: Date | string;
}

/** Resolve the effective time as crm_simulate does (explicit, else execution-date, else clock). */
export function effectiveNow(cib: Cib, now?: Date | string): Date {
  if (now instanceof Date) return now;
  if (typeof now === "string" && now.trim() !== "") {
    const d = parseIsoDate(now);
    if (!d) throw new RangeError(`Cannot parse time ${JSON.stringify(now)}: expected an ISO 8601 date and time`);
    return d;
  }
  const ed = cib.attrs["execution-date"];
  if (ed !== undefined && /^\d+$/.test(ed)) return new Date(Number(ed) * 1000);
  return new Date();
}

/** Unpack a CIB into the scheduler's working set (phases 1-4). */
export function unpack(cib: Cib, now: Date): WorkingSet {
  const ids = indexIds(cib);
  const ctx: RuleContext = { now, ids };
  const { options } = unpackOptions(cib, ctx);
  const dc = cib.attrs["dc-uuid"];
  const ws: WorkingSet = {
    now, options,
    rscDefaults: unpackDefaults(cib, "rsc_defaults", ctx),
    rscDefaultSets: kids(kid(kid(cib, "configuration"), "rsc_defaults"), "meta_attributes"),
    opDefaults: unpackDefaults(cib, "op_defaults", ctx),
    nodes: unpackNodes(cib, ctx, options),
    resources: [], byId: new Map(), colocations: [], orderings: [], locations: [], ticketDeps: [],
    ids, warnings: [], tickets: new Map(),
    ...(dc !== undefined ? { dcName: dc } : {}),
  };
  for (const n of ws.nodes.values()) n.attrs.set("#is_dc", dc !== undefined && n.id === dc ? "true" : "false");
  unpackResources(cib, ws, ctx);
  unpackStatus(cib, ws, ctx);
  checkDefinitionChanges(cib, ws, ctx);
  unpackConstraints(cib, ws, ctx);
  return ws;
}

/** Compute the transition for `cib` at `opts.now`. Pure: no I/O, deterministic. */
export function schedule(cib: Cib, opts: ScheduleOptions = {}): Transition {
  const now = effectiveNow(cib, opts.now);
  const ws = unpack(cib, now);
  const nodesBefore = nodeSummaries(ws, false);
  initScores(ws);
  const idx = assignAll(ws);
  fenceUnrecoverableRemotes(ws);
  decideFencing(ws);
  const plans = planActions(ws);
  applyOrderings(ws, plans, idx);
  applyReloads(ws, plans);
  scheduleUnfencing(ws, plans);
  const summary: SummaryEntry[] = [];
  for (const n of ws.nodes.values()) if (n.fence) summary.push({ action: "fence", node: n.name, op: n.fence });
  const hosts = bundleHosts(ws, plans);
  for (const pl of plans.values()) for (const e of summarize(pl)) summary.push(translateSummary(e, hosts));
  // The score table (resources x nodes) is large and only --show-scores/--explain read it:
  // built on first access, once.
  let scores: Record<string, Record<string, number>> | undefined;
  const explain: Record<string, ScoreContribution[]> = {};
  for (const r of ws.byId.values()) explain[r.id] = r.contributions;
  return {
    actions: buildGraph(ws, plans),
    summary,
    placement: finalPlacement(ws, plans, hosts),
    current: currentPlacement(plans),
    nodes: remoteNodesAfter(ws, plans, nodeSummaries(ws, true)),
    nodesBefore,
    get scores() {
      if (scores === undefined) {
        scores = {};
        for (const r of ws.byId.values()) scores[r.id] = Object.fromEntries(r.allowed);
      }
      return scores;
    },
    explain,
    warnings: ws.warnings,
  };
}
