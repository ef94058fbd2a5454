/**
 * The `lsb` resource class plugin: init scripts under /etc/init.d, unmodified.
 * @module
 */
import { definePlugin } from "../../core/plugin/mod.ts";
import { createLsbClass } from "./lsb_class.ts";

export { createLsbClass, lsbScriptPath, type LsbClassOptions } from "./lsb_class.ts";
export { lsbMetadataXml, parseLsbHeader, type LsbHeader } from "./header.ts";
export { lsbToOcf } from "./status.ts";

/** The built-in `lsb` plugin. */
export default definePlugin({
  name: "lsb",
  version: "0.1.0",
  apiVersions: [1],
  resourceClasses: [createLsbClass()],
});
