/**
 * Constraint checks, after Pacemaker's constraint unpacking (pcmk_sched_location.c,
 * _colocation.c, _ordering.c, _tickets.c): references to resources, templates and tags,
 * resource sets, and attribute values (kind, symmetrical, influence, loss-policy, role).
 */
import type { CibElement } from "../model.ts";
import { type Ctx, isFalse, isTrue, kid, kids, loc, report, section, stonithEnabled } from "./_tree.ts";
import { allResources, inClone } from "./_rsc.ts";

type Kind = "resource" | "template" | "tag" | undefined;

const historyIds = new WeakMap<Ctx, Set<string>>();

/** Ids recorded in the status section's resource histories. */
function recorded(ctx: Ctx): Set<string> {
  let ids = historyIds.get(ctx);
  if (ids === undefined) {
    ids = new Set();
    for (const st of kids(ctx.status, "node_state")) {
      for (const r of kids(kid(kid(st, "lrm"), "lrm_resources"), "lrm_resource")) if (r.attrs.id) ids.add(r.attrs.id);
    }
    historyIds.set(ctx, ids);
  }
  return ids;
}

function refKind(ctx: Ctx, id: string): Kind {
  const el = ctx.byId.get(id);
  if (el === undefined) return undefined;
  if (el.tag === "template") return "template";
  if (el.tag === "tag") return "tag";
  if (!["primitive", "group", "clone", "master", "bundle"].includes(el.tag)) return undefined;
  // A resource inside a clone exists only as numbered instances; Pacemaker finds it by its
  // plain id only when the resource history recorded it under that name.
  const r = allResources(ctx).find((x) => x.el === el);
  if (r !== undefined && r.tag !== "clone" && r.tag !== "master" && inClone(r) && !recorded(ctx).has(id)) return undefined;
  return "resource";
}

function unknownRef(ctx: Ctx, c: CibElement, attr: string, at: CibElement = c): void {
  const v = at.attrs[attr];
  const inside = v !== undefined && ctx.byId.has(v);
  report(ctx, "error", "UNKNOWN_REFERENCE", loc(ctx, at, attr), v,
    inside ? "the id of the clone rather than of a resource inside it" : "the id of a resource, template or tag",
    inside
      ? `Constraint "${c.attrs.id}" refers to "${v}", which is inside a clone and cannot be constrained on its own (it is ignored)`
      : `Constraint "${c.attrs.id}" refers to "${v}", which is not a resource, template or tag (it is ignored)`);
}

function checkSets(ctx: Ctx, c: CibElement): void {
  for (const set of kids(c, "resource_set")) {
    if (set.attrs.id === undefined && set.attrs["id-ref"] === undefined) {
      report(ctx, "error", "MISSING_ID", loc(ctx, set), null, "an id attribute",
        `A resource set of constraint "${c.attrs.id}" has no id`);
    }
    for (const ref of kids(set, "resource_ref")) {
      const id = ref.attrs.id;
      if (id === undefined || refKind(ctx, id) === undefined) unknownRef(ctx, c, "id", ref);
    }
    if (c.tag === "rsc_order") checkOrderAttrs(ctx, set, c.attrs.kind);
  }
}

function checkOrderAttrs(ctx: Ctx, el: CibElement, parentKind: string | undefined): void {
  const kind = el.attrs.kind;
  if (kind !== undefined && !/^(mandatory|optional|serialize)$/i.test(kind)) {
    report(ctx, "error", "INVALID_ORDER_KIND", loc(ctx, el, "kind"), kind, "Mandatory, Optional or Serialize",
      `Order "${el.attrs.id}" has kind "${kind}", which is not valid (Mandatory is used)`);
  }
  const effective = kind ?? parentKind;
  if (effective !== undefined && /^serialize$/i.test(effective) && isTrue(el.attrs.symmetrical)) {
    report(ctx, "warning", "SYMMETRICAL_SERIALIZE", loc(ctx, el, "symmetrical"), el.attrs.symmetrical,
      "no symmetrical with kind Serialize",
      `Order "${el.attrs.id}" is symmetrical, which is not valid with kind "Serialize" (it is ignored)`);
  }
}

function checkLocation(ctx: Ctx, c: CibElement): void {
  const rsc = c.attrs.rsc;
  if (rsc !== undefined && refKind(ctx, rsc) === undefined) unknownRef(ctx, c, "rsc");
  const pattern = c.attrs["rsc-pattern"];
  if (pattern !== undefined) {
    try {
      new RegExp(pattern);
    } catch {
      report(ctx, "error", "INVALID_PATTERN", loc(ctx, c, "rsc-pattern"), pattern, "a regular expression",
        `Constraint "${c.attrs.id}" has rsc-pattern "${pattern}", which is not a valid regular expression`);
    }
  }
  const d = c.attrs["resource-discovery"];
  if (d !== undefined && !/^(always|never|exclusive)$/.test(d)) {
    report(ctx, "error", "INVALID_RESOURCE_DISCOVERY", loc(ctx, c, "resource-discovery"), d, "always, never or exclusive",
      `Constraint "${c.attrs.id}" has resource-discovery "${d}", which is not valid`);
  }
}

