/**
 * What the scale walkthroughs share (test/e2e/cluster_scale.test.ts with 8 guests, and
 * scripts/e2e_scale.mjs with 64): the cluster's shape and names, creating it through the CLI,
 * the "everything started" predicates, killing a guest's atrium-remoted and timing its
 * recovery, the clean-up, and the placement checker ({@link startChecker}, in
 * _scale_checker.ts). Not a test file.
 */
import { readdirSync, statSync } from "node:fs";
import process from "node:process";
import { hostVethName, netnsName } from "../../plugins/netns/mod.ts";
import { byId, cmdline, type Daemon, netnsPids, quiet, removeNetns, type Status } from "./_cluster_helpers.ts";

export { type CheckerReport, type Sighting, startChecker, type Checker } from "./_scale_checker.ts";

/** The shape of one scale cluster: names are derived from `prefix`, addresses from `subnet`. */
export interface ScaleSpec {
  /** Short, unique among suites: names guests `<prefix>-g01`, resources `<prefix>-r01`. */
  readonly prefix: string;
  readonly guests: number;
  readonly resources: number;
  /** The host bridge (no other suite uses it). */
  readonly bridge: string;
  /** First three octets of a /24 no other suite uses, e.g. "10.214.60". */
  readonly subnet: string;
  /** Monitor interval of every Dummy, e.g. "1s". */
  readonly monitor: string;
}

function pad(i: number): string {
  return String(i).padStart(2, "0");
}

/** Guest node names, `<prefix>-g01` upwards. */
export function guestNames(spec: ScaleSpec): string[] {
  return Array.from({ length: spec.guests }, (_, i) => `${spec.prefix}-g${pad(i + 1)}`);
}

/** Dummy resource ids, `<prefix>-r01` upwards. */
export function resourceIds(spec: ScaleSpec): string[] {
  return Array.from({ length: spec.resources }, (_, i) => `${spec.prefix}-r${pad(i + 1)}`);
}

/** The container resource of guest `g`. */
export function containerId(g: string): string {
  return `vm-${g}`;
}

/** Guest node name -> its network namespace. */
export function namespaces(spec: ScaleSpec): Map<string, string> {
  return new Map(guestNames(spec).map((g) => [g, netnsName(g)]));
}

/** Run `fn` over `items` with at most `n` at a time. */
export async function pool<T, R>(items: readonly T[], n: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/** Create every guest (container with `remote-node`) and every Dummy through the CLI. */
export async function createCluster(d: Daemon, spec: ScaleSpec, concurrency = 4): Promise<void> {
  const guests = guestNames(spec);
  await pool(guests, concurrency, (g, i) =>
    d.ok("resource", "create", containerId(g), "launcher:netns", `address=${spec.subnet}.${11 + i}/24`, `bridge=${spec.bridge}`, "meta", `remote-node=${g}`));
  await pool(resourceIds(spec), concurrency, (id) => d.ok("resource", "create", id, "ocf:pacemaker:Dummy", "op", "monitor", `interval=${spec.monitor}`));
}

/** How many of the spec's guests are online. */
export function guestsOnline(s: Status, spec: ScaleSpec): number {
  const want = new Set(guestNames(spec));
  return s.nodes.filter((n) => want.has(n.name) && n.online).length;
}

/** How many of the spec's Dummies are Started on exactly one node. */
export function resourcesStarted(s: Status, spec: ScaleSpec): number {
  const r = byId(s);
  return resourceIds(spec).filter((id) => r.get(id)?.role === "Started" && r.get(id)!.active_on.length === 1).length;
}

/** Every guest online and every Dummy Started on exactly one node. */
export function allGood(s: Status, spec: ScaleSpec): boolean {
  return guestsOnline(s, spec) === spec.guests && resourcesStarted(s, spec) === spec.resources;
}

/** Where the status says each Dummy runs (one node each, "" when not exactly one). */
export function placement(s: Status, spec: ScaleSpec): Map<string, string> {
  const r = byId(s);
  return new Map(resourceIds(spec).map((id) => {
    const on = r.get(id)?.active_on ?? [];
    return [id, on.length === 1 ? on[0]! : ""];
  }));
}

/** Pids of the atrium-remoted processes in namespace `ns`. */
export function remotedPids(ns: string): number[] {
  return netnsPids(ns).filter((p) => cmdline(p).includes("atrium-remoted"));
}

/** Pick `n` distinct items at random (Fisher-Yates on a copy). */
export function pickRandom<T>(items: readonly T[], n: number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, n);
}

