/**
 * Evaluation of the leaf expressions of a rule, as Pacemaker 2.1.5's lib/pengine/rules.c does.
 * @module
 */
import { type CibElement, isElement } from "../model.ts";
import { compareValues, eqCasei, isKnownType, parseIntervalMs } from "./compare.ts";
import { DATE_SPEC_FIELDS, dateSpecNextChange, failingField, specRanges } from "./date_spec.ts";
import { addDays, addMonths, addSeconds, addYears, compareTimes, type CrmTime } from "./iso8601.ts";
import { tryParseDateTime } from "./iso8601_parse.ts";
import type { AttributeTable, RoleName, RuleContext, RuleIssue } from "./types.ts";
import { scanLongLong } from "./_scan.ts";

/** Mutable evaluation state shared along one evaluation. */
export interface EvalState {
  readonly ctx: RuleContext;
  readonly now: CrmTime;
  readonly issues: RuleIssue[];
  next?: CrmTime;
}

/** Record an issue. */
export function issue(state: EvalState, code: string, path: string, message: string, value?: string): void {
  state.issues.push(value === undefined ? { code, message, path } : { code, message, path, value });
}

/** An element's step in an issue path: `tag[@id='x']`. */
export function step(el: CibElement): string {
  const id = el.attrs.id;
  return id === undefined ? el.tag : `${el.tag}[@id='${id}']`;
}

/** Look a name up in a record or map (own keys only). */
export function lookup(table: AttributeTable | undefined, name: string): string | undefined {
  if (table === undefined) return undefined;
  if (table instanceof Map) return table.get(name);
  const rec = table as Readonly<Record<string, string>>;
  return Object.prototype.hasOwnProperty.call(rec, name) ? rec[name] : undefined;
}

/** Remember `t` as the next change when it is earlier than the one known. */
function setIfEarlier(state: EvalState, t: CrmTime): void {
  if (state.next === undefined || compareTimes(t, state.next) < 0) state.next = t;
}

const ROLE_ORDER: Record<RoleName, number> = { Stopped: 1, Started: 2, Unpromoted: 3, Promoted: 4 };

/** text2role: a role name (case-insensitive, legacy Slave/Master accepted) or `undefined`. */
export function parseRole(text: string | undefined): RoleName | undefined {
  if (text === undefined) return undefined;
  if (eqCasei(text, "Stopped")) return "Stopped";
  if (eqCasei(text, "Started")) return "Started";
  if (eqCasei(text, "Unpromoted") || eqCasei(text, "Slave")) return "Unpromoted";
  if (eqCasei(text, "Promoted") || eqCasei(text, "Master")) return "Promoted";
  return undefined;
}

/** pe_expand_re_matches: `%0`-`%9` replaced by submatches (unmatched ones dropped). */
export function expandSubmatches(
  text: string,
  submatches: readonly (string | undefined)[] | undefined,
): string | undefined {
  if (text === "" || submatches === undefined) return undefined;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const d = text[i + 1];
    if (c === "%" && d !== undefined && d >= "0" && d <= "9") {
      const m = submatches[Number(d)];
      if (m !== undefined && m !== "") out += m;
      i++;
    } else {
      out += c;
    }
  }
  return out === "" ? undefined : out;
}

/** Attribute expression (`expression` on a node attribute, including #uname, #id, #kind). */
export function evalAttrExpr(expr: CibElement, state: EvalState, path: string): boolean {
  const { attribute, operation: op, type, "value-source": source } = expr.attrs;
  let value = expr.attrs.value;
  if (attribute === undefined) {
    issue(state, "MISSING_ATTRIBUTE", path, 'Expression has no "attribute": it never passes');
    return false;
  }
  if (op === undefined) {
    issue(state, "MISSING_ATTRIBUTE", path, 'Expression has no "operation": it never passes');
  } else if (!["lt", "gt", "lte", "gte", "eq", "ne", "defined", "not_defined"].some((o) => eqCasei(op, o))) {
    issue(
      state,
      "INVALID_OPERATION",
      `${path}/@operation`,
      `Unknown expression operation ${JSON.stringify(op)}: it never passes`,
      op,
    );
  }
  if (type !== undefined && !isKnownType(type)) {
    issue(
      state,
      "UNKNOWN_TYPE",
      `${path}/@type`,
      `Unknown expression type ${JSON.stringify(type)}: values compare as equal`,
      type,
    );
  }
  let attr = attribute;
  const match = state.ctx.match;
  if (match !== undefined) {
    attr = expandSubmatches(attribute, match.submatches) ?? attribute;
    if (value === undefined || value === "") value = undefined;
    else if (eqCasei(source ?? "", "param")) value = lookup(match.params, value);
    else if (eqCasei(source ?? "", "meta")) value = lookup(match.meta, value);
  }
  const actual = lookup(state.ctx.nodeAttrs, attr);
  return acceptAttr(actual, value, type, op);
}

