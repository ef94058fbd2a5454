/**
 * Unpacking blocks of nvpairs with rules and scores, as Pacemaker 2.1.5 does it
 * (pe_eval_nvpairs / pe__unpack_dataset_nvpairs, make_pairs, sort_pairs, populate_hash).
 *
 * The blocks (`instance_attributes`, `meta_attributes`, `utilization`,
 * `cluster_property_set`, ... or every child element when no tag is given) are ordered:
 * the block whose id is `alwaysFirst` (case-insensitive) first, then by `score` (higher
 * first), and blocks of equal score in *reverse* document order (Pacemaker builds the list by
 * prepending, then sorts stably; checked with crm_simulate 2.1.5: of two unscored
 * meta_attributes blocks both setting target-role, the later one wins). Each block is applied
 * only when its rules pass (no rule passes too); the first value set for a name wins unless
 * `overwrite`; a value of `#default` removes the name set so far. `id-ref` on a block or an
 * nvpair is followed through the resolver.
 *
 * @example
 * ```ts
 * const { values } = unpackNvSets(crmConfig, "cluster_property_set", { now });
 * values.get("stonith-enabled");
 * ```
 */
import { type CibElement, isElement } from "../model.ts";
import { eqCasei, parseScore } from "./compare.ts";
import { step } from "./_expressions.ts";
import { evaluateRules, resolveIdRef } from "./evaluate.ts";
import { compareTimes, type CrmTime, toDate } from "./iso8601.ts";
import type { AttributeTable, RuleContext, RuleIssue } from "./types.ts";

/** Options of {@link unpackNvSets}. */
export interface NvSetOptions {
  /** Replace values already set (later blocks win); default false (first value wins). */
  readonly overwrite?: boolean;
  /**
   * Id of the block to apply first whatever its score. Default for {@link unpackNvSets}:
   * `cib-bootstrap-options` when `setTag` is `cluster_property_set`, none otherwise; for
   * {@link unpackNvSetList}: none. `null` for none.
   */
  readonly alwaysFirst?: string | null;
  /** Values already known (Pacemaker unpacks several sources into one table); not modified. */
  readonly initial?: AttributeTable;
}

/** The outcome of {@link unpackNvSets}. */
export interface NvSetResult {
  /** Name -> value, in the order names were first set. */
  readonly values: Map<string, string>;
  /** Ids of the blocks applied, in the order applied. */
  readonly applied: readonly string[];
  /** Earliest future instant at which a block's rules can change result. */
  readonly nextChange?: Date;
  readonly nextChangeTime?: CrmTime;
  readonly issues: readonly RuleIssue[];
}

interface SortedSet {
  readonly name: string | undefined;
  readonly score: number;
  readonly el: CibElement;
}

/**
 * Blocks in the order Pacemaker applies them: `alwaysFirst` (case-insensitive id) first, then
 * higher `score` first, equal scores in reverse of the given order. `id-ref` blocks are
 * resolved; unresolvable ones are dropped with an issue.
 * @example orderNvSets([a, b], {}).map((s) => s.attrs.id) // ["b", "a"] when both are unscored
 */
export function orderNvSets(
  sets: readonly CibElement[],
  ctx: Pick<RuleContext, "resolveIdRef" | "healthScores">,
  alwaysFirst?: string,
  issues: RuleIssue[] = [],
  parentPath = "",
): CibElement[] {
  const sorted: SortedSet[] = [];
  for (const child of sets) {
    const expanded = resolveIdRef(child, ctx);
    if (expanded === undefined) {
      const ref = child.attrs["id-ref"];
      issues.push({
        code: "UNRESOLVED_IDREF",
        message: `Cannot resolve ${child.tag} id-ref ${JSON.stringify(ref)}: the block is skipped`,
        path: `${parentPath}${step(child)}/@id-ref`,
        ...(ref === undefined ? {} : { value: ref }),
      });
      continue;
    }
    sorted.push({
      name: expanded.attrs.id,
      score: parseScore(expanded.attrs.score, ctx.healthScores),
      el: expanded,
    });
  }
  sorted.reverse();
  const special = alwaysFirst;
  sorted.sort((x, y) => {
    if (special !== undefined && x.name !== undefined && eqCasei(x.name, special)) return -1;
    if (special !== undefined && y.name !== undefined && eqCasei(y.name, special)) return 1;
    return y.score - x.score;
  });
  return sorted.map((e) => e.el);
}

