/**
 * Phase 2a: constraints. Location (node or rules, rsc-pattern, roles, resource-discovery),
 * colocation and ordering (pairs and resource sets), tickets. Tags expand to their members.
 */
import type { Cib, CibElement } from "../cib/model.ts";
import { kid, kids, bool, deref } from "./_cib.ts";
import { evaluateRule, type RuleContext } from "./_rules.ts";
import { parseScore, INFINITY } from "./scores.ts";
import { parseRole } from "./unpack_resources.ts";
import type { Clone, Ordering, Rsc, WorkingSet } from "./_model.ts";

function resolver(cib: Cib, ws: WorkingSet): (id: string | undefined) => Rsc[] {
  const tags = new Map<string, string[]>();
  for (const t of kids(kid(kid(cib, "configuration"), "tags"), "tag")) {
    tags.set(t.attrs.id ?? "", kids(t, "obj_ref").map((o) => o.attrs.id ?? ""));
  }
  const templateOf = new Map<string, Clone>();
  for (const r of ws.resources) {
    if (r.kind !== "clone") continue;
    templateOf.set(r.template.attrs.id ?? "", r);
  }
  const users = new Map<string, Rsc[]>();
  for (const r of ws.byId.values()) {
    const tpl = r.xml.attrs.template;
    if (tpl && r.kind === "primitive" && r.instance === undefined) (users.get(tpl) ?? users.set(tpl, []).get(tpl)!).push(r);
  }
  const one = (id: string): Rsc[] => {
    const r = ws.byId.get(id);
    if (r && !(r.kind === "primitive" && r.instance !== undefined)) return [r];
    const c = templateOf.get(id);
    if (c) return [c];
    const u = users.get(id);
    if (u) return u;
    return [];
  };
  return (id) => {
    if (id === undefined) return [];
    const t = tags.get(id);
    if (t) return t.flatMap(one);
    return one(id);
  };
}

/** Ids of `<tag>`s and `<template>`s (that are not also resource ids). */
function tagAndTemplateIds(cib: Cib, ws: WorkingSet): Set<string> {
  const conf = kid(cib, "configuration");
  const ids = [...kids(kid(conf, "tags"), "tag"), ...kids(kid(conf, "resources"), "template")].map((e) => e.attrs.id ?? "");
  return new Set(ids.filter((id) => id && !ws.byId.has(id)));
}

function nodeCtx(ws: WorkingSet, ctx: RuleContext, node: string): RuleContext {
  return { ...ctx, node: ws.nodes.get(node)!.attrs };
}

function unpackLocation(el: CibElement, ws: WorkingSet, ctx: RuleContext, find: (id: string | undefined) => Rsc[]): void {
  let rscs = find(el.attrs.rsc);
  const pattern = el.attrs["rsc-pattern"];
  if (pattern !== undefined) {
    let re: RegExp | undefined;
    try { re = new RegExp(pattern); } catch { ws.warnings.push(`Invalid rsc-pattern "${pattern}" in ${el.attrs.id}`); }
    rscs = re ? ws.resources.filter((r) => re!.test(r.id)) : [];
  }
  const sets = kids(el, "resource_set");
  for (const s of sets) for (const ref of kids(s, "resource_ref")) rscs.push(...find(ref.attrs.id));
  if (!rscs.length) return;
  const role = parseRole(el.attrs.role);
  const discovery = el.attrs["resource-discovery"];
  const source = `location constraint ${el.attrs.id ?? "?"}`;
  const add = (node: string, score: number, src: string): void => {
    if (!ws.nodes.has(node)) return;
    for (const rsc of rscs) {
      ws.locations.push({ rsc, node, score, source: src, ...(role && role !== "Started" ? { role } : {}), ...(discovery ? { discovery } : {}) });
    }
  };
  if (el.attrs.node !== undefined) {
    add(el.attrs.node, parseScore(el.attrs.score), source);
    return;
  }
  for (const ruleIn of kids(el, "rule")) {
    const rule = deref(ruleIn, ws.ids);
    const rrole = parseRole(rule.attrs.role);
    for (const node of ws.nodes.keys()) {
      const r = evaluateRule(rule, nodeCtx(ws, ctx, node));
      if (!r.passed) continue;
      const score = r.score ?? 0;
      for (const rsc of rscs) {
        const effRole = rrole ?? role;
        ws.locations.push({ rsc, node, score, source: `${source} rule ${rule.attrs.id ?? ""}`.trim(),
          ...(effRole && effRole !== "Started" ? { role: effRole } : {}), ...(discovery ? { discovery } : {}) });
      }
    }
  }
}

