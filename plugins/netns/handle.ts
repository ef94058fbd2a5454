/**
 * What a netns guest handle holds (GuestHandle.state): everything `status`, `stop` and
 * `recover` need after an atriumd restart. Persisted by the host as JSON; read back strictly.
 * @module
 */
import { AtriumError, type GuestHandle } from "../../core/plugin/mod.ts";

/** The state of one netns guest. */
export interface NetnsGuestState {
  /** The network namespace name (under /run/netns). */
  readonly netns: string;
  /** The host-side veth (its peer is eth0 in the namespace). */
  readonly hostVeth: string;
  readonly bridge: string;
  /** The guest's address without the prefix, e.g. "10.214.0.11". */
  readonly address: string;
  readonly prefix: number;
  readonly port: number;
  /** The daemon's pid (also its process group id). */
  readonly pid: number;
  /** Field 22 of /proc/PID/stat at start: tells the daemon from a recycled pid. */
  readonly startTime: string;
  /** The guest's private state folder on the host (authkey, daemon.log). */
  readonly stateDir: string;
}

/** The launcher name in every handle. */
export const LAUNCHER_NAME = "netns";

function badHandle(why: string, handle: unknown): AtriumError {
  const text = JSON.stringify(handle) ?? String(handle);
  return new AtriumError("LAUNCHER_BAD_HANDLE", `Cannot use guest handle ${text.length > 120 ? text.slice(0, 120) + "…" : text}: ${why}`, {
    plugin: "netns",
  });
}

/**
 * Read the state of a handle made by this launcher (possibly after a JSON round trip).
 * Throws AtriumError LAUNCHER_BAD_HANDLE when it is not one.
 *
 * @example
 * ```ts
 * const s = readGuestState(handle);
 * console.log(s.netns, s.pid);
 * ```
 */
export function readGuestState(handle: GuestHandle): NetnsGuestState {
  if (typeof handle !== "object" || handle === null) throw badHandle("expected an object", handle);
  if (handle.launcher !== LAUNCHER_NAME) throw badHandle(`launcher is not "${LAUNCHER_NAME}"`, handle);
  const s = handle.state as Record<string, unknown> | null;
  if (typeof s !== "object" || s === null) throw badHandle("state is missing", handle);
  const str = (k: string, re: RegExp): string => {
    const v = s[k];
    if (typeof v !== "string" || !re.test(v)) throw badHandle(`state.${k} is ${JSON.stringify(v)}`, handle);
    return v;
  };
  const int = (k: string, min: number, max: number): number => {
    const v = s[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw badHandle(`state.${k} is ${JSON.stringify(v)}`, handle);
    return v;
  };
  return {
    netns: str("netns", /^atrium-g-[A-Za-z0-9_.-]+$/),
    hostVeth: str("hostVeth", /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/),
    bridge: str("bridge", /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/),
    address: str("address", /^[0-9]{1,3}(\.[0-9]{1,3}){3}$/),
    prefix: int("prefix", 1, 30),
    port: int("port", 1, 65535),
    pid: int("pid", 2, 2 ** 22),
    startTime: str("startTime", /^[0-9]+$/),
    stateDir: str("stateDir", /^\/(?!.*(^|\/)\.\.(\/|$)).+$/),
  };
}

/** Build the handle of a started guest. */
export function makeHandle(resource: string, node: string, state: NetnsGuestState): GuestHandle {
  return { launcher: LAUNCHER_NAME, resource, node, state: { ...state } };
}
