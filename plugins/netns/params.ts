/**
 * The instance attributes of a `launcher:netns` container primitive, validated, and the names
 * derived from the guest node name (network namespace, host-side veth, state dir). Pure logic:
 * no I/O, runs on Node and Deno.
 * @module
 */
import { createHash } from "node:crypto";
import { AtriumError } from "../../core/plugin/mod.ts";

/** The bridge guests hang off when `bridge` is not set. */
export const DEFAULT_BRIDGE = "atrium0";
/** The documented subnet for Atrium guests (the rig's real Pacemaker hosts use 10.213.0.0/24). */
export const DEFAULT_SUBNET = "10.214.0.0/24";
/** The Pacemaker remote port. */
export const DEFAULT_PORT = 3121;
/** Prefix of every network namespace this launcher creates. */
export const NETNS_PREFIX = "atrium-g-";
/** Longest network namespace name this launcher makes (prefix included). */
export const NETNS_MAX_LENGTH = 48;
/** Linux interface names are at most 15 bytes (IFNAMSIZ - 1). */
export const IFNAME_MAX_LENGTH = 15;

/** An IPv4 address with its prefix length. */
export interface Ipv4Cidr {
  /** Dotted quad, e.g. "10.214.0.11". */
  readonly address: string;
  readonly prefix: number;
}

/** The validated parameters of one guest. */
export interface GuestParams {
  /** The guest's address on eth0. */
  readonly address: Ipv4Cidr;
  readonly bridge: string;
  /** The host side's address on the bridge. */
  readonly bridgeAddress: Ipv4Cidr;
  /** Where the guest's executor listens. */
  readonly port: number;
  /** A command from the `remoted_command` attribute (a JSON array of strings), if set. */
  readonly remotedCommand?: readonly string[];
}

/** The parameters this launcher understands; anything else is refused. */
export const KNOWN_PARAMS: readonly string[] = ["address", "bridge", "bridge_address", "port", "remoted_command"];

function bad(message: string, details: Record<string, unknown>): AtriumError {
  return new AtriumError("LAUNCHER_BAD_PARAMS", message, { plugin: "netns", details });
}

function ipv4ToInt(s: string): number | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** The network address and broadcast address of a CIDR, as integers. */
function range(c: Ipv4Cidr): { network: number; broadcast: number } {
  const addr = ipv4ToInt(c.address) ?? 0;
  const size = 2 ** (32 - c.prefix);
  const network = Math.floor(addr / size) * size;
  return { network, broadcast: network + size - 1 };
}

/**
 * Parse "ADDR/PREFIX" (IPv4, prefix 1..30, not the network or broadcast address).
 *
 * @example
 * ```ts
 * parseIpv4Cidr("10.214.0.11/24", "address"); // { address: "10.214.0.11", prefix: 24 }
 * ```
 */
export function parseIpv4Cidr(value: string, param: string): Ipv4Cidr {
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(value.trim());
  const expected = "expected an IPv4 address with a prefix length, e.g. 10.214.0.11/24";
  if (!m) throw bad(`Cannot use ${param} "${value}": ${expected}`, { param, value, expected });
  const n = ipv4ToInt(m[1]!);
  const prefix = Number(m[2]);
  if (n === undefined) throw bad(`Cannot use ${param} "${value}": ${expected}`, { param, value, expected });
  if (prefix < 1 || prefix > 30) {
    throw bad(`Cannot use ${param} "${value}": expected a prefix length from 1 to 30`, { param, value });
  }
  const c = { address: intToIpv4(n), prefix };
  const r = range(c);
  if (n === r.network || n === r.broadcast) {
    throw bad(`Cannot use ${param} "${value}": it is the network or broadcast address of its subnet`, { param, value });
  }
  if (m[1]!.startsWith("0.") || m[1]!.startsWith("127.") || n >= ipv4ToInt("224.0.0.0")!) {
    throw bad(`Cannot use ${param} "${value}": expected a unicast address outside 0/8 and 127/8`, { param, value });
  }
  return c;
}

/** "ADDR/PREFIX" of a parsed CIDR. */
export function formatCidr(c: Ipv4Cidr): string {
  return `${c.address}/${c.prefix}`;
}

/** True when both addresses are in the same subnet of `a`'s prefix length. */
export function sameSubnet(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.prefix === b.prefix && range(a).network === range(b).network;
}

/**
 * The default host-side address on the bridge: the last host address of the guest's subnet
 * (the .254 of a /24), with the same prefix.
 */
export function defaultBridgeAddress(guest: Ipv4Cidr): Ipv4Cidr {
  return { address: intToIpv4(range(guest).broadcast - 1), prefix: guest.prefix };
}