function pushColoc(ws: WorkingSet, id: string, dep: Rsc, prim: Rsc, score: number, dRole: string | undefined,
  pRole: string | undefined, attr: string | undefined, influence: string | undefined): void {
  if (dep === prim) return;
  const dr = parseRole(dRole), pr = parseRole(pRole);
  ws.colocations.push({
    id, dependent: dep, primary: prim, score,
    ...(dr && dr !== "Started" ? { dependentRole: dr } : {}),
    ...(pr && pr !== "Started" ? { primaryRole: pr } : {}),
    nodeAttribute: attr ?? "#uname",
    influence: bool(influence ?? dep.meta.get("critical"), true),
  });
}

function setMembers(s: CibElement, find: (id: string | undefined) => Rsc[]): Rsc[] {
  return kids(s, "resource_ref").flatMap((r) => find(r.attrs.id));
}

function unpackColocation(el: CibElement, ws: WorkingSet, find: (id: string | undefined) => Rsc[], refs: Set<string>): void {
  const id = el.attrs.id ?? "";
  const score = parseScore(el.attrs.score);
  const sets = kids(el, "resource_set").map((s) => deref(s, ws.ids));
  const attr = el.attrs["node-attribute"];
  if (!sets.length) {
    if (refs.has(el.attrs.rsc ?? "") && refs.has(el.attrs["with-rsc"] ?? "")) {
      ws.warnings.push(`Ignoring constraint "${id}" because two templates or tags cannot be colocated`);
      return;
    }
    for (const d of find(el.attrs.rsc)) for (const p of find(el.attrs["with-rsc"])) {
      pushColoc(ws, id, d, p, score, el.attrs["rsc-role"], el.attrs["with-rsc-role"], attr, el.attrs.influence);
    }
    return;
  }
  for (const s of sets) {
    const members = setMembers(s, find);
    const sScore = s.attrs.score !== undefined ? parseScore(s.attrs.score) : score;
    if (bool(s.attrs.sequential, true)) {
      const listed = (s.attrs.ordering ?? "group").toLowerCase() !== "group";
      for (let i = 1; i < members.length; i++) {
        if (sScore < 0) {
          // Anti-colocation: each member against every member before it (Pacemaker 2.1.5).
          for (let j = 0; j < i; j++) pushColoc(ws, id, members[i]!, members[j]!, sScore, s.attrs.role, s.attrs.role, attr, el.attrs.influence);
        } else if (sScore > 0 && listed) {
          pushColoc(ws, id, members[i - 1]!, members[i]!, sScore, s.attrs.role, s.attrs.role, attr, el.attrs.influence);
        } else if (sScore > 0) {
          pushColoc(ws, id, members[i]!, members[i - 1]!, sScore, s.attrs.role, s.attrs.role, attr, el.attrs.influence);
        }
      }
    }
  }
  for (let i = 0; i + 1 < sets.length; i++) {
    const s1 = sets[i]!, s2 = sets[i + 1]!;
    const m1 = setMembers(s1, find), m2 = setMembers(s2, find);
    const deps = bool(s1.attrs.sequential, true) ? m1.slice(0, 1) : m1;
    const prims = bool(s2.attrs.sequential, true) ? m2.slice(-1) : m2;
    for (const d of deps) for (const p of prims) pushColoc(ws, id, d, p, score, s1.attrs.role, s2.attrs.role, attr, el.attrs.influence);
  }
}

function orderKind(el: CibElement): { kind: Ordering["kind"]; symmetrical: boolean } {
  const k = (el.attrs.kind ?? "").toLowerCase();
  let kind: Ordering["kind"] = "Mandatory";
  if (k === "optional") kind = "Optional";
  else if (k === "serialize") kind = "Serialize";
  else if (!k && el.attrs.score !== undefined && parseScore(el.attrs.score) === 0) kind = "Optional";
  const symmetrical = bool(el.attrs.symmetrical, kind !== "Serialize");
  return { kind, symmetrical };
}

