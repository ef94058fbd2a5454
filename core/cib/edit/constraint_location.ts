/**
 * `locationConstraint`: `pcs constraint location RSC prefers|avoids NODE[=SCORE]`. A resource
 * prefers (score, default INFINITY) or avoids (the negated score) a node. A plain location
 * constraint of the same resource and node is updated in place rather than duplicated; a new
 * one is named as pcs names it, `location-RSC-NODE-SCORE`.
 */
import type { Cib, CibElement } from "../model.ts";
import { constraints } from "../query.ts";
import { replaceElement } from "../update.ts";
import { checkId, checkName, checkScore, el, freeId, requireNode, requireResource, updateSection } from "./_util.ts";

/** What {@link locationConstraint} writes. */
export interface LocationSpec {
  /** The resource id. */
  readonly rsc: string;
  readonly node: string;
  /** `prefers` (the default) or `avoids`. */
  readonly kind?: "prefers" | "avoids";
  /** A score (default `INFINITY`); `avoids` negates it. */
  readonly score?: string;
}

function negate(score: string): string {
  if (score === "INFINITY") return "-INFINITY";
  if (score === "-INFINITY") return "INFINITY";
  return score === "0" ? "0" : String(-Number.parseInt(score, 10));
}

/**
 * A new document with the location constraint added (or its score updated).
 *
 * @throws {TypeError} for a malformed id, node name or score, or a kind other than prefers/avoids
 * @throws {AtriumError} `CIB_NOT_FOUND` for an unknown resource or node
 * @example
 * ```ts
 * locationConstraint(cib, { rsc: "web", node: "node1", score: "50" });
 * locationConstraint(cib, { rsc: "web", node: "node3", kind: "avoids" }); // -INFINITY
 * ```
 */
export function locationConstraint(cib: Cib, spec: LocationSpec): Cib {
  const rsc = checkId(spec?.rsc, "resource id");
  const node = checkName(spec.node, "node name");
  const kind = spec.kind ?? "prefers";
  if (kind !== "prefers" && kind !== "avoids") {
    throw new TypeError(`Cannot create location constraint of kind ${JSON.stringify(kind)}: expected "prefers" or "avoids"`);
  }
  let score = checkScore(spec.score ?? "INFINITY", "location score");
  if (kind === "avoids") score = negate(score);
  requireResource(cib, rsc, "constrain");
  requireNode(cib, node, `constrain resource "${rsc}" to`);
  const existing = constraints(cib, "rsc_location").find((c) =>
    c.attrs.rsc === rsc && c.attrs.node === node && !(c.attrs.id ?? "").startsWith("cli-") &&
    c.children.every((k) => k.tag !== "rule")
  );
  if (existing !== undefined) {
    return replaceElement(cib, existing, { ...(existing as CibElement), attrs: { ...existing.attrs, score } });
  }
  const id = freeId(cib, `location-${rsc}-${node}-${score}`);
  const loc = el("rsc_location", { id, rsc, node, score });
  return updateSection(cib, "constraints", (s) => ({ tag: s.tag, attrs: s.attrs, children: [...s.children, loc] }));
}
