/**
 * What an edit changed (configuration, status or nothing), the next version as Pacemaker counts
 * it, and the findings that refuse an update. Internal to core/cib/service/.
 */
import type { Cib, CibElement, CibVersion } from "../model.ts";
import { child } from "../query.ts";
import { serializeXml } from "../xml.ts";
import { type Finding, verifyCib } from "../validate/mod.ts";

/** What an update touched. */
export type ChangeKind = "configuration" | "status" | "none";

function same(a: CibElement | undefined, b: CibElement | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return serializeXml(a, { pretty: false }) === serializeXml(b, { pretty: false });
}

const COUNTERS = new Set(["admin_epoch", "epoch", "num_updates"]);
const CONFIG_ROOT_ATTRS = new Set(["validate-with"]);

function rootAttrsChanged(a: Cib, b: Cib, config: boolean): boolean {
  const keys = new Set([...Object.keys(a.attrs), ...Object.keys(b.attrs)]);
  for (const k of keys) {
    if (COUNTERS.has(k) || CONFIG_ROOT_ATTRS.has(k) !== config) continue;
    if (a.attrs[k] !== b.attrs[k]) return true;
  }
  return false;
}

/** Classify the change from `before` to `after`. */
export function changeKind(before: Cib, after: Cib): ChangeKind {
  if (before === after) return "none";
  if (!same(child(before, "configuration"), child(after, "configuration")) || rootAttrsChanged(before, after, true)) {
    return "configuration";
  }
  if (!same(child(before, "status"), child(after, "status")) || rootAttrsChanged(before, after, false)) return "status";
  const other = (c: Cib): string =>
    c.children.filter((k) => k.tag !== "configuration" && k.tag !== "status").map((k) => serializeXml(k as CibElement, { pretty: false })).join("");
  return other(before) === other(after) ? "none" : "configuration";
}

/** The next version: configuration changes bump epoch and zero num_updates, status ones bump num_updates. */
export function nextVersion(v: CibVersion, kind: Exclude<ChangeKind, "none">): CibVersion {
  return kind === "configuration"
    ? { adminEpoch: v.adminEpoch, epoch: v.epoch + 1, numUpdates: 0 }
    : { adminEpoch: v.adminEpoch, epoch: v.epoch, numUpdates: v.numUpdates + 1 };
}

/**
 * Codes of verifier errors that describe an operational consequence (no fencing device, so
 * nothing starts) rather than a malformed configuration: reported as warnings, never refused.
 */
export const ADVISORY_CODES: ReadonlySet<string> = new Set([
  "NO_FENCING_DEVICE",
  "ON_FAIL_NEEDS_FENCING",
  "LOSS_POLICY_NEEDS_FENCING",
  "SUICIDE_NEEDS_FENCING",
]);

function key(f: Finding): string {
  return `${f.code}\u0000${f.location}\u0000${f.value}`;
}

/** The result of checking an updated CIB. */
export interface Check {
  /** Errors the update introduced (it is refused when there is any). */
  readonly errors: Finding[];
  /** Warnings of the updated CIB, advisory errors included as warnings. */
  readonly warnings: Finding[];
  /** Keys of every non-advisory error of the updated CIB (pass them to the next check). */
  readonly errorKeys: ReadonlySet<string>;
}

/**
 * Verify `after` (configuration checks and structure). Only errors whose key is not in
 * `known` (the errors the CIB already had) refuse the update, so a CIB that already had a
 * problem can still be edited, and repaired.
 */
export function checkUpdate(after: Cib, known: ReadonlySet<string>, advisory: ReadonlySet<string>): Check {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const errorKeys = new Set<string>();
  for (const f of verifyCib(after, { configOnly: true })) {
    if (f.severity === "error" && !advisory.has(f.code)) {
      errorKeys.add(key(f));
      if (!known.has(key(f))) errors.push(f);
    } else {
      warnings.push(f.severity === "error" ? { ...f, severity: "warning" } : f);
    }
  }
  return { errors, warnings, errorKeys };
}