function acceptAttr(
  l: string | undefined,
  r: string | undefined,
  type: string | undefined,
  op: string | undefined,
): boolean {
  if (eqCasei(op, "defined")) return l !== undefined;
  if (eqCasei(op, "not_defined")) return l === undefined;
  const cmp = compareValues(l, r, type, op);
  if (eqCasei(op, "eq")) return cmp === 0;
  if (eqCasei(op, "ne")) return cmp !== 0;
  if (l === undefined || r === undefined) return false;
  if (eqCasei(op, "lt")) return cmp < 0;
  if (eqCasei(op, "lte")) return cmp <= 0;
  if (eqCasei(op, "gt")) return cmp > 0;
  if (eqCasei(op, "gte")) return cmp >= 0;
  return false;
}

/** `#role` expression. */
export function evalRoleExpr(expr: CibElement, state: EvalState, path: string): boolean {
  const role = state.ctx.role;
  if (role === undefined) return false;
  const { operation: op, value } = expr.attrs;
  const r = ROLE_ORDER[role];
  if (eqCasei(op, "defined")) return r > ROLE_ORDER.Started;
  if (eqCasei(op, "not_defined")) return r < ROLE_ORDER.Unpromoted;
  if (eqCasei(op, "eq") || eqCasei(op, "ne")) {
    const wanted = parseRole(value);
    if (wanted === undefined) {
      issue(
        state,
        "INVALID_ROLE",
        `${path}/@value`,
        `Unknown role ${JSON.stringify(value ?? "")} in #role expression`,
        value,
      );
    }
    if (eqCasei(op, "eq")) return wanted === role;
    if (r < ROLE_ORDER.Unpromoted) return false; // "ne" is only tested with promotable roles
    return wanted !== role;
  }
  issue(
    state,
    "INVALID_OPERATION",
    `${path}/@operation`,
    `Unknown #role operation ${JSON.stringify(op ?? "")}: it never passes`,
    op,
  );
  return false;
}

/** `rsc_expression`: class, provider and type must match (an absent provider matches only none). */
export function evalRscExpr(expr: CibElement, state: EvalState): boolean {
  const rsc = state.ctx.rsc;
  if (rsc === undefined) return false;
  const { class: cls, provider, type } = expr.attrs;
  if (cls !== undefined && cls !== rsc.class) return false;
  if (provider !== rsc.provider) return false;
  if (type !== undefined && type !== rsc.type) return false;
  return true;
}

/** `op_expression`: name must match, and the interval when one is given. */
export function evalOpExpr(expr: CibElement, state: EvalState, path: string): boolean {
  const op = state.ctx.op;
  if (op === undefined) return false;
  const { name, interval } = expr.attrs;
  if (interval !== undefined) {
    const ms = parseIntervalMs(interval);
    if (ms === undefined) {
      issue(
        state,
        "INVALID_INTERVAL",
        `${path}/@interval`,
        `Cannot parse op_expression interval ${JSON.stringify(interval)}: it never passes`,
        interval,
      );
      return false;
    }
    if (ms !== op.intervalMs) return false;
  }
  return name === op.name;
}

function parseRuleDate(
  state: EvalState,
  path: string,
  attr: "start" | "end",
  text: string | undefined,
): CrmTime | undefined {
  if (text === undefined) return undefined;
  const opts = state.ctx.clock === undefined
    ? (state.ctx.localOffset === undefined ? {} : { localOffset: state.ctx.localOffset })
    : {
      now: state.ctx.clock,
      ...(state.ctx.localOffset === undefined ? {} : { localOffset: state.ctx.localOffset }),
    };
  const t = tryParseDateTime(text, opts);
  if (t === undefined) {
    issue(
      state,
      "INVALID_DATE",
      `${path}/@${attr}`,
      `Cannot parse date_expression ${attr} ${JSON.stringify(text)}: treated as absent`,
      text,
    );
  }
  return t;
}

