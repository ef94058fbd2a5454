/**
 * Cluster property checks (`crm_config`), after Pacemaker's option validation and
 * unpack_config: value syntax of the scheduler's options, deprecated values, and fencing
 * enabled without any fencing device.
 */
import { clusterOptions, type Ctx, isFalse, isTrue, loc, nvMap, report, section, stonithEnabled } from "./_tree.ts";
import { agentOf, allResources } from "./_rsc.ts";
import { parseIntervalMs } from "./_values.ts";

const BOOLEAN = [
  "symmetric-cluster", "maintenance-mode", "start-failure-is-fatal", "enable-startup-probes", "shutdown-lock",
  "stonith-enabled", "have-watchdog", "concurrent-fencing", "startup-fencing", "stop-all-resources",
  "stop-orphan-resources", "stop-orphan-actions", "remove-after-stop",
];
const TIME = [
  "shutdown-lock-limit", "stonith-timeout", "priority-fencing-delay", "cluster-delay", "cluster-recheck-interval",
  "dc-deadtime", "election-timeout", "shutdown-escalation", "join-integration-timeout", "join-finalization-timeout",
  "transition-delay", "stonith-watchdog-timeout",
];
const INTEGER = ["batch-limit", "migration-limit", "pe-error-series-max", "pe-warn-series-max", "pe-input-series-max"];
const SELECT: Record<string, readonly string[]> = {
  "no-quorum-policy": ["stop", "freeze", "ignore", "demote", "suicide"],
  "stonith-action": ["reboot", "off", "poweroff"],
  "placement-strategy": ["default", "utilization", "minimal", "balanced"],
  "node-health-strategy": ["none", "migrate-on-red", "only-green", "progressive", "custom"],
};

function checkSyntax(ctx: Ctx): void {
  for (const [name, { value, el }] of nvMap(ctx, section(ctx, "crm_config"), "cluster_property_set")) {
    if (value === undefined) continue;
    const at = loc(ctx, el, "value");
    let expected: string | undefined;
    if (BOOLEAN.includes(name) && !isTrue(value) && !isFalse(value)) expected = "true or false";
    else if (TIME.includes(name) && (parseIntervalMs(value) === undefined)) expected = "a duration such as 60s";
    else if (INTEGER.includes(name) && !/^\s*-?\d+\s*$/.test(value)) expected = "an integer";
    else if (SELECT[name] !== undefined && !SELECT[name]!.includes(value.toLowerCase())) expected = SELECT[name]!.join(", ");
    if (expected !== undefined) {
      report(ctx, "error", "INVALID_CLUSTER_OPTION", at, value, expected,
        `Cluster option "${name}" has value "${value}", which is not valid (the default is used)`);
    }
  }
}

/** Check the cluster options and fencing configuration. */
export function checkProperties(ctx: Ctx): void {
  checkSyntax(ctx);
  const opts = clusterOptions(ctx);
  const props = nvMap(ctx, section(ctx, "crm_config"), "cluster_property_set");
  const at = (name: string): string => {
    const p = props.get(name);
    return p !== undefined ? loc(ctx, p.el, "value") : "/cib/configuration/crm_config";
  };
  if (opts.get("stonith-action") === "poweroff") {
    report(ctx, "warning", "DEPRECATED_VALUE", at("stonith-action"), "poweroff", "off",
      `Cluster option "stonith-action" value "poweroff" is deprecated (use "off")`);
  }
  if (isTrue(opts.get("remove-after-stop"))) {
    report(ctx, "warning", "DEPRECATED_OPTION", at("remove-after-stop"), opts.get("remove-after-stop"), "no remove-after-stop",
      `Cluster option "remove-after-stop" is deprecated`);
  }
  const fencing = stonithEnabled(ctx);
  if (!fencing && opts.get("no-quorum-policy")?.toLowerCase() === "suicide") {
    report(ctx, "error", "SUICIDE_NEEDS_FENCING", at("no-quorum-policy"), "suicide", "stonith-enabled=true, or another policy",
      `Cluster option "no-quorum-policy" is "suicide" while fencing is disabled (stop is used)`);
  }
  if (fencing) {
    // Watchdog (SBD) self-fencing counts as a fencing device.
    const hasDevice = isTrue(opts.get("have-watchdog")) ||
      allResources(ctx).some((r) => r.tag === "primitive" && agentOf(ctx, r.el).cls === "stonith");
    if (!hasDevice) {
      report(ctx, "error", "NO_FENCING_DEVICE", at("stonith-enabled"), opts.get("stonith-enabled") ?? null,
        "a stonith resource, or stonith-enabled=false",
        "Fencing is enabled but no fencing (stonith) resource is defined, so no resource will start");
    }
  }
}
