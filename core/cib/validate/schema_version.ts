/**
 * The `validate-with` attribute: Pacemaker 2.1.5 validates a CIB against the schema it names
 * (pacemaker-1.0 to pacemaker-3.9); `none` disables validation, which crm_verify warns about.
 */
import { type Ctx, report } from "./_tree.ts";

/** The newest schema Pacemaker 2.1.5 knows. */
const LATEST: readonly [number, number] = [3, 9];

/** Check the `validate-with` attribute of the root. */
export function checkSchemaVersion(ctx: Ctx): void {
  const v = ctx.cib.attrs["validate-with"];
  if (v === undefined) return;
  if (v === "none") {
    report(ctx, "warning", "SCHEMA_VALIDATION_DISABLED", "/cib/@validate-with", v, "a schema such as pacemaker-3.9",
      "Schema validation of the configuration is disabled (enabling it prevents common misconfigurations)");
    return;
  }
  const m = /^pacemaker-(\d+)\.(\d+)$/.exec(v);
  const known = v === "pacemaker-next" || (m !== null && (Number(m[1]) < LATEST[0] ||
    (Number(m[1]) === LATEST[0] && Number(m[2]) <= LATEST[1])) && Number(m[1]) >= 1);
  if (!known) {
    report(ctx, "error", "UNKNOWN_SCHEMA", "/cib/@validate-with", v, "pacemaker-1.0 to pacemaker-3.9, or none",
      `Schema "${v}" is not known to Pacemaker 2.1.5, so the configuration cannot be validated`);
  }
}
