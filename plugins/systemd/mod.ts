/**
 * The `systemd` resource class plugin: units managed through `systemctl`.
 * @module
 */
import { definePlugin } from "../../core/plugin/mod.ts";
import { createSystemdClass } from "./systemd_class.ts";

export { createSystemdClass, type SystemdClassOptions } from "./systemd_class.ts";
export { activeStateToOcf, parseShow, parseTimespanMs, systemdMetadataXml, unitName, type UnitStateResult } from "./units.ts";

/** The built-in `systemd` plugin. */
export default definePlugin({
  name: "systemd",
  version: "0.1.0",
  apiVersions: [1],
  resourceClasses: [createSystemdClass()],
});
