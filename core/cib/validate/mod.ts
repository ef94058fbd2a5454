/**
 * CIB validation: what `crm_verify` 2.1.5 reports for a CIB, as typed findings, plus the
 * remote/guest rules Atrium adds. A CIB is valid when there are no findings at all (errors or
 * warnings), as crm_verify exits 0 only then.
 *
 * Each concern is one file: ids, references and values of constraints, resources, operations,
 * cluster properties, remote/guest rules, and the status section (recorded state of nodes and
 * resources that Pacemaker warns about when it unpacks it, including nodes it would fence).
 *
 * Codes (stable): ids.ts DUPLICATE_ID, MISSING_ID; schema_version.ts SCHEMA_VALIDATION_DISABLED,
 * UNKNOWN_SCHEMA; properties.ts INVALID_CLUSTER_OPTION, DEPRECATED_VALUE, DEPRECATED_OPTION,
 * SUICIDE_NEEDS_FENCING, NO_FENCING_DEVICE; resources.ts INVALID_TARGET_ROLE,
 * TARGET_ROLE_NOT_PROMOTABLE, REQUIRES_FENCING_DISABLED, REQUIRES_UNFENCING_IGNORED,
 * INVALID_REQUIRES, DEPRECATED_RESTART_TYPE, INVALID_MULTIPLE_ACTIVE,
 * NEGATIVE_MIGRATION_THRESHOLD, DEPRECATED_GROUP_META, EMPTY_GROUP, EMPTY_CLONE,
 * CLONE_NODE_MAX_ANONYMOUS, CLONE_CANNOT_BE_UNIQUE, CLASS_NOT_PROMOTABLE, UNKNOWN_TEMPLATE;
 * operations.ts INVALID_INTERVAL, OPERATION_CANNOT_RECUR, DUPLICATE_OPERATION, INVALID_ROLE,
 * INVALID_ON_FAIL, ON_FAIL_NOT_ALLOWED, ON_FAIL_NEEDS_FENCING; constraints.ts
 * UNKNOWN_REFERENCE, INVALID_ORDER_KIND, SYMMETRICAL_SERIALIZE, DEPRECATED_ORDER_SCORE,
 * DEPRECATED_REQUIRE_ALL, DEPRECATED_INSTANCE, DEPRECATED_LIFETIME, COLOCATION_OF_TAGS,
 * INVALID_BOOLEAN, REMOVED_ATTRIBUTE, INVALID_PATTERN, INVALID_RESOURCE_DISCOVERY,
 * MISSING_ATTRIBUTE, LOSS_POLICY_NEEDS_FENCING, UNKNOWN_CONSTRAINT; remote_guest.ts
 * REMOTE_NODE_NAME_CLASH, REMOTE_CONNECTION_IN_GROUP, REMOTE_CONNECTION_CLONED,
 * REMOTE_CONNECTION_IN_CONSTRAINT, INVALID_PORT, INVALID_DURATION,
 * GUEST_CONTAINER_NOT_PRIMITIVE, GUEST_CONTAINER_CLONED, UNKNOWN_REFERENCE; status.ts
 * UNKNOWN_NODE_STATE, ACTIVE_ORPHAN, FAILURE_TIMEOUT_IGNORED; fencing.ts NODE_NEEDS_FENCING;
 * and STRUCTURE for the structural errors of `schema/validateStructure`.
 *
 * @example
 * ```ts
 * const findings = verifyCib(parseCib(text));
 * for (const f of findings) console.log(formatFinding(f));
 * ```
 */
import type { CibElement } from "../model.ts";
import type { Finding } from "./_types.ts";
import { makeCtx } from "./_tree.ts";
import { checkIds } from "./ids.ts";
import { checkConstraints } from "./constraints.ts";
import { checkResources } from "./resources.ts";
import { checkOperations } from "./operations.ts";
import { checkProperties } from "./properties.ts";
import { checkRemoteGuest } from "./remote_guest.ts";
import { checkSchemaVersion } from "./schema_version.ts";
import { checkCloneOrphans, checkFailureTimeout, checkStatus } from "./status.ts";
import { checkFencing } from "./fencing.ts";
import { validateStructure } from "../schema/validate.ts";

export type { Finding, Severity } from "./_types.ts";

/** Options of {@link verifyCib}. */
export interface VerifyOptions {
  /**
   * Include the structural errors of `schema/validateStructure` (code `STRUCTURE`); default
   * true. Its warnings (values Pacemaker replaces by a default) are not included.
   */
  readonly structure?: boolean;
  /** Skip the status section (configuration checks only). */
  readonly configOnly?: boolean;
}

/**
 * Verify a CIB. Returns the findings in check order (errors and warnings mixed), each
 * location reported once per code. Never throws on a well-formed tree.
 */
export function verifyCib(cib: CibElement, options: VerifyOptions = {}): Finding[] {
  const ctx = makeCtx(cib);
  checkSchemaVersion(ctx);
  checkIds(ctx);
  checkProperties(ctx);
  checkResources(ctx);
  checkOperations(ctx);
  checkConstraints(ctx);
  checkRemoteGuest(ctx);
  if (options.configOnly !== true) {
    checkStatus(ctx);
    checkCloneOrphans(ctx);
    checkFailureTimeout(ctx);
    checkFencing(ctx);
  }
  if (options.structure !== false) {
    const parentOf = (p: string): string => p.replace(/\/@[^/]*$/, "").replace(/\/[^/]*$/, "");
    const ours = new Set(ctx.findings.map((f) => `${parentOf(f.location)}\u0000${f.value}`));
    for (const issue of validateStructure(cib)) {
      if (issue.severity !== "error") continue;
      // The same value of the same element already reported by a specific check.
      if (issue.value !== undefined && ours.has(`${parentOf(issue.path)}\u0000${issue.value}`)) continue;
      ctx.findings.push({
        severity: "error",
        code: "STRUCTURE",
        location: issue.path,
        value: issue.value ?? null,
        expected: issue.expected,
        message: issue.message,
      });
    }
  }
  const seen = new Set<string>();
  return ctx.findings.filter((f) => {
    const key = `${f.code}\u0000${f.location}\u0000${f.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * One line for a finding, as `atrium verify` prints it:
 * `error: LOCATION: message (expected EXPECTED)`, the message's first letter lowered.
 */
export function formatFinding(f: Finding): string {
  const msg = /^[A-Z][a-z]/.test(f.message) ? f.message[0]!.toLowerCase() + f.message.slice(1) : f.message;
  return `${f.severity}: ${f.location}: ${msg} (expected ${f.expected})`;
}

/** True when the findings make the CIB invalid (any error or warning, as for crm_verify). */
export function isRejected(findings: readonly Finding[]): boolean {
  return findings.length > 0;
}
