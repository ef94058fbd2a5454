/**
 * The `alert-agents` plugin: runs Pacemaker alert agents (the CIB's `<alerts>`) for cluster
 * events, with the CRM_alert_* environment Pacemaker 2.1.5 gives them.
 *
 * Configuration (optional): `{ alerts?: AlertConfig[] }` as plain data (see
 * {@link validateAlertConfigs}); a host that reads the CIB calls `configure` on the notifier
 * with {@link parseAlertsElement}'s result whenever `<alerts>` changes.
 * @module
 */
import { definePlugin } from "../../core/plugin/mod.ts";
import { createAlertAgentsNotifier } from "./notifier.ts";
import { validateAlertConfigs } from "./validate.ts";

export {
  type AlertConfig,
  type AlertEntry,
  type AlertRecipient,
  type AlertSelect,
  type AlertWarning,
  type AlertXmlNode,
  DEFAULT_ALERT_TIMEOUT_MS,
  DEFAULT_SELECT,
  DEFAULT_TIMESTAMP_FORMAT,
  parseAlertDuration,
  parseAlertsElement,
  resolveAlertEntries,
} from "./config.ts";
export {
  ALERT_VERSION,
  alertEnvironment,
  type AlertTime,
  entryWants,
  eventAlertKeys,
  execStatusCode,
  FENCING_ALERT_TASK,
  fencingAlertDesc,
  isAlertableEvent,
  resourceAlertDesc,
} from "./env.ts";
export { type AlertAgentsNotifier, type AlertAgentsOptions, type AlertRunResult, createAlertAgentsNotifier } from "./notifier.ts";
export { formatAlertTimestamp, parseEventTime } from "./timestamp.ts";
export { validateAlertConfigs } from "./validate.ts";

/** The notifier the built-in plugin registers (configure it through `setup` or `configure`). */
export const alertAgentsNotifier = createAlertAgentsNotifier();

/** The built-in `alert-agents` plugin. */
export default definePlugin({
  name: "alert-agents",
  version: "0.1.0",
  apiVersions: [1],
  async setup(config: unknown): Promise<() => Promise<void>> {
    if (config !== undefined && config !== null) {
      if (typeof config !== "object" || Array.isArray(config)) {
        throw new TypeError(`Cannot configure plugin "alert-agents": expected an object, got ${JSON.stringify(config)}`);
      }
      const alerts = (config as Record<string, unknown>)["alerts"];
      if (alerts !== undefined) alertAgentsNotifier.configure(validateAlertConfigs(alerts));
    }
    // At shutdown, wait for alerts in flight (as Pacemaker drains them); each has its timeout.
    return () => alertAgentsNotifier.idle();
  },
  notifiers: [alertAgentsNotifier],
});
