/**
 * The valibot schema of a plugin module's default export ({@link PluginDefinition}), and the
 * check that turns a failure into `AtriumError("PLUGIN_MALFORMED")` naming the field and what was
 * expected. Hooks are checked for being functions only; their behaviour is the conformance kit's.
 */
import * as v from "valibot";
import { AtriumError, quote } from "../errors.ts";
import type { PluginDefinition } from "./types.ts";

/** Names of plugins and contributions: an optional "@", a letter or digit, then letters, digits, `_ . : @ / -`. */
const NAME_RE = /^@?[A-Za-z0-9][A-Za-z0-9_.:@/-]*$/;

const name = v.pipe(
  v.string(),
  v.minLength(1, "a non-empty string"),
  v.maxLength(200, "at most 200 characters"),
  v.regex(NAME_RE, "letters, digits and _ . : @ / - only, starting with a letter or digit"),
);
const fn = v.function();
const optFn = v.optional(v.function());

const resourceClass = v.looseObject({
  name,
  listProviders: optFn,
  listAgents: fn,
  metadata: fn,
  exec: fn,
});

const launcher = v.looseObject({
  name,
  capabilities: v.looseObject({ migrate: v.boolean(), console: v.boolean() }),
  start: fn,
  stop: fn,
  status: fn,
  address: fn,
  recover: fn,
});

const fenceAgent = v.looseObject({ name, metadata: fn, run: fn });
const fenceAgentProvider = v.looseObject({ name, list: fn, get: fn });

/** A provider has `list`/`get`; anything else is checked as a single fence agent. */
const fenceEntry = v.lazy((input) =>
  typeof input === "object" && input !== null && !("run" in input) && ("list" in input || "get" in input)
    ? fenceAgentProvider
    : fenceAgent
);

const notifier = v.looseObject({ name, accepts: optFn, notify: fn });

const apiVersion = v.pipe(v.number(), v.integer("an integer"), v.minValue(1, "a positive integer"));

/** The schema of a plugin's default export. */
export const PluginDefinitionSchema = v.looseObject({
  name,
  version: v.pipe(v.string(), v.minLength(1, "a non-empty string")),
  apiVersions: v.pipe(v.array(apiVersion), v.minLength(1, "a non-empty array of API versions")),
  setup: optFn,
  resourceClasses: v.optional(v.array(resourceClass)),
  launchers: v.optional(v.array(launcher)),
  fenceAgents: v.optional(v.array(fenceEntry)),
  notifiers: v.optional(v.array(notifier)),
});

/** A field path as a reader writes it: `resourceClasses[0].exec`. */
function fieldPath(issue: v.BaseIssue<unknown>): string {
  let out = "";
  for (const item of issue.path ?? []) {
    const key = (item as { key: unknown }).key;
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(default export)" : out;
}

/** What kind of value `x` is, for messages: `undefined`, `a string "x"`, `an array`, ... */
export function describeValue(x: unknown): string {
  if (x === undefined) return "undefined";
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  switch (typeof x) {
    case "string":
      return `the string ${quote(x, 40)}`;
    case "number":
    case "boolean":
    case "bigint":
      return `the ${typeof x} ${String(x)}`;
    case "function":
      return "a function";
    default:
      return "an object";
  }
}

/** What a missing field must be, by its key. */
const MISSING: Readonly<Record<string, string>> = {
  name: "a string",
  version: "a string",
  apiVersions: "a non-empty array of API versions",
  capabilities: "an object",
  migrate: "a boolean",
  console: "a boolean",
};

/** Turn a valibot issue into "a string", "a function", ... */
function expectedOf(issue: v.BaseIssue<unknown>): string {
  const missing = /^"(.+)"$/.exec(issue.expected ?? "");
  if (missing) return MISSING[missing[1]!] ?? "a function";
  if (issue.type === "min_length" || issue.type === "max_length" || issue.type === "regex" ||
    issue.type === "integer" || issue.type === "min_value") {
    return issue.message;
  }
  switch (issue.expected) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    case "Function":
      return "a function";
    case "Array":
      return "an array";
    case "Object":
      return "an object";
    default:
      return issue.expected ?? issue.message;
  }
}

/**
 * Check `def` against {@link PluginDefinitionSchema}. `source` names where it came from (a path,
 * package or `builtin:ocf`) for messages. Throws `AtriumError("PLUGIN_MALFORMED")`.
 */
export function validateDefinition(def: unknown, source: string): PluginDefinition {
  if (typeof def !== "object" || def === null || Array.isArray(def)) {
    throw new AtriumError(
      "PLUGIN_MALFORMED",
      `Cannot load plugin from ${quote(source)}: its default export is ${describeValue(def)}, expected an object made with definePlugin({...})`,
      { plugin: source, hook: "load", details: { field: "(default export)", expected: "an object" } },
    );
  }
  const r = v.safeParse(PluginDefinitionSchema, def);
  if (r.success) return def as PluginDefinition;
  const issue = r.issues[0];
  const field = fieldPath(issue);
  const expected = expectedOf(issue);
  const received = describeValue(issue.input);
  const named = (def as { name?: unknown }).name;
  const plugin = typeof named === "string" && NAME_RE.test(named) ? named : source;
  throw new AtriumError(
    "PLUGIN_MALFORMED",
    `Cannot load plugin ${quote(plugin)} from ${quote(source)}: field ${quote(field)} must be ${expected}, got ${received}`,
    { plugin, hook: "load", details: { field, expected, received, issues: r.issues.length } },
  );
}

/**
 * Refuse a plugin none of whose API versions the host supports, with
 * `AtriumError("PLUGIN_API_UNSUPPORTED")` naming the plugin, its versions and the host's.
 */
export function checkApiVersions(def: PluginDefinition, supported: readonly number[]): number {
  const usable = def.apiVersions.filter((n) => supported.includes(n));
  if (usable.length > 0) return Math.max(...usable);
  throw new AtriumError(
    "PLUGIN_API_UNSUPPORTED",
    `Cannot load plugin ${quote(def.name)} ${def.version}: it supports plugin API versions [${def.apiVersions.join(", ")}], this host supports [${supported.join(", ")}]`,
    {
      plugin: def.name,
      hook: "load",
      details: { pluginApiVersions: [...def.apiVersions], hostApiVersions: [...supported] },
    },
  );
}
