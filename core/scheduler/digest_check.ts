/**
 * Definition changes (Pacemaker's pcmk__handle_rsc_config_changes): for each primitive active
 * on an available node, compare the digests recorded in its operation history with the ones
 * the current configuration gives. A changed restart digest, or a changed digest of an agent
 * that cannot reload, restarts the resource there ("due to resource definition change"); a
 * change only to reloadable parameters of an agent that recorded a restart digest (it
 * supports reload) reloads it. Recurring operations whose digest changed are rescheduled,
 * which the summary does not show. With crm_simulate's sanitized input, a change to private
 * parameters only (secure digest still equal) is ignored.
 *
 * Runs after the status is unpacked (before assignment): restarts go into
 * `Primitive.restartOn`; reloads are remembered here and turned into `Plan.reload` by
 * {@link applyReloads} once the plans are final.
 */
import type { Cib, CibElement } from "../cib/model.ts";
import { operationDigests, type OperationDigests } from "../cib/op_digest.ts";
import { deref, kid, kids } from "./_cib.ts";
import { parseIntervalMs, rulesPass, unpackNvSets, type RuleContext } from "./_rules.ts";
import { parseScore } from "./scores.ts";
import type { Plan } from "./_plan.ts";
import type { Primitive, Rsc, SNode, WorkingSet } from "./_model.ts";

/** What a definition check concluded for one history entry. */
export type DigestVerdict = "match" | "restart" | "reload" | "reschedule";

const reloads = new WeakMap<WorkingSet, Map<Primitive, Set<string>>>();

interface HistOp {
  readonly el: CibElement;
  readonly task: string;
  readonly interval: number;
  readonly callId: number;
  readonly status: string;
  readonly rc: string;
}

function readOps(lr: CibElement): HistOp[] {
  const ops = kids(lr, "lrm_rsc_op").map((el) => {
    const callId = Number.parseInt(el.attrs["call-id"] ?? "", 10);
    return {
      el, task: el.attrs.operation ?? "", interval: Number.parseInt(el.attrs.interval ?? "0", 10) || 0,
      callId: Number.isNaN(callId) ? 0 : callId, status: el.attrs["op-status"] ?? "", rc: el.attrs["rc-code"] ?? "",
    };
  });
  const key = (o: HistOp): number => (o.callId < 0 ? Number.MAX_SAFE_INTEGER : o.callId);
  return ops.sort((a, b) => key(a) - key(b));
}

/** Indexes of the last start-like and last stop entries (Pacemaker's calculate_active_ops). */
function activeRange(ops: readonly HistOp[]): { start: number; stop: number } {
  let start = -1, stop = -1, impliedMonitor = -1, impliedClone = -1;
  ops.forEach((o, i) => {
    if (o.task === "stop" && o.status === "0") stop = i;
    else if (o.task === "start" || o.task === "migrate_from") start = i;
    else if (impliedMonitor <= stop && o.task === "monitor") { if (o.rc === "0" || o.rc === "8") impliedMonitor = i; }
    else if (o.task === "promote" || o.task === "demote") impliedClone = i;
  });
  if (start === -1) start = impliedClone !== -1 ? impliedClone : impliedMonitor;
  return { start, stop };
}

function opsXml(p: Primitive, ws: WorkingSet): CibElement[] {
  const tmplId = p.xml.attrs.template;
  const tmpl = tmplId !== undefined ? ws.ids.get(tmplId) : undefined;
  const opsOf = (el: CibElement | undefined): CibElement[] => {
    const o = kid(el, "operations");
    return o ? kids(deref(o, ws.ids), "op").map((x) => deref(x, ws.ids)) : [];
  };
  return [...opsOf(p.xml), ...opsOf(tmpl)];
}

function findOp(p: Primitive, ws: WorkingSet, task: string, interval: number): CibElement | undefined {
  return opsXml(p, ws).find((o) => (o.attrs.name ?? "") === task && parseIntervalMs(o.attrs.interval, 0) === interval);
}

