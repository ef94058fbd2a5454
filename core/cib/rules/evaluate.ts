/**
 * Rule evaluation as Pacemaker 2.1.5 does it (pe_eval_rules, pe_eval_expr, pe_eval_subexpr).
 *
 * A `rule` combines its child elements with `boolean-op` (`and` by default, `or`), stopping at
 * the first result that decides it; children are `expression` (node attribute or `#role`),
 * `date_expression`, `rsc_expression`, `op_expression` and nested `rule`s. An empty rule
 * passes when `and`, fails when `or`. Bad input never throws: the expression evaluates as
 * Pacemaker evaluates it (usually false) and an issue says what and where.
 *
 * Along the way the earliest future time at which a date-based result could change is kept
 * (`nextChange`), for a recheck timer: an in_range's start or end + 1 s, a gt's start + 1 s,
 * an lt's end, and (beyond Pacemaker 2.1.5) a date_spec's next boundary where it flips.
 * Expressions skipped by short-circuiting do not contribute, as in Pacemaker.
 *
 * @example
 * ```ts
 * const rule = { tag: "rule", attrs: { id: "r", score: "100" }, children: [
 *   { tag: "expression", attrs: { id: "e", attribute: "#uname", operation: "eq", value: "node1" }, children: [] },
 * ] };
 * evaluateRule(rule, { now: parseNow("2005-020"), nodeAttrs: { "#uname": "node1" } });
 * // { passed: true, score: 100, issues: [] }
 * ```
 */
import { type CibElement, isElement } from "../model.ts";
import { eqCasei, parseScore, SCORE_INFINITY } from "./compare.ts";
import {
  evalAttrExpr,
  evalDateExpr,
  evalOpExpr,
  evalRoleExpr,
  evalRscExpr,
  type EvalState,
  expandSubmatches,
  issue,
  lookup,
  parseRole,
  step,
} from "./_expressions.ts";
import { type CrmTime, fromDate, toDate } from "./iso8601.ts";
import type { RoleName, RuleContext, RuleResult, RuleSetResult } from "./types.ts";

function newState(ctx: RuleContext): EvalState {
  const now = ctx.now instanceof Date ? fromDate(ctx.now, ctx.localOffset) : ctx.now;
  return { ctx, now, issues: [] };
}

/** Follow `id-ref` on an element (same tag); `undefined` when it cannot be resolved. */
export function resolveIdRef(el: CibElement, ctx: Pick<RuleContext, "resolveIdRef">): CibElement | undefined {
  const ref = el.attrs["id-ref"];
  if (ref === undefined) return el;
  const found = ctx.resolveIdRef?.(ref, el.tag);
  return found !== undefined && found.tag === el.tag ? found : undefined;
}

/** pe_eval_expr: one rule, its children combined with boolean-op. */
function evalRule(ruleIn: CibElement, state: EvalState, parentPath: string): boolean {
  const path = parentPath === "" ? step(ruleIn) : `${parentPath}/${step(ruleIn)}`;
  const rule = resolveIdRef(ruleIn, state.ctx);
  if (rule === undefined) {
    issue(
      state,
      "UNRESOLVED_IDREF",
      `${path}/@id-ref`,
      `Cannot resolve rule id-ref ${
        JSON.stringify(ruleIn.attrs["id-ref"])
      }: Pacemaker then treats the rule as empty (passing)`,
      ruleIn.attrs["id-ref"],
    );
    return true;
  }
  const op = rule.attrs["boolean-op"];
  const doAnd = !eqCasei(op, "or");
  if (op !== undefined && doAnd && !eqCasei(op, "and")) {
    issue(
      state,
      "INVALID_OPERATION",
      `${path}/@boolean-op`,
      `Unknown boolean-op ${JSON.stringify(op)}: using "and"`,
      op,
    );
  }
  let empty = true;
  for (const child of rule.children) {
    if (!isElement(child)) continue;
    empty = false;
    const ok = evalSubexpr(child, state, path);
    if (ok && !doAnd) return true;
    if (!ok && doAnd) return false;
  }
  if (empty) issue(state, "EMPTY_RULE", path, "Rule has no expressions: it must contain at least one");
  return doAnd;
}

