/**
 * When to run the scheduler again without any change: the earliest time-based event the
 * controller can see — a date expression changing its result (rules in constraints,
 * attribute sets and options), a failure expiring (`last-failure` + the resource's `failure-timeout`,
 * for a remote connection without one its `reconnect_interval`, else
 * {@link IMPLICIT_CONNECTION_RETRY}) — bounded by `cluster-recheck-interval` (default 15
 * minutes; 0 disables the bound).
 *
 * @example
 * ```ts
 * const ms = recheckDelayMs(cib, Date.now());  // e.g. 900000
 * ```
 * @module
 */
import { type Cib, type CibElement, isElement } from "../cib/model.ts";
import { evaluateRule } from "../cib/rules/mod.ts";
import { clusterProperties, nodeStates, primitives, transientAttributes, nvValues, rscDefaults } from "../cib/query.ts";
import { durationMs } from "./_duration.ts";

/**
 * Atrium's default `reconnect_interval` for remote connections without one: their failures
 * expire after this long, so a remote node whose daemon comes back rejoins by itself (Pacemaker
 * 2.1.5 needs a manual cleanup then), and a failed connection is not restarted before its node's
 * resources have moved (agents/atriumd adds it to the scheduler's view).
 */
export const IMPLICIT_CONNECTION_RETRY = "5s";

/** Default `cluster-recheck-interval` (Pacemaker 2.1.5: 15 minutes). */
export const DEFAULT_RECHECK_MS = 15 * 60_000;

/** Milliseconds until the next recheck, or undefined for none. */
export function recheckDelayMs(cib: Cib, nowMs: number): number | undefined {
  const props = clusterProperties(cib);
  const interval = durationMs(props.get("cluster-recheck-interval"), DEFAULT_RECHECK_MS);
  let best = interval > 0 ? interval : undefined;
  const rule = nextRuleChangeMs(cib, nowMs);
  if (rule !== undefined && (best === undefined || rule < best)) best = rule;
  const defaults = rscDefaults(cib);
  const timeouts = new Map<string, number>();
  const connections = new Set<string>();
  for (const p of primitives(cib)) {
    const meta = nvValues(p, "meta_attributes", { cib });
    let ft = durationMs(meta.get("failure-timeout") ?? defaults.get("failure-timeout"), 0);
    if (ft <= 0 && isConnection(p) && p.attrs.id !== undefined) {
      const ri = nvValues(p, "instance_attributes", { cib }).get("reconnect_interval");
      ft = durationMs(ri, 0) > 0 ? durationMs(ri, 0) : durationMs(IMPLICIT_CONNECTION_RETRY, 0);
      connections.add(p.attrs.id);
    }
    if (ft > 0 && p.attrs.id !== undefined) timeouts.set(p.attrs.id, ft);
  }
  if (timeouts.size === 0) return best;
  for (const ns of nodeStates(cib)) {
    for (const [name, value] of transientAttributes(ns)) {
      const m = /^last-failure-(.+?)(?::\d+)?#/.exec(name);
      if (!m) continue;
      const ft = timeouts.get(m[1]!);
      const at = Number(value) * 1000;
      if (ft === undefined || !Number.isFinite(at)) continue;
      // Connections are retried promptly (the scheduler compares whole seconds).
      const due = at + ft - nowMs + (connections.has(m[1]!) ? 250 : 1000);
      if (due > 0 && (best === undefined || due < best)) best = due;
    }
  }
  return best;
}

/**
 * Milliseconds until the earliest future time at which a date expression anywhere in the
 * configuration changes its result (location rules, attribute sets, cluster options), or
 * undefined. Each date expression is evaluated on its own, so one that an `and`/`or` would skip
 * today still wakes the controller when it flips (a spare recheck at worst).
 */
export function nextRuleChangeMs(cib: Cib, nowMs: number): number | undefined {
  const config = cib.children.find((c): c is CibElement => isElement(c, "configuration"));
  if (config === undefined) return undefined;
  const now = new Date(nowMs);
  let best: number | undefined;
  const visit = (el: CibElement): void => {
    if (el.tag === "date_expression") {
      const r = evaluateRule({ tag: "rule", attrs: { id: "recheck" }, children: [el] }, { now });
      const at = r.nextChange?.getTime();
      if (at !== undefined && at > nowMs && (best === undefined || at - nowMs < best)) best = at - nowMs;
      return;
    }
    for (const c of el.children) if (isElement(c)) visit(c);
  };
  visit(config);
  return best;
}

function isConnection(p: { attrs: Record<string, string | undefined> }): boolean {
  return p.attrs.class === "ocf" && p.attrs.provider === "pacemaker" && p.attrs.type === "remote";
}