/** pe_parse_xml_duration: the `duration` element's fields added to `start` one by one. */
export function addXmlDuration(start: CrmTime, duration: CibElement): CrmTime {
  let t = start;
  const field = (name: string): number => {
    const text = duration.attrs[name];
    if (text === undefined) return 0;
    const r = scanLongLong(text);
    if (!r.ok || r.value === 0n || r.value > 2147483647n || r.value < -2147483648n) return 0;
    return Number(r.value);
  };
  const years = field("years");
  if (years) t = addYears(t, years);
  const months = field("months");
  if (months) t = addMonths(t, months);
  const weeks = field("weeks");
  if (weeks) t = addDays(t, weeks * 7);
  const days = field("days");
  if (days) t = addDays(t, days);
  const hours = field("hours");
  if (hours) t = addSeconds(t, hours * 3600);
  const minutes = field("minutes");
  if (minutes) t = addSeconds(t, minutes * 60);
  const seconds = field("seconds");
  if (seconds) t = addSeconds(t, seconds);
  return t;
}

function firstChild(el: CibElement, tag: string): CibElement | undefined {
  for (const c of el.children) if (isElement(c, tag)) return c;
  return undefined;
}

/** `date_expression`: in_range (default), gt, lt, date_spec. */
export function evalDateExpr(expr: CibElement, state: EvalState, path: string): boolean {
  const op = expr.attrs.operation;
  const start = parseRuleDate(state, path, "start", expr.attrs.start);
  let end = parseRuleDate(state, path, "end", expr.attrs.end);
  const durationEl = firstChild(expr, "duration");
  if (start !== undefined && end === undefined && durationEl !== undefined) {
    end = addXmlDuration(start, durationEl);
  }
  const now = state.now;
  if (op === undefined || eqCasei(op, "in_range")) {
    if (start === undefined && end === undefined) {
      issue(
        state,
        "MISSING_ATTRIBUTE",
        path,
        "in_range date_expression needs a start or an end: it never passes",
      );
      return false;
    }
    if (start !== undefined && compareTimes(now, start) < 0) {
      setIfEarlier(state, start);
      return false;
    }
    if (end !== undefined && compareTimes(now, end) > 0) return false;
    if (end !== undefined) setIfEarlier(state, addSeconds(end, 1));
    return true;
  }
  if (eqCasei(op, "date_spec")) {
    const specEl = firstChild(expr, "date_spec");
    if (specEl === undefined) {
      issue(state, "MISSING_ATTRIBUTE", path, "date_spec date_expression has no date_spec: it always passes");
    } else checkDateSpecFields(specEl, state, `${path}/${step(specEl)}`);
    const ranges = specRanges(specEl);
    if (state.ctx.dateSpecNextChange !== false) {
      const next = dateSpecNextChange(now, ranges);
      if (next !== undefined) setIfEarlier(state, next);
    }
    return failingField(now, ranges) === undefined;
  }
  if (eqCasei(op, "gt")) {
    if (start === undefined) {
      issue(state, "MISSING_ATTRIBUTE", path, "gt date_expression needs a start: it never passes");
      return false;
    }
    if (compareTimes(now, start) > 0) return true;
    setIfEarlier(state, addSeconds(start, 1));
    return false;
  }
  if (eqCasei(op, "lt")) {
    if (end === undefined) {
      issue(state, "MISSING_ATTRIBUTE", path, "lt date_expression needs an end: it never passes");
      return false;
    }
    if (compareTimes(now, end) < 0) {
      setIfEarlier(state, end);
      return true;
    }
    return false;
  }
  issue(
    state,
    "INVALID_OPERATION",
    `${path}/@operation`,
    `Unknown date_expression operation ${JSON.stringify(op)}: it never passes`,
    op,
  );
  return false;
}

function checkDateSpecFields(spec: CibElement, state: EvalState, path: string): void {
  const known = specRanges(spec);
  for (const [name, value] of Object.entries(spec.attrs)) {
    if (name === "id" || known.has(name as never)) continue;
    if ((DATE_SPEC_FIELDS as readonly string[]).includes(name)) {
      issue(
        state,
        "INVALID_DATE_SPEC",
        `${path}/@${name}`,
        `Cannot parse date_spec ${name} ${
          JSON.stringify(value)
        }: expected N, N-M, N- or -M; the field is ignored`,
        value,
      );
    }
  }
}