/** pe_eval_subexpr: one child of a rule. */
function evalSubexpr(expr: CibElement, state: EvalState, rulePath: string): boolean {
  const path = rulePath === "" ? step(expr) : `${rulePath}/${step(expr)}`;
  switch (expr.tag) {
    case "rule":
      return evalRule(expr, state, rulePath);
    case "date_expression":
      return evalDateExpr(expr, state, path);
    case "rsc_expression":
      return evalRscExpr(expr, state);
    case "op_expression":
      return evalOpExpr(expr, state, path);
    case "expression":
      if (expr.attrs.attribute === "#role") return evalRoleExpr(expr, state, path);
      if (state.ctx.nodeAttrs === undefined) return false; // no node to compare with
      return evalAttrExpr(expr, state, path);
    default:
      issue(
        state,
        "UNKNOWN_EXPRESSION",
        path,
        `Unknown rule element ${JSON.stringify(expr.tag)}: it never passes`,
        expr.tag,
      );
      return false;
  }
}

function withNext(state: EvalState): { nextChange?: Date; nextChangeTime?: CrmTime } {
  return state.next === undefined ? {} : { nextChange: toDate(state.next), nextChangeTime: state.next };
}

/** get_node_score: `score`, else the node's `score-attribute` value (-INFINITY when missing), else 0. */
function ruleScore(rule: CibElement, state: EvalState): number {
  const health = state.ctx.healthScores ?? {};
  const raw = rule.attrs.score;
  if (raw !== undefined) return parseScore(raw, health);
  let attr = rule.attrs["score-attribute"];
  if (attr === undefined) return 0;
  const sub = state.ctx.match?.submatches;
  if (sub !== undefined && sub[0] !== undefined) attr = expandSubmatches(attr, sub) ?? attr;
  const value = lookup(state.ctx.nodeAttrs, attr);
  return value === undefined ? -SCORE_INFINITY : parseScore(value, health);
}

/**
 * Evaluate one `rule` element (following `id-ref`), returning whether it passes, the score it
 * carries, its role, the next time its result can change and any issues found.
 * @example evaluateRule(rule, { now: parseNow("2005-020T12:30"), nodeAttrs: attrs }).passed
 */
export function evaluateRule(rule: CibElement, ctx: RuleContext): RuleResult {
  const state = newState(ctx);
  const passed = evalRule(rule, state, "");
  const found = resolveIdRef(rule, ctx);
  const resolved = found ?? rule;
  const score = ruleScore(resolved, state);
  const roleText = resolved.attrs.role;
  let role: RoleName | undefined;
  let invalidRole: string | undefined;
  if (roleText !== undefined) {
    role = parseRole(roleText);
    if (role === undefined) {
      invalidRole = roleText;
      issue(
        state,
        "INVALID_ROLE",
        `${step(rule)}/@role`,
        `Unknown rule role ${JSON.stringify(roleText)}: Pacemaker ignores the rule`,
        roleText,
      );
    }
  }
  return {
    passed,
    ...withNext(state),
    score,
    ...(role === undefined ? {} : { role }),
    ...(invalidRole === undefined ? {} : { invalidRole }),
    ...(found === undefined ? { unresolvedIdRef: rule.attrs["id-ref"] ?? "" } : {}),
    issues: state.issues,
  };
}

/**
 * Evaluate the `rule` children of an element (an nvset, a `lifetime`, ...) as pe_eval_rules
 * does: passes when there is no rule or when any rule passes (stopping at the first).
 * @example evaluateRules(instanceAttributes, { now }).passed
 */
export function evaluateRules(el: CibElement, ctx: RuleContext): RuleSetResult {
  const state = newState(ctx);
  let passed = true;
  const base = step(el);
  for (const child of el.children) {
    if (!isElement(child, "rule")) continue;
    passed = false;
    if (evalRule(child, state, base)) {
      passed = true;
      break;
    }
  }
  return { passed, ...withNext(state), issues: state.issues };
}

/**
 * Evaluate one expression element (any child of a rule) on its own.
 * @example evaluateExpression(dateExpression, { now }).passed
 */
export function evaluateExpression(expr: CibElement, ctx: RuleContext): RuleSetResult {
  const state = newState(ctx);
  const passed = evalSubexpr(expr, state, "");
  return { passed, ...withNext(state), issues: state.issues };
}

export { parseRole };