/** One guest's kill and recovery. */
export interface KillResult {
  readonly guest: string;
  readonly killedPids: number[];
  /** ms from the kill until the status first showed the guest offline or a failed action for it (null: never seen). */
  readonly detectedMs: number | null;
  /** ms from the kill until the guest was online again with a new daemon and every Dummy Started once. */
  readonly recoveredMs: number;
}

/**
 * SIGKILL the atrium-remoted of each of `guests` at once, then poll the status until each is
 * recovered: online again, a new atrium-remoted in its namespace (none of the killed pids),
 * and every Dummy Started on exactly one node. Throws after `ms` naming who did not recover.
 */
export async function killAndRecover(d: Daemon, spec: ScaleSpec, guests: readonly string[], ms: number, progress?: (line: string) => void): Promise<KillResult[]> {
  const killed = new Map<string, number[]>();
  for (const g of guests) {
    const pids = remotedPids(netnsName(g));
    if (pids.length === 0) throw new Error(`Cannot kill the daemon of guest "${g}": no atrium-remoted in namespace "${netnsName(g)}"`);
    killed.set(g, pids);
  }
  const t0 = Date.now();
  for (const pids of killed.values()) {
    for (const p of pids) {
      try {
        process.kill(p, "SIGKILL");
      } catch { /* gone already */ }
    }
  }
  const detected = new Map<string, number>();
  const recovered = new Map<string, number>();
  let last: Status | undefined;
  while (recovered.size < guests.length) {
    if (Date.now() - t0 > ms) {
      const left = guests.filter((g) => !recovered.has(g));
      throw new Error(`Timed out after ${ms} ms waiting for guests ${left.join(", ")} to recover; last status: ${JSON.stringify(last)}\n--- atriumd log (tail) ---\n${d.log().slice(-4000)}`);
    }
    try {
      last = await d.status();
    } catch {
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    const now = Date.now() - t0;
    const good = resourcesStarted(last, spec) === spec.resources;
    for (const g of guests) {
      const node = last.nodes.find((n) => n.name === g);
      const failed = last.failed_actions.some((f) => f.resource === g || f.node === g || f.resource === containerId(g));
      if (!detected.has(g) && (node?.online !== true || failed)) detected.set(g, now);
      if (recovered.has(g) || node?.online !== true || !good) continue;
      const fresh = remotedPids(netnsName(g));
      if (fresh.length > 0 && !fresh.some((p) => killed.get(g)!.includes(p))) {
        recovered.set(g, now);
        progress?.(`  ${g} recovered after ${now} ms`);
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return guests.map((g) => ({ guest: g, killedPids: killed.get(g)!, detectedMs: detected.get(g) ?? null, recoveredMs: recovered.get(g)! }));
}

/** Names of what {@link cleanupScale} could not remove (empty when everything is gone). */
export function leftovers(spec: ScaleSpec): string[] {
  const out: string[] = [];
  const mine = new Set(namespaces(spec).values());
  let nss: string[] = [];
  try {
    nss = readdirSync("/run/netns");
  } catch { /* no namespaces at all */ }
  for (const ns of nss) if (mine.has(ns)) out.push(`netns ${ns}`);
  for (const ns of mine) {
    const veth = hostVethName(ns);
    if (linkExists(veth)) out.push(`veth ${veth}`);
  }
  if (linkExists(spec.bridge)) out.push(`bridge ${spec.bridge}`);
  return out;
}

function linkExists(name: string): boolean {
  try {
    statSync(`/sys/class/net/${name}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Remove every namespace (with its processes), host veth and the bridge of `spec`, and the
 * host's Dummy state files of its resources. Safe to call when nothing exists.
 */
export function cleanupScale(spec: ScaleSpec): void {
  for (const ns of namespaces(spec).values()) {
    removeNetns(ns);
    const veth = hostVethName(ns);
    if (linkExists(veth)) quiet("ip", "link", "del", "dev", veth);
  }
  if (linkExists(spec.bridge)) quiet("ip", "link", "del", "dev", spec.bridge);
  for (const id of resourceIds(spec)) quiet("rm", "-f", `/run/Dummy-${id}.state`);
}
