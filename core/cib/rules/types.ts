/**
 * Types shared by rule evaluation and nvset unpacking.
 * @module
 */
import type { CibElement } from "../model.ts";
import type { CrmTime } from "./iso8601.ts";

/** A resource role as rules name it (legacy `Slave`/`Master` are read as Unpromoted/Promoted). */
export type RoleName = "Stopped" | "Started" | "Unpromoted" | "Promoted";

/** Node attributes: a record or a map from name to value. */
export type AttributeTable = Readonly<Record<string, string>> | ReadonlyMap<string, string>;

/** The resource agent an `rsc_expression` is matched against. */
export interface RuleResourceAgent {
  /** Resource class (`ocf`, `lsb`, `systemd`, `stonith`, ...). */
  readonly class: string;
  /** Provider, only for classes that have one (`heartbeat`, `pacemaker`, ...). */
  readonly provider?: string;
  /** Agent type (`Dummy`, `IPaddr2`, ...). */
  readonly type: string;
}

/** The operation an `op_expression` is matched against. */
export interface RuleOperation {
  readonly name: string;
  /** Interval in milliseconds (0 for non-recurring operations). */
  readonly intervalMs: number;
}

/**
 * Resource data for location rules (Pacemaker's match data): the resource's parameters and
 * meta-attributes for `value-source="param"`/`"meta"`, and the regular expression submatches
 * of a `rsc-pattern` for `%0`-`%9` in attribute names and `score-attribute`.
 * When `match` is absent, `value-source` is ignored and values are literal (as in Pacemaker).
 */
export interface RuleMatchData {
  readonly params?: AttributeTable;
  readonly meta?: AttributeTable;
  /** Submatch texts, index 0 being the whole match; `undefined` for a group that did not match. */
  readonly submatches?: readonly (string | undefined)[];
}

/** Everything a rule may look at. */
export interface RuleContext {
  /**
   * The effective time (see `parseNow`). A Date is taken in the representation of `localOffset`
   * when given, else of the runtime's local offset at that instant (date_spec reads local fields).
   */
  readonly now: CrmTime | Date;
  /**
   * The node's attributes, including the built-in ones the scheduler sets: `#uname`, `#id`,
   * `#kind` (`cluster`, `remote`, `container`), `#is_dc` (`true`/`false`), `#cluster-name`,
   * `#site-name`. Absent when there is no node: then every node attribute expression fails
   * (Pacemaker evaluates node and cluster option sets that way).
   */
  readonly nodeAttrs?: AttributeTable;
  /** Resource role for `#role` expressions; absent means unknown (they then fail). */
  readonly role?: RoleName;
  /** For `rsc_expression` (rsc_defaults); absent makes them fail. */
  readonly rsc?: RuleResourceAgent;
  /** For `op_expression` (op_defaults); absent makes them fail. */
  readonly op?: RuleOperation;
  /** Location-rule match data (see {@link RuleMatchData}). */
  readonly match?: RuleMatchData;
  /** Resolves `id-ref`: the element with that `id` (and tag); Pacemaker searches the whole CIB. */
  readonly resolveIdRef?: (id: string, tag: string) => CibElement | undefined;
  /** Offset for dates in rules written without one; default: the runtime's local offset now. */
  readonly localOffset?: number;
  /** The clock for a time given without a date in a rule; default: the real clock. */
  readonly clock?: () => CrmTime;
  /** Compute `nextChange` for date_spec too (Pacemaker 2.1.5 does not); default true. */
  readonly dateSpecNextChange?: boolean;
  /** Node health scores for `red`/`yellow`/`green` in `score` (default 0 each). */
  readonly healthScores?: { readonly red?: number; readonly yellow?: number; readonly green?: number };
}

/** A problem found while evaluating: what, where, and the value. Evaluation goes on. */
export interface RuleIssue {
  /** Stable code: INVALID_DATE, INVALID_OPERATION, MISSING_ATTRIBUTE, UNKNOWN_TYPE, ... */
  readonly code: string;
  /** Sentence-case message quoting the value. */
  readonly message: string;
  /** Where: element path such as `rule[@id='r1']/date_expression[@id='d1']/@start`. */
  readonly path: string;
  /** The offending value, when there is one. */
  readonly value?: string;
}

/** The outcome of evaluating one rule. */
export interface RuleResult {
  /** Whether the rule is in effect. */
  readonly passed: boolean;
  /** Earliest future instant at which a date-based part of the result can change. */
  readonly nextChange?: Date;
  /** The same, as a crm_time in the representation of the date that produced it. */
  readonly nextChangeTime?: CrmTime;
  /**
   * Score to apply: `score` (char2score), or the node's value of `score-attribute`
   * (-INFINITY when the node has none), or 0 when the rule has neither.
   */
  readonly score: number;
  /** The rule's `role`, canonical; absent when none. (For location rules Pacemaker treats Unpromoted as any role.) */
  readonly role?: RoleName;
  /** The rule's `role` when it is not a role: Pacemaker then ignores the whole location rule. */
  readonly invalidRole?: string;
  /**
   * The rule's `id-ref` when it cannot be resolved. `passed` is then true (pe_eval_expr treats
   * it as an empty rule), but a location constraint ignores such a rule entirely.
   */
  readonly unresolvedIdRef?: string;
  /** Problems found (bad dates, unknown operations, ...). */
  readonly issues: readonly RuleIssue[];
}

/** The outcome of evaluating the rules inside an element (any rule passing, or no rule). */
export interface RuleSetResult {
  readonly passed: boolean;
  readonly nextChange?: Date;
  readonly nextChangeTime?: CrmTime;
  readonly issues: readonly RuleIssue[];
}