/** A Linux interface name: 1..15 bytes of letters, digits, "_", "-", "." (not "." or ".."). */
export function isInterfaceName(s: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/.test(s);
}

function parsePort(value: string): number {
  if (!/^[0-9]{1,5}$/.test(value.trim()) || Number(value) < 1 || Number(value) > 65535) {
    throw bad(`Cannot use port "${value}": expected an integer from 1 to 65535`, { param: "port", value });
  }
  return Number(value);
}

/** Parse `remoted_command`: a JSON array of non-empty strings (no shell, no quoting rules). */
export function parseCommand(value: string, param: string): string[] {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    v = undefined;
  }
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === "string" && x.length > 0 && !x.includes("\0"))) {
    throw bad(`Cannot use ${param} ${JSON.stringify(value.length > 80 ? value.slice(0, 80) + "…" : value)}: expected a JSON array of non-empty strings, e.g. ["/usr/bin/node","/opt/atrium/dist/atrium-remoted.mjs"]`, { param });
  }
  return v as string[];
}

/**
 * Validate the container's instance attributes. Throws AtriumError LAUNCHER_BAD_PARAMS naming
 * the attribute, its value and what was expected; nothing is touched before this passes.
 *
 * @example
 * ```ts
 * const p = parseGuestParams({ address: "10.214.0.11/24" });
 * // p.bridge === "atrium0", p.bridgeAddress.address === "10.214.0.254", p.port === 3121
 * ```
 */
export function parseGuestParams(params: Readonly<Record<string, string>>): GuestParams {
  for (const k of Object.keys(params)) {
    if (!KNOWN_PARAMS.includes(k)) {
      throw bad(`Cannot start guest: unknown parameter "${k}"; expected one of ${KNOWN_PARAMS.join(", ")}`, { param: k });
    }
  }
  const raw = params["address"];
  if (raw === undefined || raw.trim() === "") {
    throw bad(`Cannot start guest: parameter "address" is required (an IPv4 address with a prefix length, e.g. 10.214.0.11/24)`, { param: "address" });
  }
  const address = parseIpv4Cidr(raw, "address");
  const bridge = params["bridge"] ?? DEFAULT_BRIDGE;
  if (!isInterfaceName(bridge)) {
    throw bad(`Cannot use bridge "${bridge}": expected an interface name of 1 to 15 letters, digits, "_", "-" or "."`, { param: "bridge", value: bridge });
  }
  const bridgeAddress = params["bridge_address"] !== undefined
    ? parseIpv4Cidr(params["bridge_address"], "bridge_address")
    : defaultBridgeAddress(address);
  if (!sameSubnet(address, bridgeAddress)) {
    throw bad(`Cannot use bridge_address "${formatCidr(bridgeAddress)}": it is not in the subnet of address "${formatCidr(address)}"`, { param: "bridge_address" });
  }
  if (bridgeAddress.address === address.address) {
    throw bad(`Cannot use address "${raw}": it is the bridge's own address`, { param: "address", value: raw });
  }
  const port = params["port"] !== undefined ? parsePort(params["port"]) : DEFAULT_PORT;
  const cmd = params["remoted_command"];
  return { address, bridge, bridgeAddress, port, ...(cmd !== undefined ? { remotedCommand: parseCommand(cmd, "remoted_command") } : {}) };
}

function shortHash(s: string, hexChars: number): string {
  return createHash("sha256").update(s).digest("hex").slice(0, hexChars);
}

/**
 * The network namespace of a guest node: "atrium-g-" + the node name when it is made only of
 * letters, digits, "_", "-" and "." and fits; otherwise a sanitized, shortened form with a hash
 * of the full name, so that distinct node names never share a namespace.
 *
 * @example
 * ```ts
 * netnsName("guest1"); // "atrium-g-guest1"
 * ```
 */
export function netnsName(node: string): string {
  if (node.length === 0) throw new TypeError(`Cannot derive a namespace name from node name "": expected a non-empty name`);
  const clean = node.replace(/[^A-Za-z0-9_.-]/g, "_");
  if (clean === node && NETNS_PREFIX.length + node.length <= NETNS_MAX_LENGTH) return NETNS_PREFIX + node;
  const room = NETNS_MAX_LENGTH - NETNS_PREFIX.length - 9;
  return `${NETNS_PREFIX}${clean.slice(0, room)}-${shortHash(node, 8)}`;
}

/** The host-side veth of a namespace: "atv" + 12 hex digits of its hash (15 bytes). */
export function hostVethName(netns: string): string {
  return `atv${shortHash(netns, 12)}`;
}
