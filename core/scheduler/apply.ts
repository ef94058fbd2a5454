/**
 * Apply a transition to a CIB as if every runnable action succeeded (what crm_simulate -S
 * writes with --save-output): fenced nodes leave the membership with an empty history, and each
 * resource action is recorded in the node's operation history.
 */
import { isElement, type Cib, type CibElement, type CibNode } from "../cib/model.ts";
import type { Transition, TransitionAction } from "./transition.ts";

function el(tag: string, attrs: Record<string, string>, children: CibNode[] = []): CibElement {
  return { tag, attrs, children };
}

function maxCallId(e: CibElement): number {
  let m = 0;
  const walk = (x: CibElement): void => {
    if (x.tag === "lrm_rsc_op") m = Math.max(m, Number(x.attrs["call-id"] ?? 0) || 0);
    for (const c of x.children) if (isElement(c)) walk(c);
  };
  walk(e);
  return m;
}

const RC: Record<string, number> = { start: 0, stop: 0, promote: 0, demote: 0, monitor: 0, migrate_to: 0, migrate_from: 0 };

function opFor(a: TransitionAction, callId: number, promoted: boolean): CibElement {
  const op = a.kind === "pseudo" ? "stop" : a.kind;
  const rc = op === "monitor" && promoted ? 8 : RC[op] ?? 0;
  const id = a.interval > 0 ? `${a.resource}_${op}_${a.interval}` : `${a.resource}_last_0`;
  return el("lrm_rsc_op", {
    id, operation_key: `${a.resource}_${op}_${a.interval}`, operation: op, "crm-debug-origin": "atrium-simulate",
    "transition-key": `${a.id}:1:${rc}:00000000-0000-0000-0000-000000000000`,
    "transition-magic": `0:${rc};${a.id}:1:${rc}:00000000-0000-0000-0000-000000000000`,
    "call-id": String(callId), "rc-code": String(rc), "op-status": "0", interval: String(a.interval),
  });
}

function withChildren(e: CibElement, children: CibNode[]): CibElement {
  return { tag: e.tag, attrs: e.attrs, children };
}

/** The CIB after `t` has been carried out successfully. */
export function applyTransition(cib: Cib, t: Transition): Cib {
  let callId = maxCallId(cib) + 1;
  const fenced = new Set(t.actions.filter((a) => a.kind === "fence").map((a) => a.node!));
  const byNode = new Map<string, TransitionAction[]>();
  const promotedAfter = new Set<string>();
  for (const a of t.actions) {
    if (!a.runnable || a.kind === "fence" || !a.resource || !a.node) continue;
    if (a.kind === "promote") promotedAfter.add(`${a.resource}@${a.node}`);
    const l = byNode.get(a.node) ?? [];
    l.push(a);
    byNode.set(a.node, l);
  }
  const status = cib.children.find((c): c is CibElement => isElement(c, "status"));
  const seen = new Set<string>();
  const newStates: CibNode[] = [];
  for (const c of status?.children ?? []) {
    if (!isElement(c, "node_state")) { newStates.push(c); continue; }
    const name = c.attrs.uname ?? c.attrs.id ?? "";
    seen.add(name);
    if (fenced.has(name)) {
      newStates.push(el("node_state", { ...c.attrs, in_ccm: "false", crmd: "offline", join: "down", expected: "down" },
        [el("lrm", { id: c.attrs.id ?? name }, [el("lrm_resources", {})])]));
      continue;
    }
    const acts = byNode.get(name) ?? [];
    if (!acts.length) { newStates.push(c); continue; }
    const lrm = c.children.find((x): x is CibElement => isElement(x, "lrm")) ?? el("lrm", { id: c.attrs.id ?? name });
    const lrs = lrm.children.find((x): x is CibElement => isElement(x, "lrm_resources")) ?? el("lrm_resources", {});
    const rscs: CibElement[] = lrs.children.filter((x): x is CibElement => isElement(x));
    for (const a of acts) {
      let idx = rscs.findIndex((r) => r.attrs.id === a.resource);
      if (idx < 0) { rscs.push(el("lrm_resource", { id: a.resource! })); idx = rscs.length - 1; }
      const r = rscs[idx]!;
      const op = opFor(a, callId++, promotedAfter.has(`${a.resource}@${name}`));
      const kept = r.children.filter((x) => !(isElement(x) && x.attrs.id === op.attrs.id));
      rscs[idx] = withChildren(r, [...kept, op]);
    }
    const newLrs = withChildren(lrs, rscs);
    const newLrm = withChildren(lrm, [...lrm.children.filter((x) => !isElement(x, "lrm_resources")), newLrs]);
    newStates.push(withChildren(c, [...c.children.filter((x) => !isElement(x, "lrm")), newLrm]));
  }
  const newStatus = el("status", status?.attrs ?? {}, newStates);
  return { tag: "cib", attrs: cib.attrs, children: [...cib.children.filter((c) => !isElement(c, "status")), newStatus] } as Cib;
}