/**
 * The blocks of `el` tagged `setTag` (every child element when `undefined`) in the order
 * Pacemaker applies them (see {@link orderNvSets}).
 * @example sortNvSets(crmConfig, "cluster_property_set", {}, "cib-bootstrap-options")
 */
export function sortNvSets(
  el: CibElement,
  setTag: string | undefined,
  ctx: Pick<RuleContext, "resolveIdRef" | "healthScores">,
  alwaysFirst?: string,
  issues: RuleIssue[] = [],
): CibElement[] {
  return orderNvSets(childSets(el, setTag), ctx, alwaysFirst, issues, `${step(el)}/`);
}

function childSets(el: CibElement, setTag: string | undefined): CibElement[] {
  const out: CibElement[] = [];
  for (const child of el.children) {
    if (isElement(child) && (setTag === undefined || child.tag === setTag)) out.push(child);
  }
  return out;
}

function populate(
  set: CibElement,
  values: Map<string, string>,
  overwrite: boolean,
  ctx: RuleContext,
  issues: RuleIssue[],
): void {
  let list = set;
  const first = set.children[0];
  if (first !== undefined && isElement(first) && eqCasei(first.tag, "attributes")) list = first;
  for (const child of list.children) {
    if (!isElement(child, "nvpair")) continue;
    let ref: CibElement | undefined = child;
    if (child.attrs["id-ref"] !== undefined) {
      ref = resolveIdRef(child, ctx);
      if (ref === undefined) {
        issues.push({
          code: "UNRESOLVED_IDREF",
          message: `Cannot resolve nvpair id-ref ${JSON.stringify(child.attrs["id-ref"])}`,
          path: `${step(set)}/${step(child)}/@id-ref`,
          value: child.attrs["id-ref"] as string,
        });
      }
    }
    const name = child.attrs.name ?? ref?.attrs.name;
    const value = child.attrs.value ?? ref?.attrs.value;
    if (name === undefined || value === undefined) continue;
    if (eqCasei(value, "#default")) {
      values.delete(name);
      continue;
    }
    if (!values.has(name) || overwrite) values.set(name, value);
  }
}

/**
 * Unpack the nvpair blocks of `el` tagged `setTag` (every child element when `undefined`) into
 * one table, applying each block only when its rules pass in `ctx`.
 * @example unpackNvSets(primitive, "meta_attributes", { now }).values.get("target-role")
 */
export function unpackNvSets(
  el: CibElement,
  setTag: string | undefined,
  ctx: RuleContext,
  options: NvSetOptions = {},
): NvSetResult {
  const alwaysFirst = options.alwaysFirst === null
    ? null
    : options.alwaysFirst ?? (setTag === "cluster_property_set" ? "cib-bootstrap-options" : null);
  return unpack(childSets(el, setTag), ctx, { ...options, alwaysFirst }, `${step(el)}/`);
}

/**
 * Like {@link unpackNvSets} for blocks already picked out (for example a resource's
 * `meta_attributes` elements); their order in `sets` is the document order. No block goes
 * first unless `alwaysFirst` says so.
 * @example unpackNvSetList(metaBlocks, { now }, { initial: known }).values
 */
export function unpackNvSetList(
  sets: readonly CibElement[],
  ctx: RuleContext,
  options: NvSetOptions = {},
): NvSetResult {
  return unpack(sets, ctx, options, "");
}

function unpack(
  sets: readonly CibElement[],
  ctx: RuleContext,
  options: NvSetOptions,
  parentPath: string,
): NvSetResult {
  const issues: RuleIssue[] = [];
  const values = new Map<string, string>();
  const initial = options.initial;
  if (initial !== undefined) {
    const entries = initial instanceof Map ? initial.entries() : Object.entries(initial);
    for (const [k, v] of entries) values.set(k, v);
  }
  const applied: string[] = [];
  let next: CrmTime | undefined;
  const first = options.alwaysFirst ?? undefined;
  for (const set of orderNvSets(sets, ctx, first, issues, parentPath)) {
    const r = evaluateRules(set, ctx);
    issues.push(...r.issues);
    if (r.nextChangeTime !== undefined && (next === undefined || compareTimes(r.nextChangeTime, next) < 0)) {
      next = r.nextChangeTime;
    }
    if (!r.passed) continue;
    applied.push(set.attrs.id ?? set.tag);
    populate(set, values, options.overwrite ?? false, ctx, issues);
  }
  return {
    values,
    applied,
    ...(next === undefined ? {} : { nextChange: toDate(next), nextChangeTime: next }),
    issues,
  };
}
