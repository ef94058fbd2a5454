/**
 * Operation checks (`op` elements of primitives and templates), after Pacemaker's action
 * unpacking: duplicate recurring operations, actions that cannot recur, roles, and `on-fail`
 * values that are not allowed for the action or need fencing.
 */
import { type Ctx, loc, nvMap, report, section, stonithEnabled } from "./_tree.ts";
import { allResources, opsOf } from "./_rsc.ts";
import { parseIntervalMs } from "./_values.ts";

const CANNOT_RECUR = new Set(["stop", "start", "demote", "promote", "reload-agent", "migrate_to", "migrate_from"]);
const ROLE_NAMES = new Set(["stopped", "started", "unpromoted", "promoted", "slave", "master"]);
const ON_FAIL = new Set(["block", "fence", "standby", "ignore", "nothing", "migrate", "stop", "restart", "restart-container", "demote"]);

/** Check every primitive's operations. */
export function checkOperations(ctx: Ctx): void {
  const fencing = stonithEnabled(ctx);
  const opDefaults = nvMap(ctx, section(ctx, "op_defaults"), "meta_attributes");
  const defaultOnFail = opDefaults.get("on-fail")?.value;
  for (const r of allResources(ctx)) {
    if (r.tag !== "primitive") continue;
    const seen = new Map<string, string>();
    let stopOnFail: { value: string | undefined; at: string } = {
      value: defaultOnFail,
      at: opDefaults.get("on-fail") ? loc(ctx, opDefaults.get("on-fail")!.el, "value") : "",
    };
    for (const op of opsOf(ctx, r.el)) {
      const name = op.attrs.name ?? "";
      const id = op.attrs.id ?? "";
      const interval = parseIntervalMs(op.attrs.interval);
      if (interval === undefined) {
        report(ctx, "error", "INVALID_INTERVAL", loc(ctx, op, "interval"), op.attrs.interval,
          "a duration such as 10s, 500ms, 1min or PT10S",
          `Operation "${id}" of resource "${r.id}" has interval "${op.attrs.interval}", which is not a duration`);
        continue;
      }
      if (interval > 0) {
        const key = `${name}\u0000${interval}`;
        const first = seen.get(key);
        if (CANNOT_RECUR.has(name)) {
          report(ctx, "error", "OPERATION_CANNOT_RECUR", loc(ctx, op, "interval"), op.attrs.interval,
            "interval 0 for a " + name + " operation",
            `Operation "${id}" of resource "${r.id}" is a recurring ${name}, which cannot recur`);
        } else if (first !== undefined) {
          report(ctx, "error", "DUPLICATE_OPERATION", loc(ctx, op), id,
            "one operation per name and interval",
            `Operation "${id}" of resource "${r.id}" duplicates "${first}" (same name "${name}" and interval)`);
        } else {
          seen.set(key, id);
          const role = op.attrs.role;
          if (role !== undefined && !ROLE_NAMES.has(role.toLowerCase())) {
            report(ctx, "error", "INVALID_ROLE", loc(ctx, op, "role"), role,
              "Stopped, Started, Unpromoted or Promoted",
              `Operation "${id}" of resource "${r.id}" has role "${role}", which is not a role`);
          }
        }
      }
      const onFail = op.attrs["on-fail"];
      if (name === "stop" && interval === 0) stopOnFail = { value: onFail ?? defaultOnFail, at: loc(ctx, op, "on-fail") };
      if (onFail === undefined) continue;
      const lower = onFail.toLowerCase();
      if (!ON_FAIL.has(lower)) {
        report(ctx, "error", "INVALID_ON_FAIL", loc(ctx, op, "on-fail"), onFail,
          [...ON_FAIL].join(", "),
          `Operation "${id}" of resource "${r.id}" has on-fail "${onFail}", which is not a failure policy`);
      } else if (lower === "demote" && name !== "promote" &&
        !(name === "monitor" && /^(promoted|master)$/i.test(op.attrs.role ?? "") && interval > 0)) {
        report(ctx, "error", "ON_FAIL_NOT_ALLOWED", loc(ctx, op, "on-fail"), onFail,
          "demote only for promote or a recurring Promoted monitor",
          `Operation "${id}" of resource "${r.id}" cannot use on-fail "demote" for a ${name} operation`);
      } else if (lower === "fence" && !fencing) {
        report(ctx, "error", "ON_FAIL_NEEDS_FENCING", loc(ctx, op, "on-fail"), onFail,
          "stonith-enabled=true, or a policy other than fence",
          `Operation "${id}" of resource "${r.id}" uses on-fail "fence" while fencing is disabled (stop is used instead)`);
      }
    }
    const v = stopOnFail.value;
    if (v !== undefined && ["standby", "demote", "stop"].includes(v.toLowerCase())) {
      report(ctx, "error", "ON_FAIL_NOT_ALLOWED", stopOnFail.at, v,
        "block, fence, ignore, restart or migrate for stop",
        `The stop operation of resource "${r.id}" cannot use on-fail "${v}" (the default is used instead)`);
    }
  }
}
