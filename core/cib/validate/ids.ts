/**
 * Id checks: every `id` in the configuration is unique (Pacemaker's schema declares them as
 * XML IDs), and resources and nodes have one.
 */
import type { CibElement } from "../model.ts";
import { type Ctx, descendants, kids, loc, report, section } from "./_tree.ts";

/** Check id uniqueness across the configuration and required ids. */
export function checkIds(ctx: Ctx): void {
  if (ctx.configuration === undefined) return;
  const first = new Map<string, CibElement>();
  for (const el of descendants(ctx.configuration)) {
    const id = el.attrs.id;
    // References (resource_ref, obj_ref) carry the id they point to; node ids are not XML IDs.
    if (id === undefined || el.tag === "resource_ref" || el.tag === "obj_ref" || el.tag === "node") continue;
    const prev = first.get(id);
    if (prev === undefined) {
      first.set(id, el);
      continue;
    }
    report(ctx, "error", "DUPLICATE_ID", loc(ctx, el, "id"), id, "an id used by no other element",
      `Id "${id}" of this <${el.tag}> is already used by an earlier <${prev.tag}>`);
  }
  for (const el of kids(section(ctx, "resources"))) {
    if (el.attrs.id === undefined || el.attrs.id === "") {
      report(ctx, "error", "MISSING_ID", loc(ctx, el), null, "an id attribute", `A <${el.tag}> resource has no id (it is ignored)`);
    }
  }
  for (const el of kids(section(ctx, "nodes"), "node")) {
    if (el.attrs.id === undefined) {
      report(ctx, "error", "MISSING_ID", loc(ctx, el), null, "an id attribute", "A <node> entry has no id (it is ignored)");
    }
  }
}