/**
 * Merge instance attribute sets as Pacemaker does for parameters: passing sets by descending
 * score, the first value of a name wins, and "#default" removes any value set so far.
 */
function mergeParams(sets: readonly CibElement[], ctx: RuleContext, into: Map<string, string>): Map<string, string> {
  const ordered = sets.map((s, i) => ({ s: deref(s, ctx.ids), i })).map((x) => ({ ...x, score: parseScore(x.s.attrs.score) }))
    .sort((a, b) => b.score - a.score || a.i - b.i);
  for (const { s } of ordered) {
    if (!rulesPass(s, ctx)) continue;
    for (const nv of kids(s, "nvpair")) {
      const ref = deref(nv, ctx.ids);
      const name = nv.attrs.name ?? ref.attrs.name;
      const value = nv.attrs.value ?? ref.attrs.value;
      if (name === undefined || value === undefined) continue;
      if (value.toLowerCase() === "#default") { into.delete(name); continue; }
      if (!into.has(name)) into.set(name, value);
    }
  }
  return into;
}

/** The resource's parameters on `node` (template and own sets, then ancestors fill gaps). */
function rscParams(p: Primitive, node: SNode, ws: WorkingSet, ctx: RuleContext): Map<string, string> {
  const nctx: RuleContext = { ...ctx, node: node.attrs };
  const tmplId = p.xml.attrs.template;
  const tmpl = tmplId !== undefined ? ws.ids.get(tmplId) : undefined;
  const sets = [...kids(tmpl, "instance_attributes"), ...kids(p.xml, "instance_attributes")];
  const out = mergeParams(sets, nctx, new Map());
  for (let r: Rsc | undefined = p.parent; r; r = r.parent) mergeParams(kids(r.xml, "instance_attributes"), nctx, out);
  return out;
}

function opTimeoutMs(op: CibElement | undefined, ws: WorkingSet, ctx: RuleContext): number {
  let spec = ws.opDefaults.get("timeout");
  if (op) {
    const meta = unpackNvSets(kids(op, "meta_attributes"), ctx);
    if (meta.has("timeout")) spec = meta.get("timeout");
    if (op.attrs.timeout !== undefined) spec = op.attrs.timeout;
  }
  const ms = parseIntervalMs(spec, -1);
  return ms < 0 ? 20000 : ms;
}

/** Digests the current configuration gives for one history entry of `p` on `node`. */
export function currentDigests(p: Primitive, node: SNode, xmlOp: CibElement, ws: WorkingSet, ctx: RuleContext,
  task: string, interval: number): { digests: OperationDigests; opParams: number } {
  const op = findOp(p, ws, task, interval);
  const opParams = op ? mergeParams(kids(op, "instance_attributes"), { ...ctx, node: node.attrs }, new Map()) : new Map<string, string>();
  const a = xmlOp.attrs;
  const digests = operationDigests({
    params: Object.fromEntries(rscParams(p, node, ws, ctx)),
    opParams: Object.fromEntries(opParams),
    intervalMs: interval,
    timeoutMs: opTimeoutMs(op, ws, ctx),
    secureParams: a["op-secure-params"] ?? "",
    ...(a["op-force-restart"] !== undefined ? { forceRestart: a["op-force-restart"] } : {}),
    ...(a["crm_feature_set"] !== undefined ? { featureSet: a["crm_feature_set"] } : {}),
    fencing: p.cls === "stonith",
  });
  return { digests, opParams: opParams.size };
}

