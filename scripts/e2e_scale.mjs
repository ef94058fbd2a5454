#!/usr/bin/env node
// `npm run e2e:scale`: the scale walkthrough at full size, as root. dist/atriumd.mjs with a temp
// state dir and a fresh authkey, 64 `launcher:netns` guests (bridge "atrscale1", 10.214.61.0/24,
// which no other suite uses) and 64 ocf:pacemaker:Dummy resources with 1 s monitors; once all
// run, the atrium-remoted of 5 random guests is killed with SIGKILL, one after another, each
// waited for until everything has recovered. A checker samples every executor (the host's /run
// and each guest's private /run) all along and counts Dummies proven active on two nodes at once.
//
//   npm run e2e:scale -- [--guests N] [--resources N] [--kills N] [--together] [--interval MS] [--limit-min M] [--flush-neigh]
//
// --together kills all the victims at once (default: one after another). --flush-neigh is a
// diagnostic: while a guest recovers, its ARP entry on the host bridge is deleted every poll, so
// a restarted guest (new veth, new MAC address) is reachable at once.
//
// Known (2026-11-25): without --flush-neigh a guest whose container is restarted soon after its
// daemon died is often never reached again: the host's ARP entry for its address still holds the
// old veth's MAC (REACHABLE while other guests keep the bridge up), the connection start times
// out after 20 s and the guest stays down. With --kills N --together the recovery of one guest
// can also be lost when its transition is aborted by the other's failure (the connection is
// started without restarting the container: "connection refused").
//
// Prints progress and the times; writes bench/out/e2e_scale.json. Exit 0 when everything
// started, recovered within the limits and no violation was found; 1 otherwise (also when it
// cannot run here, with the reason). Everything it made is removed at the end. Shares its code
// with test/e2e/cluster_scale.test.ts (test/e2e/_scale_helpers.ts, bundled with esbuild first,
// since Node 20 cannot load TypeScript).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outFile = join(root, "bench", "out", "e2e_scale.json");

const { values } = parseArgs({
  options: {
    guests: { type: "string", default: "64" },
    resources: { type: "string", default: "64" },
    kills: { type: "string", default: "5" },
    together: { type: "boolean", default: false },
    "flush-neigh": { type: "boolean", default: false },
    interval: { type: "string", default: "100" },
    "limit-min": { type: "string", default: "10" },
  },
});
function count(name, min, max) {
  const v = Number(values[name]);
  if (!Number.isInteger(v) || v < min || v > max) {
    console.error(`Cannot parse --${name} "${values[name]}": expected an integer from ${min} to ${max}`);
    process.exit(1);
  }
  return v;
}
const GUESTS = count("guests", 1, 99);
const RESOURCES = count("resources", 1, 99);
const KILLS = count("kills", 0, GUESTS);
const INTERVAL = count("interval", 10, 10_000);
const LIMIT_MS = count("limit-min", 1, 60) * 60_000;

const t00 = Date.now();
const at = () => `${((Date.now() - t00) / 1000).toFixed(1).padStart(6)} s`;
const say = (line) => console.log(`[${at()}] ${line}`);

