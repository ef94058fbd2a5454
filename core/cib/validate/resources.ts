/**
 * Resource checks, after Pacemaker's resource unpacking (complex.c, group.c, clone.c,
 * native.c, utils.c): target-role, requires, multiple-active, deprecated meta attributes,
 * empty groups and clones, templates, and classes that cannot be unique or promotable clones.
 */
import type { CibElement } from "../model.ts";
import { type Ctx, isFalse, isTrue, kids, loc, report, stonithEnabled } from "./_tree.ts";
import { agentOf, allResources, isPromotable, type Rsc, templates, top } from "./_rsc.ts";

const ROLES = new Map([
  ["stopped", 1], ["started", 2], ["unpromoted", 3], ["slave", 3], ["promoted", 4], ["master", 4],
]);

function metaAt(ctx: Ctx, r: Rsc, name: string): string {
  for (let p: Rsc | undefined = r; p !== undefined; p = p.parent) {
    const m = p.ownMeta.get(name);
    if (m !== undefined) return loc(ctx, m.el, "value");
  }
  return loc(ctx, r.el);
}

function checkTargetRole(ctx: Ctx, r: Rsc): void {
  const v = r.meta.get("target-role");
  if (v === undefined || /^(started|default)$/i.test(v)) return;
  const role = ROLES.get(v.toLowerCase());
  if (role === undefined) {
    report(ctx, "error", "INVALID_TARGET_ROLE", metaAt(ctx, r, "target-role"), v,
      "Stopped, Started, Unpromoted or Promoted",
      `Resource "${r.id}" has target-role "${v}", which is not a role (it is ignored)`);
  } else if (role > 2 && !isPromotable(top(r))) {
    report(ctx, "error", "TARGET_ROLE_NOT_PROMOTABLE", metaAt(ctx, r, "target-role"), v,
      "Stopped or Started for a resource that is not in a promotable clone",
      `Resource "${r.id}" has target-role "${v}", which only makes sense for promotable clones`);
  }
}

function checkRequires(ctx: Ctx, r: Rsc, fencing: boolean): void {
  const v = r.meta.get("requires");
  if (v === undefined) return;
  const lower = v.toLowerCase();
  const isStonith = r.tag === "primitive" && agentOf(ctx, r.el).cls === "stonith";
  if (lower === "nothing" || lower === "quorum") return;
  if (lower === "fencing") {
    if (!fencing) {
      report(ctx, "warning", "REQUIRES_FENCING_DISABLED", metaAt(ctx, r, "requires"), v,
        "stonith-enabled=true, or requires=quorum",
        `Resource "${r.id}" requires fencing but fencing is disabled`);
    }
  } else if (lower === "unfencing") {
    if (isStonith || !fencing) {
      report(ctx, "warning", "REQUIRES_UNFENCING_IGNORED", metaAt(ctx, r, "requires"), v,
        isStonith ? "quorum for a fencing device" : "stonith-enabled=true, or requires=quorum",
        `Resource "${r.id}" cannot require unfencing ${isStonith ? "because it is a fencing device" : "because fencing is disabled"} (quorum is used)`);
    }
  } else {
    report(ctx, "error", "INVALID_REQUIRES", metaAt(ctx, r, "requires"), v,
      "nothing, quorum, fencing or unfencing",
      `Resource "${r.id}" has requires "${v}", which is not valid (the default is used)`);
  }
}