function checkColocation(ctx: Ctx, c: CibElement): void {
  const a = c.attrs.rsc;
  const b = c.attrs["with-rsc"];
  let ok = true;
  if (a !== undefined && refKind(ctx, a) === undefined) { unknownRef(ctx, c, "rsc"); ok = false; }
  if (b !== undefined && refKind(ctx, b) === undefined) { unknownRef(ctx, c, "with-rsc"); ok = false; }
  if (ok && a !== undefined && b !== undefined && refKind(ctx, a) !== "resource" && refKind(ctx, b) !== "resource") {
    report(ctx, "error", "COLOCATION_OF_TAGS", loc(ctx, c), c.attrs.id ?? null, "at least one side a resource",
      `Constraint "${c.attrs.id}" colocates two templates or tags, which is not possible (it is ignored)`);
  }
  const inf = c.attrs.influence;
  if (inf !== undefined && !isTrue(inf) && !isFalse(inf)) {
    report(ctx, "error", "INVALID_BOOLEAN", loc(ctx, c, "influence"), inf, "true or false",
      `Constraint "${c.attrs.id}" has influence "${inf}", which is not a boolean (the default is used)`);
  }
  if (isTrue(c.attrs.symmetrical)) {
    report(ctx, "warning", "REMOVED_ATTRIBUTE", loc(ctx, c, "symmetrical"), c.attrs.symmetrical,
      "no symmetrical attribute on a colocation", `Colocation "${c.attrs.id}" sets symmetrical, which has been removed`);
  }
}

function checkOrder(ctx: Ctx, c: CibElement): void {
  for (const attr of ["first", "then"]) {
    const v = c.attrs[attr];
    if (v !== undefined && refKind(ctx, v) === undefined) unknownRef(ctx, c, attr);
  }
  checkOrderAttrs(ctx, c, undefined);
  if (c.attrs.kind === undefined && c.attrs.score !== undefined) {
    report(ctx, "warning", "DEPRECATED_ORDER_SCORE", loc(ctx, c, "score"), c.attrs.score, "kind instead of score",
      `Order "${c.attrs.id}" uses score, which is deprecated (use kind)`);
  }
  if (c.attrs["require-all"] !== undefined) {
    report(ctx, "warning", "DEPRECATED_REQUIRE_ALL", loc(ctx, c, "require-all"), c.attrs["require-all"],
      "the clone-min meta attribute of the first clone",
      `Order "${c.attrs.id}" uses require-all, which is deprecated (use the clone-min clone meta attribute)`);
  }
  for (const attr of ["first-instance", "then-instance"]) {
    if (c.attrs[attr] !== undefined) {
      report(ctx, "warning", "DEPRECATED_INSTANCE", loc(ctx, c, attr), c.attrs[attr], "no instance attribute",
        `Order "${c.attrs.id}" uses ${attr}, which is deprecated`);
    }
  }
}

function checkTicket(ctx: Ctx, c: CibElement): void {
  const rsc = c.attrs.rsc;
  if (rsc !== undefined && refKind(ctx, rsc) === undefined) unknownRef(ctx, c, "rsc");
  if (c.attrs.ticket === undefined) {
    report(ctx, "error", "MISSING_ATTRIBUTE", loc(ctx, c), null, "a ticket attribute",
      `Constraint "${c.attrs.id}" names no ticket (it is ignored)`);
  }
  const lp = c.attrs["loss-policy"];
  if (lp === "fence" && !stonithEnabled(ctx)) {
    report(ctx, "error", "LOSS_POLICY_NEEDS_FENCING", loc(ctx, c, "loss-policy"), lp, "stop, demote or freeze when fencing is disabled",
      `Ticket constraint "${c.attrs.id}" uses loss-policy "fence" while fencing is disabled (stop is used)`);
  }
}

/** Check every constraint of the constraints section. */
export function checkConstraints(ctx: Ctx): void {
  for (const c of kids(section(ctx, "constraints"))) {
    if (c.attrs.id === undefined) {
      report(ctx, "error", "MISSING_ID", loc(ctx, c), null, "an id attribute", `A ${c.tag} constraint has no id (it is ignored)`);
      continue;
    }
    if (c.attrs.lifetime !== undefined || kid(c, "lifetime") !== undefined) {
      report(ctx, "warning", "DEPRECATED_LIFETIME", loc(ctx, c), c.attrs.id, "rules directly in the constraint",
        `Constraint "${c.attrs.id}" uses lifetime, which is deprecated`);
    }
    if (c.tag === "rsc_location") checkLocation(ctx, c);
    else if (c.tag === "rsc_colocation") checkColocation(ctx, c);
    else if (c.tag === "rsc_order") checkOrder(ctx, c);
    else if (c.tag === "rsc_ticket") checkTicket(ctx, c);
    else {
      report(ctx, "error", "UNKNOWN_CONSTRAINT", loc(ctx, c), c.tag, "rsc_location, rsc_colocation, rsc_order or rsc_ticket",
        `Constraint "${c.attrs.id}" has unsupported type "${c.tag}"`);
      continue;
    }
    checkSets(ctx, c);
  }
}
