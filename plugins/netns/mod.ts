/**
 * The `netns` guest launcher plugin: guests as network-namespace containers with a private
 * /run, each running the guest executor (atrium-remoted) on a bridge of the host. Needs root,
 * iproute2 (`ip`) and util-linux (`unshare`, `mount`). See README.md for the defaults.
 * @module
 */
import { definePlugin } from "../../core/plugin/mod.ts";
import { defaultSettings, parseNetnsConfig } from "./config.ts";
import { createNetnsLauncher } from "./launcher.ts";

export { createNetnsLauncher } from "./launcher.ts";
export { DEFAULT_STATE_DIR, defaultRemotedCommand, defaultSettings, type NetnsConfig, type NetnsSettings, parseNetnsConfig } from "./config.ts";
export { LAUNCHER_NAME, type NetnsGuestState, readGuestState } from "./handle.ts";
export {
  DEFAULT_BRIDGE,
  DEFAULT_PORT,
  DEFAULT_SUBNET,
  defaultBridgeAddress,
  type GuestParams,
  hostVethName,
  type Ipv4Cidr,
  netnsName,
  parseGuestParams,
  parseIpv4Cidr,
} from "./params.ts";

/** The settings of the built-in launcher; `setup` replaces them with the configured ones. */
const settings = defaultSettings();
const launcher = createNetnsLauncher(settings);

/** The built-in `netns` plugin (configuration: {@link NetnsConfig}, given to `setup`). */
export default definePlugin({
  name: "netns",
  version: "0.1.0",
  apiVersions: [1],
  async setup(config: unknown) {
    Object.assign(settings, parseNetnsConfig(config));
    return async () => {
      Object.assign(settings, defaultSettings());
    };
  },
  launchers: [launcher],
});
