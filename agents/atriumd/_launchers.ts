/**
 * Guest launchers as atriumd hands them to the controller: a container's stop always ends with
 * the container gone. The controller asks launchers for a graceful stop within the operation's
 * timeout; a guest whose daemon is frozen (SIGSTOP) or hung never exits on SIGTERM, and a failed
 * container stop would leave the guest blocked (or get its host fenced). So the stop is graceful
 * for half of the timeout and forced after that (as a hypervisor destroys a VM that ignored its
 * shutdown request), leaving the rest of the timeout for the launcher's clean-up.
 *
 * @example
 * ```ts
 * const ctl = new Controller({ ..., launcher: (n) => stopForcefully(registry.launcher(n)) });
 * ```
 */
import type { GuestLauncher } from "../../core/plugin/types.ts";

const wrapped = new WeakMap<GuestLauncher, GuestLauncher>();

/** `l` with a stop that escalates to a forced one (see the module documentation). */
export function stopForcefully(l: GuestLauncher | undefined): GuestLauncher | undefined {
  if (l === undefined) return undefined;
  const known = wrapped.get(l);
  if (known) return known;
  const stop: GuestLauncher["stop"] = (handle, opts, ctx) =>
    l.stop(handle, { timeoutMs: Math.max(1000, Math.floor(opts.timeoutMs / 2)), force: true }, ctx);
  // Registered launchers are frozen plain objects (the registry's wrappers): copy, replace stop.
  const w: GuestLauncher = { ...l, stop };
  wrapped.set(l, w);
  return w;
}
