/**
 * The environment of an OCF agent, named as Pacemaker 2.1.5's executor names it
 * (lib/services/services_linux.c, add_action_env_vars).
 * @module
 */
import type { OperationRequest } from "../../core/plugin/mod.ts";

/** Prefix OCF agents put before an exit reason on stderr (OCF_EXIT_REASON_PREFIX). */
export const OCF_EXIT_REASON_PREFIX = "ocf-exit-reason:";

/** Longest exit reason kept, as Pacemaker truncates. */
const EXIT_REASON_MAX = 128;

/**
 * Build the OCF environment of `op`: OCF_ROOT, OCF_RA_VERSION_MAJOR/MINOR (1.1),
 * OCF_EXIT_REASON_PREFIX, OCF_RESOURCE_INSTANCE/TYPE/PROVIDER, `OCF_RESKEY_<param>` for every
 * instance attribute (OCF_CHECK_LEVEL unprefixed), `OCF_RESKEY_CRM_meta_<name>` for every meta
 * attribute (timeout and interval in ms, notify variables), then `op.env`.
 *
 * @example
 * ```ts
 * const env = ocfEnvironment(op, "/usr/lib/ocf");
 * env.OCF_RESKEY_CRM_meta_timeout; // "20000"
 * ```
 */
export function ocfEnvironment(op: OperationRequest, root: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(op.params)) {
    env[k === "OCF_CHECK_LEVEL" ? k : `OCF_RESKEY_${k}`] = v;
  }
  for (const [k, v] of Object.entries(op.meta)) {
    const name = k.startsWith("CRM_meta_") ? k : `CRM_meta_${k}`;
    env[`OCF_RESKEY_${name}`] = v;
  }
  env["OCF_RA_VERSION_MAJOR"] = "1";
  env["OCF_RA_VERSION_MINOR"] = "1";
  env["OCF_ROOT"] = root;
  env["OCF_EXIT_REASON_PREFIX"] = OCF_EXIT_REASON_PREFIX;
  env["OCF_RESOURCE_INSTANCE"] = op.resource;
  env["OCF_RESOURCE_TYPE"] = op.agent.type;
  if (op.agent.provider !== undefined) env["OCF_RESOURCE_PROVIDER"] = op.agent.provider;
  for (const [k, v] of Object.entries(op.env ?? {})) env[k] = v;
  return env;
}

/**
 * The exit reason an OCF agent printed: the text after the LAST `ocf-exit-reason:` on stderr,
 * to the end of its line, at most 128 characters (as Pacemaker reads it).
 *
 * @example
 * ```ts
 * exitReason("x\nocf-exit-reason:Bad config\n"); // "Bad config"
 * ```
 */
export function exitReason(stderr: string): string | undefined {
  const at = stderr.lastIndexOf(OCF_EXIT_REASON_PREFIX);
  if (at < 0) return undefined;
  const rest = stderr.slice(at + OCF_EXIT_REASON_PREFIX.length);
  const line = rest.split("\n", 1)[0] ?? "";
  if (line === "") return undefined;
  return line.slice(0, EXIT_REASON_MAX);
}
