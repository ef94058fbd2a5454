/**
 * What the scale walkthroughs share (test/e2e/cluster_scale.test.ts with 8 guests, and
 * scripts/e2e_scale.mjs with 64): the cluster's shape and names, creating it through the CLI,
 * the "everything started" predicates, killing a guest's atrium-remoted and timing its
 * recovery, the clean-up, and the placement checker ({@link startChecker}). Not a test file.
 */
import { readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import process from "node:process";
import { hostVethName, netnsName } from "../../plugins/netns/mod.ts";
import { byId, cmdline, type Daemon, netnsPids, quiet, removeNetns, type Status } from "./_cluster_helpers.ts";

// For scripts/e2e_scale.mjs, which bundles this file alone.
export { clusterSuiteBlocker, removeStateDir, startDaemon } from "./_cluster_helpers.ts";

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

/** The address (without prefix) of guest `g`. */
export function guestAddress(spec: ScaleSpec, g: string): string {
  return `${spec.subnet}.${10 + guestNames(spec).indexOf(g) + 1}`;
}

/** Create every guest (container with `remote-node`) and every Dummy through the CLI. */
export async function createCluster(d: Daemon, spec: ScaleSpec, concurrency = 4): Promise<void> {
  const guests = guestNames(spec);
  await pool(guests, concurrency, (g) =>
    d.ok("resource", "create", containerId(g), "launcher:netns", `address=${guestAddress(spec, g)}/24`, `bridge=${spec.bridge}`, "meta", `remote-node=${g}`));
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
export async function killAndRecover(d: Daemon, spec: ScaleSpec, guests: readonly string[], ms: number, progress?: (line: string) => void, flushNeighbours = false): Promise<KillResult[]> {
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
      const logs = left.map((g) => `--- ${g}'s daemon.log (tail) ---\n${guestLog(d, g).slice(-1500)}`).join("\n");
      throw new Error(`Timed out after ${ms} ms waiting for guests ${left.join(", ")} to recover; last status: ${JSON.stringify(last)}\n--- atriumd log (tail) ---\n${d.log().slice(-4000)}\n${logs}`);
    }
    // Diagnostic only (scripts/e2e_scale.mjs --flush-neigh): forget the host's ARP entries of
    // the guests being recovered, so a restarted guest's new MAC address is learnt at once.
    if (flushNeighbours) for (const g of guests) if (!recovered.has(g)) quiet("ip", "neigh", "del", guestAddress(spec, g), "dev", spec.bridge);
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

/** The daemon.log the netns launcher keeps for guest `g` under atriumd's state dir ("" when none). */
export function guestLog(d: Daemon, g: string): string {
  try {
    return readFileSync(`${d.stateDir}/guests/${netnsName(g)}/daemon.log`, "utf8");
  } catch {
    return "";
  }
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
  for (const id of resourceIds(spec)) rmSync(`/run/Dummy-${id}.state`, { force: true });
}

// ---------------------------------------------------------------------------------------------
// The placement checker: which node's executor really has each Dummy active, sampled from the
// outside. A Dummy is active where its state file `/run/Dummy-ID.state` exists (HA_VARRUN is
// /var/run -> /run): the host's /run for the host, the guest's private /run tmpfs for a guest,
// read through /proc/PID/root/run of any process in the guest's network namespace whose /run is
// not the host's (so every mount namespace a guest still has is seen, even one whose
// atrium-remoted is gone but whose children live on). No process is spawned per sample.

/** One file seen: on `node`, between `t0` and `t1` (ms), existing since at least `since`. */
export interface Sighting {
  readonly node: string;
  readonly t0: number;
  readonly t1: number;
  readonly since: number;
}

/** A Dummy proven active on two nodes at the same instant. */
export interface Violation {
  readonly resource: string;
  readonly nodes: readonly [string, string];
  /** When (ms since the epoch). */
  readonly at: number;
}

/** What the checker saw. */
export interface CheckerReport {
  readonly samples: number;
  readonly sampleMsAvg: number;
  readonly sampleMsMax: number;
  /** Samples in which some Dummy was seen on two nodes (a race of the reads or a real overlap). */
  readonly overlapSamples: number;
  /** Overlaps proven real by the files' timestamps (both existed at one instant). */
  readonly violations: readonly Violation[];
  /** Guest /run views found by the latest sample (one per live guest mount namespace). */
  readonly lastGuestViews: number;
}

/** A running checker. */
export interface Checker {
  /** Sample now, outside the loop: Dummy id -> nodes it is active on (sorted). */
  snapshot(): Map<string, string[]>;
  report(): CheckerReport;
  /** Stop sampling and return the report. */
  stop(): Promise<CheckerReport>;
}

/** Slack for the kernel's coarse file timestamps against Date.now(). */
const CLOCK_SLACK_MS = 50;

function nsInode(link: string): number | undefined {
  try {
    const m = /\[([0-9]+)\]$/.exec(readlinkSync(link));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

interface Sample {
  readonly seen: Map<string, Sighting[]>;
  readonly guestViews: number;
}

function takeSample(hostNode: string, nsByGuest: ReadonlyMap<string, string>, fileToId: ReadonlyMap<string, string>, hostRunDev: number): Sample {
  const seen = new Map<string, Sighting[]>();
  const scan = (node: string, dir: string) => {
    const t0 = Date.now();
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const id = fileToId.get(name);
      if (id === undefined) continue;
      let since: number;
      try {
        const st = statSync(`${dir}/${name}`);
        since = Math.min(st.mtimeMs, st.ctimeMs, st.birthtimeMs > 0 ? st.birthtimeMs : Infinity);
      } catch {
        continue;
      }
      const list = seen.get(id) ?? [];
      list.push({ node, t0, t1: Date.now(), since });
      seen.set(id, list);
    }
  };
  scan(hostNode, "/run");
  const guestByIno = new Map<number, string>();
  for (const [g, ns] of nsByGuest) {
    try {
      guestByIno.set(statSync(`/run/netns/${ns}`).ino, g);
    } catch { /* not there (yet, or any more) */ }
  }
  const views: [string, string][] = [];
  const devs = new Set<number>();
  let procs: string[] = [];
  try {
    procs = readdirSync("/proc");
  } catch { /* no /proc */ }
  for (const p of procs) {
    if (!/^[0-9]+$/.test(p) || Number(p) === process.pid) continue;
    const ino = nsInode(`/proc/${p}/ns/net`);
    const g = ino === undefined ? undefined : guestByIno.get(ino);
    if (g === undefined) continue;
    try {
      const dev = statSync(`/proc/${p}/root/run`).dev;
      if (dev === hostRunDev || devs.has(dev)) continue;
      devs.add(dev);
      views.push([g, `/proc/${p}/root/run`]);
    } catch { /* gone */ }
  }
  for (const [g, dir] of views) scan(g, dir);
  return { seen, guestViews: views.length };
}

/** Pairs of sightings on two nodes proven to overlap in time. */
function provenOverlaps(list: readonly Sighting[]): [Sighting, Sighting][] {
  const out: [Sighting, Sighting][] = [];
  for (const a of list) {
    for (const b of list) {
      // a read first; b's file existed before a was read and was still there when b was read.
      if (a.node !== b.node && a.t1 <= b.t0 && b.since + CLOCK_SLACK_MS <= a.t0) out.push([a, b]);
    }
  }
  return out;
}

/**
 * Start sampling every `intervalMs`: the host `hostNode` and every guest of `nsByGuest`
 * (node -> namespace), for the Dummies `ids`. Violations are overlaps proven by timestamps;
 * `onViolation` hears each as it is found.
 */
export function startChecker(hostNode: string, nsByGuest: ReadonlyMap<string, string>, ids: readonly string[], intervalMs: number, onViolation?: (v: Violation) => void): Checker {
  const fileToId = new Map(ids.map((id) => [`Dummy-${id}.state`, id]));
  const hostRunDev = statSync("/run").dev;
  let samples = 0, totalMs = 0, maxMs = 0, overlapSamples = 0, lastGuestViews = 0;
  const violations: Violation[] = [];
  const reported = new Set<string>();
  const one = (): Sample => {
    const t = performance.now();
    const s = takeSample(hostNode, nsByGuest, fileToId, hostRunDev);
    const ms = performance.now() - t;
    samples++;
    totalMs += ms;
    maxMs = Math.max(maxMs, ms);
    lastGuestViews = s.guestViews;
    let overlap = false;
    for (const [id, list] of s.seen) {
      if (new Set(list.map((x) => x.node)).size < 2) continue;
      overlap = true;
      for (const [a, b] of provenOverlaps(list)) {
        const key = `${id} ${[a.node, b.node].sort().join(" ")} ${Math.round(b.since)}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const v: Violation = { resource: id, nodes: [a.node, b.node], at: a.t0 };
        violations.push(v);
        onViolation?.(v);
      }
    }
    if (overlap) overlapSamples++;
    return s;
  };
  let running = true;
  const loop = (async () => {
    while (running) {
      one();
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  const report = (): CheckerReport => ({
    samples,
    sampleMsAvg: samples === 0 ? 0 : Math.round((totalMs / samples) * 100) / 100,
    sampleMsMax: Math.round(maxMs * 100) / 100,
    overlapSamples,
    violations: [...violations],
    lastGuestViews,
  });
  return {
    snapshot() {
      const s = one();
      return new Map(ids.map((id) => [id, [...new Set((s.seen.get(id) ?? []).map((x) => x.node))].sort()]));
    },
    report,
    async stop() {
      running = false;
      await loop;
      return report();
    },
  };
}