/** Compare one history entry with the configuration (Pacemaker's pcmk__check_action_config). */
export function checkEntry(p: Primitive, node: SNode, xmlOp: CibElement, ws: WorkingSet, ctx: RuleContext): DigestVerdict {
  const a = xmlOp.attrs;
  const interval = Number.parseInt(a.interval ?? "0", 10) || 0;
  let task = a.operation ?? "";
  if (interval > 0 && !findOp(p, ws, task, interval)) return "match"; // orphaned recurring op: cancelled
  if (interval === 0 && (task === "monitor" || task === "migrate_from" || task === "promote")) task = "start";
  const { digests, opParams } = currentDigests(p, node, xmlOp, ws, ctx, task, interval);
  const recAll = a["op-digest"];
  const recRestart = a["op-restart-digest"];
  let verdict: DigestVerdict | "all" = "match";
  if (recRestart !== undefined && digests.restart !== recRestart) verdict = "restart";
  else if (recAll === undefined) verdict = "all";
  else if (recAll !== digests.all) verdict = interval === 0 && opParams > 0 ? "restart" : "all";
  if (verdict === "match") return "match";
  // Sanitized input (crm_simulate -x): only private parameters changed.
  const recSecure = a["op-secure-digest"];
  if (recSecure !== undefined && recSecure === digests.secure) return "match";
  if (verdict === "restart") return interval > 0 ? "reschedule" : "restart";
  if (interval > 0) return "reschedule";
  return recRestart !== undefined ? "reload" : "restart";
}

function nodeAvailable(n: SNode): boolean {
  return n.online && !n.shutdown && !n.unclean && !n.standby && !n.maintenance;
}

function historyIndex(cib: Cib): Map<string, Map<string, CibElement>> {
  const out = new Map<string, Map<string, CibElement>>();
  for (const st of kids(kid(cib, "status"), "node_state")) {
    const name = st.attrs.uname ?? st.attrs.id ?? "";
    const m = out.get(name) ?? new Map<string, CibElement>();
    for (const lr of kids(kid(kid(st, "lrm"), "lrm_resources"), "lrm_resource")) m.set(lr.attrs.id ?? "", lr);
    out.set(name, m);
  }
  return out;
}

function checkPrimitive(p: Primitive, node: SNode, lr: CibElement, ws: WorkingSet, ctx: RuleContext): void {
  const ops = readOps(lr);
  const { start, stop } = activeRange(ops);
  if (start < stop) return;
  for (let i = Math.max(start, 0); i < ops.length; i++) {
    const o = ops[i]!;
    if (o.interval === 0 && !["monitor", "start", "promote", "migrate_from"].includes(o.task)) continue;
    const v = checkEntry(p, node, o.el, ws, ctx);
    if (v === "restart") p.restartOn.add(node.name);
    else if (v === "reload") {
      const m = reloads.get(ws) ?? new Map<Primitive, Set<string>>();
      reloads.set(ws, m);
      const s = m.get(p) ?? new Set<string>();
      s.add(node.name);
      m.set(p, s);
    }
  }
}

/** Check every active primitive's history for definition changes (see the module documentation). */
export function checkDefinitionChanges(cib: Cib, ws: WorkingSet, ctx: RuleContext): void {
  const hist = historyIndex(cib);
  for (const r of ws.byId.values()) {
    if (r.kind !== "primitive" || r.orphan || (r.bundle !== undefined && r.bundle.part !== "child")) continue;
    const byNode = (r as { historyName?: Map<string, string> }).historyName;
    for (const name of r.running.keys()) {
      const node = ws.nodes.get(name);
      if (!node || !nodeAvailable(node)) continue;
      const lr = hist.get(name)?.get(byNode?.get(name) ?? r.id);
      if (lr) checkPrimitive(r, node, lr, ws, ctx);
    }
  }
}

/** Turn remembered reloads into `Plan.reload` where the resource stays put and is not restarted. */
export function applyReloads(ws: WorkingSet, plans: Map<Primitive, Plan>): void {
  const m = reloads.get(ws);
  if (!m) return;
  for (const [p, nodes] of m) {
    const pl = plans.get(p);
    if (!pl || !p.managed || pl.failed || pl.next === null || !nodes.has(pl.next)) continue;
    if (pl.stops.size > 0 || pl.start || pl.demote || p.failed.has(pl.next)) continue;
    pl.reload = true;
  }
}