async function loadHelpers() {
  const { build } = await import("esbuild");
  const dir = mkdtempSync(join(tmpdir(), "atrium-e2e-scale-"));
  const file = join(dir, "scale_helpers.mjs");
  await build({
    entryPoints: [join(root, "test", "e2e", "_scale_helpers.ts")], outfile: file, bundle: true, platform: "node", target: "node20", format: "esm",
    logLevel: "warning", define: { "import.meta.dirname": JSON.stringify(join(root, "test", "e2e")) },
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const mod = await import(pathToFileURL(file).href);
  rmSync(dir, { recursive: true, force: true });
  return mod;
}

function rssMb(pid) {
  try {
    const m = /VmRSS:\s+([0-9]+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

function write(result) {
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
  say(`wrote ${outFile}`);
}

const h = await loadHelpers();
const spec = { prefix: "sx", guests: GUESTS, resources: RESOURCES, bridge: "atrscale1", subnet: "10.214.61", monitor: "1s" };
const HOST = "scale-host";
const options = { kills: KILLS, together: values.together, flush_neigh: values["flush-neigh"], checker_interval_ms: INTERVAL, limit_ms: LIMIT_MS };
const result = { spec, options, host: HOST, started_at: new Date(t00).toISOString(), ok: false, error: null, all_started_ms: null, create_ms: null, kills: [], checker: null, rss_mb: null, leftovers: [] };

const blocker = h.clusterSuiteBlocker();
if (blocker !== undefined) {
  console.error(`e2e:scale cannot run here: ${blocker}`);
  result.error = `skipped: ${blocker}`;
  write(result);
  process.exit(1);
}

let d, checker, finished = false;
async function teardown() {
  if (checker) result.checker ??= await checker.stop();
  if (d && !result.ok) {
    // Keep what explains a failure: the whole atriumd log and the killed guests' daemon logs.
    const logs = join(dirname(outFile), "e2e_scale.logs");
    rmSync(logs, { recursive: true, force: true });
    mkdirSync(logs, { recursive: true });
    writeFileSync(join(logs, "atriumd.log"), d.log());
    for (const g of h.guestNames(spec)) {
      const text = h.guestLog(d, g);
      if (text !== "") writeFileSync(join(logs, `${g}.daemon.log`), text);
    }
    say(`logs kept in ${logs}`);
  }
  await d?.stop();
  h.cleanupScale(spec);
  h.removeStateDir(d);
  result.leftovers = h.leftovers(spec);
  if (result.leftovers.length > 0) say(`could not remove ${result.leftovers.join(", ")}`);
}
const watchdog = setTimeout(async () => {
  if (finished) return;
  finished = true;
  say(`FAILED: over the limit of ${LIMIT_MS / 60_000} min`);
  result.error = `over the limit of ${LIMIT_MS / 60_000} min`;
  if (d) console.error(`--- atriumd log (tail) ---\n${d.log().slice(-3000)}`);
  await teardown().catch((e) => say(`teardown failed: ${e.message}`));
  write(result);
  process.exit(1);
}, LIMIT_MS);

async function progressUntil(cond, ms, what) {
  const t0 = Date.now();
  let line = "";
  for (;;) {
    let s;
    try {
      s = await d.status();
    } catch { /* busy; try again */ }
    if (s) {
      const now = `guests online ${h.guestsOnline(s, spec)}/${spec.guests}, resources started ${h.resourcesStarted(s, spec)}/${spec.resources}`;
      if (now !== line) say(now);
      line = now;
      if (cond(s)) return s;
    }
    if (Date.now() - t0 > ms) throw new Error(`Timed out after ${ms} ms waiting for ${what} (${line})\n--- atriumd log (tail) ---\n${d.log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

try {
  h.cleanupScale(spec);
  d = await h.startDaemon(HOST);
  say(`atriumd pid ${d.child.pid}, state dir ${d.stateDir}`);
  await d.ok("property", "set", "stonith-enabled=false");
  checker = h.startChecker(HOST, h.namespaces(spec), h.resourceIds(spec), INTERVAL, (v) => say(`VIOLATION: ${v.resource} active on ${v.nodes.join(" and ")}`));

  const t0 = Date.now();
  say(`creating ${spec.guests} guests and ${spec.resources} Dummies`);
  const creating = h.createCluster(d, spec, 6).then(() => { result.create_ms = Date.now() - t0; say(`all created after ${result.create_ms} ms`); });
  let s = await progressUntil((x) => result.create_ms !== null && h.allGood(x, spec), 5 * 60_000, "everything started");
  await creating;
  result.all_started_ms = Date.now() - t0;
  say(`ALL STARTED: ${spec.guests} guests online and ${spec.resources} Dummies started ${result.all_started_ms} ms after the first create`);
  const seen = checker.snapshot();
  const wrong = [...h.placement(s, spec)].filter(([id, node]) => JSON.stringify(seen.get(id)) !== JSON.stringify([node]));
  if (wrong.length > 0) throw new Error(`The checker disagrees with the status on ${wrong.length} Dummies, e.g. ${wrong[0][0]}: status ${wrong[0][1]}, seen ${JSON.stringify(seen.get(wrong[0][0]))}`);
  say(`checker agrees with the status on all ${spec.resources} Dummies`);
  result.rss_mb = { atriumd: rssMb(d.child.pid), remoted_total: h.guestNames(spec).flatMap((g) => h.remotedPids(h.namespaces(spec).get(g))).reduce((a, p) => a + (rssMb(p) ?? 0), 0) };

  const victims = h.pickRandom(h.guestNames(spec), KILLS);
  const rounds = values.together ? [victims] : victims.map((v) => [v]);
  for (const round of rounds) {
    say(`killing the atrium-remoted of ${round.join(", ")}`);
    const rs = await h.killAndRecover(d, spec, round, 180_000, say, values["flush-neigh"]);
    for (const r of rs) {
      say(`${r.guest}: failure seen after ${r.detectedMs} ms, recovered after ${r.recoveredMs} ms`);
      result.kills.push(r);
    }
    s = await d.status();
    say(`guests online ${h.guestsOnline(s, spec)}/${spec.guests}, resources started ${h.resourcesStarted(s, spec)}/${spec.resources}`);
  }
  result.checker = await checker.stop();
  const c = result.checker;
  say(`checker: ${c.samples} samples (avg ${c.sampleMsAvg} ms, max ${c.sampleMsMax} ms), ${c.overlapSamples} with two sightings, ${c.violations.length} violations`);
  // No false alarms: only the guests that were killed may have a failed connection (or container).
  const killed = new Set(victims.flatMap((g) => [g, `vm-${g}`]));
  const guestish = new Set(h.guestNames(spec).flatMap((g) => [g, `vm-${g}`]));
  const failedNow = (await d.status()).failed_actions;
  result.spurious = failedNow.filter((f) => guestish.has(f.resource) && !killed.has(f.resource))
    .map((f) => `${f.resource} ${f.action} on ${f.node}: ${f.reason}`);
  const seenKilled = new Set(failedNow.filter((f) => killed.has(f.resource)).map((f) => f.resource.replace(/^vm-/, "")));
  say(`killed guests with a recorded failure: ${seenKilled.size}/${victims.length}; guests that failed without being killed: ${result.spurious.length}${result.spurious.length ? ` (${result.spurious.slice(0, 5).join("; ")})` : ""}`);
  result.ok = c.violations.length === 0 && result.spurious.length === 0;
  if (!result.ok) result.error = `${c.violations.length} violations, ${result.spurious.length} guests failed without being killed`;
} catch (e) {
  result.error = e instanceof Error ? e.message : String(e);
  say(`FAILED: ${result.error}`);
}
if (!finished) {
  finished = true;
  clearTimeout(watchdog);
  await teardown().catch((e) => say(`teardown failed: ${e.message}`));
  if (result.leftovers.length > 0) result.ok = false;
  result.total_ms = Date.now() - t00;
  write(result);
  say(result.ok ? "OK" : "FAILED");
  process.exit(result.ok ? 0 : 1);
}
