/**
 * Building blocks of the CIB schemas: attribute value forms as Pacemaker spells them (ids,
 * integers, scores, booleans, durations, ports, roles) and the element shape (tag literal,
 * loose attributes, any children). Every form accepts surrounding whitespace where Pacemaker's
 * own parsers do, and every message says what was expected.
 */
import * as v from "valibot";
import type { CibNode } from "../model.ts";

/** Any string (an attribute whose form Pacemaker does not restrict). */
export const Str = v.string("a string");

/** An XML id: non-empty. */
export const Id = v.pipe(v.string("an id"), v.minLength(1, "a non-empty id"));

/** An integer (optionally signed). */
export const Int = v.pipe(v.string("an integer"), v.regex(/^\s*[+-]?\d+\s*$/, "an integer"));

/** A non-negative integer. */
export const NonNegInt = v.pipe(
  v.string("a non-negative integer"),
  v.regex(/^\s*\+?\d+\s*$/, "a non-negative integer"),
);

/** A positive integer (e.g. a fencing level index). */
export const PosInt = v.pipe(
  v.string("a positive integer"),
  v.regex(/^\s*\+?0*[1-9]\d*\s*$/, "a positive integer"),
);

/**
 * A score: `INFINITY`, `+INFINITY`, `-INFINITY` (any case), an integer, or one of the node
 * health colours `red`, `yellow`, `green` that Pacemaker also accepts.
 */
export const Score = v.pipe(
  v.string("a score"),
  v.regex(
    /^\s*([+-]?INFINITY|[+-]?\d+|red|yellow|green)\s*$/i,
    "a score (INFINITY, +INFINITY, -INFINITY or an integer)",
  ),
);

/**
 * Checks whose failure is a warning, not an error: Pacemaker accepts the document and falls
 * back to the default (with a configuration warning) for a value of such a form. `validate.ts`
 * reads the severity of an issue from this set (by the issue's `requirement`).
 */
export const toleratedChecks: WeakSet<object> = new WeakSet();

/** A string form whose violation is only a warning (see {@link toleratedChecks}). */
export function tolerated(expected: string, test: (s: string) => boolean) {
  const fn = (s: string): boolean => test(s);
  toleratedChecks.add(fn);
  return v.pipe(v.string(expected), v.check(fn, expected));
}

/** A boolean as Pacemaker spells them: true/false, yes/no, on/off, y/n, 1/0 (any case). Tolerated. */
export const Bool = tolerated(
  "a boolean (true, false, yes, no, on, off, y, n, 1 or 0)",
  (s) => /^\s*(true|false|yes|no|on|off|y|n|1|0)\s*$/i.test(s),
);

/**
 * A duration: a number with an optional unit (ms, msec, us, usec, s, sec, m, min, h, hr), or an
 * ISO 8601 duration (`P1D`, `PT30S`, also `P10S`), as Pacemaker's interval and timeout parsers
 * accept. Tolerated.
 */
export const Duration = tolerated(
  "a duration (e.g. 10s, 5min, 1h, 500ms or ISO 8601 PT30S)",
  (s) =>
    /^\s*\d+(\.\d+)?\s*(ms|msec|us|usec|s|sec|m|min|h|hr)?\s*$/i.test(s) ||
    /^\s*P(\d+[YMWD])*(T?(\d+(\.\d+)?[HMS])*)\s*$/i.test(s) && /\d/.test(s),
);

/** A TCP port: 1..65535. */
export const Port = v.pipe(
  v.string("a port"),
  v.check((s) => /^\s*\d+\s*$/.test(s) && Number(s) >= 1 && Number(s) <= 65535, "a port number (1-65535)"),
);

/** A resource role, in both the pre-2.1 and the current spelling. */
export const Role = tolerated(
  "a role (Stopped, Started, Unpromoted, Promoted, Slave or Master)",
  (s) => /^\s*(Stopped|Started|Slave|Master|Unpromoted|Promoted|Unknown)\s*$/i.test(s),
);

/** One of the given words (case-insensitive, as Pacemaker compares them). Tolerated. */
export function oneOf(words: readonly string[]) {
  const set = new Set(words.map((w) => w.toLowerCase()));
  return tolerated(`one of ${words.join(", ")}`, (s) => set.has(s.trim().toLowerCase()));
}

/** Any child node (elements are checked one by one by the structural walk). */
export const AnyNode = v.custom<CibNode>(
  (n) => typeof n === "object" && n !== null && typeof (n as { tag?: unknown }).tag === "string",
  "an element, text or comment node",
);

/** An element of tag `tag` with attributes checked by `attrs` and any children. */
export function element<const T extends string, const A extends v.GenericSchema>(
  tag: T,
  attrs: A,
) {
  return v.looseObject({ tag: v.literal(tag), attrs, children: v.array(AnyNode) });
}

/** Cross-attribute checks apply to any attribute record (`any` so they fit every pipe). */
// deno-lint-ignore no-explicit-any
type Attrs = any;

/** At least one of `names` must be present. */
export function requireAny(names: readonly string[]) {
  return v.check(
    (a: Attrs) => names.some((n) => a[n] !== undefined),
    names.length === 1
      ? `attribute "${names[0]}"`
      : `one of the attributes ${names.map((n) => `"${n}"`).join(", ")}`,
  );
}

/** When `unless` is absent, every one of `names` must be present. */
export function requireUnless(unless: string, names: readonly string[]) {
  return v.check(
    (a: Attrs) => a[unless] !== undefined || names.every((n) => a[n] !== undefined),
    `the attributes ${names.map((n) => `"${n}"`).join(", ")} (or "${unless}")`,
  );
}

/** When `attr` has value `value`, every one of `names` must be present. */
export function requireWhen(attr: string, value: string, names: readonly string[]) {
  return v.check(
    (a: Attrs) => a[attr] !== value || names.every((n) => a[n] !== undefined),
    `the attributes ${names.map((n) => `"${n}"`).join(", ")} when ${attr} is "${value}"`,
  );
}