function unpackOrder(el: CibElement, ws: WorkingSet, find: (id: string | undefined) => Rsc[]): void {
  const id = el.attrs.id ?? "";
  const { kind, symmetrical } = orderKind(el);
  const sets = kids(el, "resource_set").map((s) => deref(s, ws.ids));
  const push = (f: Rsc, fa: string, t: Rsc, ta: string, alts?: Rsc[]): void => {
    if (f === t) return;
    ws.orderings.push({ id, first: f, firstAction: fa, then: t, thenAction: ta, kind, symmetrical, ...(alts ? { alternatives: alts } : {}) });
  };
  if (!sets.length) {
    const fa = el.attrs["first-action"] ?? "start";
    const ta = el.attrs["then-action"] ?? fa;
    const anyInstance = !bool(el.attrs["require-all"], true);
    for (const f of find(el.attrs.first)) for (const t of find(el.attrs.then)) {
      if (f === t) continue;
      ws.orderings.push({ id, first: f, firstAction: fa, then: t, thenAction: ta, kind, symmetrical, ...(anyInstance ? { anyInstance } : {}) });
    }
    return;
  }
  for (const s of sets) {
    if (!bool(s.attrs.sequential, true)) continue;
    const m = setMembers(s, find);
    const a = s.attrs.action ?? "start";
    for (let i = 1; i < m.length; i++) push(m[i - 1]!, a, m[i]!, a);
  }
  for (let i = 0; i + 1 < sets.length; i++) {
    const s1 = sets[i]!, s2 = sets[i + 1]!;
    const m1 = setMembers(s1, find), m2 = setMembers(s2, find);
    const firsts = bool(s1.attrs.sequential, true) ? m1.slice(-1) : m1;
    const thens = bool(s2.attrs.sequential, true) ? m2.slice(0, 1) : m2;
    const anyOf = !bool(s1.attrs["require-all"], true);
    for (const t of thens) {
      if (anyOf && firsts.length > 0) push(firsts[0]!, s1.attrs.action ?? "start", t, s2.attrs.action ?? "start", firsts);
      else for (const f of firsts) push(f, s1.attrs.action ?? "start", t, s2.attrs.action ?? "start");
    }
  }
}

function unpackTicket(el: CibElement, ws: WorkingSet, find: (id: string | undefined) => Rsc[]): void {
  const ticket = el.attrs.ticket ?? "";
  const lossPolicy = (el.attrs["loss-policy"] ?? "stop").toLowerCase();
  const add = (r: Rsc, role: string | undefined): void => {
    const rl = parseRole(role);
    ws.ticketDeps.push({ rsc: r, ticket, lossPolicy, ...(rl && rl !== "Started" ? { role: rl } : {}) });
  };
  for (const r of find(el.attrs.rsc)) add(r, el.attrs["rsc-role"]);
  for (const s of kids(el, "resource_set")) for (const r of setMembers(deref(s, ws.ids), find)) add(r, s.attrs.role);
}

/** Unpack `<constraints>` and the tickets of the status section. */
export function unpackConstraints(cib: Cib, ws: WorkingSet, ctx: RuleContext): void {
  const find = resolver(cib, ws);
  const refs = tagAndTemplateIds(cib, ws);
  for (const t of kids(kid(kid(cib, "status"), "tickets"), "ticket_state")) {
    ws.tickets.set(t.attrs.id ?? "", { granted: bool(t.attrs.granted, false), standby: bool(t.attrs.standby, false) });
  }
  for (const el of kids(kid(kid(cib, "configuration"), "constraints"))) {
    switch (el.tag) {
      case "rsc_location": unpackLocation(el, ws, ctx, find); break;
      case "rsc_colocation": unpackColocation(el, ws, find, refs); break;
      case "rsc_order": unpackOrder(el, ws, find); break;
      case "rsc_ticket": unpackTicket(el, ws, find); break;
      default: break;
    }
  }
}