function checkMeta(ctx: Ctx, r: Rsc): void {
  const restart = r.meta.get("restart-type");
  if (restart !== undefined && restart.toLowerCase() === "restart") {
    report(ctx, "warning", "DEPRECATED_RESTART_TYPE", metaAt(ctx, r, "restart-type"), restart,
      "no restart-type (use ordering constraints)",
      `Resource "${r.id}" uses restart-type, which is deprecated`);
  }
  const multiple = r.meta.get("multiple-active");
  if (multiple !== undefined && !/^(stop_only|block|stop_unexpected|stop_start)$/i.test(multiple)) {
    report(ctx, "warning", "INVALID_MULTIPLE_ACTIVE", metaAt(ctx, r, "multiple-active"), multiple,
      "stop_start, stop_only, block or stop_unexpected",
      `Resource "${r.id}" has multiple-active "${multiple}", which is not valid (stop_start is used)`);
  }
  const threshold = r.meta.get("migration-threshold");
  if (threshold !== undefined && /^\s*-/.test(threshold)) {
    report(ctx, "warning", "NEGATIVE_MIGRATION_THRESHOLD", metaAt(ctx, r, "migration-threshold"), threshold,
      "a non-negative integer",
      `Resource "${r.id}" has a negative migration-threshold "${threshold}" (1 is used)`);
  }
  if (r.tag === "group") {
    for (const name of ["ordered", "collocated"]) {
      const v = r.meta.get(name);
      if (v !== undefined && isFalse(v)) {
        report(ctx, "warning", "DEPRECATED_GROUP_META", metaAt(ctx, r, name), v,
          "no " + name + " meta attribute (use a resource set instead)",
          `Group "${r.id}" sets "${name}" to false, which is deprecated`);
      }
    }
    if (kids(r.el, "primitive").length === 0) {
      report(ctx, "warning", "EMPTY_GROUP", loc(ctx, r.el), r.id, "at least one primitive",
        `Group "${r.id}" has no members and is ignored`);
    }
  }
  if (r.tag === "clone" || r.tag === "master") {
    const child = kids(r.el).find((c) => c.tag === "primitive" || c.tag === "group");
    if (child === undefined) {
      report(ctx, "error", "EMPTY_CLONE", loc(ctx, r.el), r.id, "a primitive or group to clone",
        `Clone "${r.id}" has nothing to clone`);
    }
    const unique = isTrue(r.meta.get("globally-unique"));
    const nodeMax = r.meta.get("clone-node-max");
    if (!unique && nodeMax !== undefined && /^\d+$/.test(nodeMax) && Number(nodeMax) > 1) {
      report(ctx, "error", "CLONE_NODE_MAX_ANONYMOUS", metaAt(ctx, r, "clone-node-max"), nodeMax,
        "1 for an anonymous clone (or globally-unique=true)",
        `Clone "${r.id}" is anonymous, so it supports only one instance per node`);
    }
  }
}

function checkPrimitiveInClone(ctx: Ctx, r: Rsc): void {
  const t = top(r);
  if (t.tag !== "clone" && t.tag !== "master") return;
  const { cls } = agentOf(ctx, r.el);
  if (cls === "ocf" || cls === "") return;
  // stonith keeps the "unique" capability for compatibility.
  if (cls !== "stonith" && isTrue(t.meta.get("globally-unique"))) {
    report(ctx, "warning", "CLONE_CANNOT_BE_UNIQUE", metaAt(ctx, t, "globally-unique"), t.meta.get("globally-unique"),
      "globally-unique=false (" + cls + " resources can only be anonymous clones)",
      `Clone "${t.id}" is globally unique but ${cls} resources such as "${r.id}" can be used only as anonymous clones`);
  }
  if (isPromotable(t)) {
    report(ctx, "error", "CLASS_NOT_PROMOTABLE", loc(ctx, r.el, "class"), cls, "an ocf resource",
      `Resource "${r.id}" is of class ${cls} and therefore cannot be in a promotable clone`);
  }
}

function checkTemplate(ctx: Ctx, el: CibElement): void {
  const t = el.attrs.template;
  if (t === undefined) return;
  if (!templates(ctx).has(t)) {
    report(ctx, "error", "UNKNOWN_TEMPLATE", loc(ctx, el, "template"), t, "the id of a template",
      `Primitive "${el.attrs.id}" uses template "${t}", which does not exist`);
  }
}

/** Check every configured resource. */
export function checkResources(ctx: Ctx): void {
  const fencing = stonithEnabled(ctx);
  for (const r of allResources(ctx)) {
    checkTargetRole(ctx, r);
    checkRequires(ctx, r, fencing);
    checkMeta(ctx, r);
    if (r.tag === "primitive") {
      checkPrimitiveInClone(ctx, r);
      checkTemplate(ctx, r.el);
    }
  }
}
