/**
 * What the fencing walkthroughs (fencing_*.test.ts) share: a temp state dir seeded with a CIB
 * (stonith-enabled=true, two fence_recorder devices on topology levels 1 and 2 for remote1,
 * two Dummies preferring remote1, Pacemaker's alert_file.sh.sample as an alert) and a
 * plugins.json (fence-agents from a temp directory, the webhook to a node:http receiver on
 * 127.0.0.1); atrium-remoted in its own namespace (a veth pair, a private /run) and
 * dist/atriumd.mjs. Not a test file.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { FileStore } from "../../core/cib/store/mod.ts";
import { CLI, clusterSuiteBlocker, DAEMON, quiet, REMOTED, removeNetns, ROOT, type Status } from "./_cluster_helpers.ts";

const ALERT_SAMPLE = "/usr/share/pacemaker/alerts/alert_file.sh.sample";
const RECORDER = join(ROOT, "test", "fixtures", "fence", "fence_recorder");

export const HOST = "e2e-fhost";
export const REMOTE = "remote1";
export const WEBHOOK_SECRET = "e2e-webhook-secret-0123456789";

/** Why the fencing suites cannot run here, or undefined. */
export function fencingSuiteBlocker(): string | undefined {
  return clusterSuiteBlocker() ?? (existsSync(ALERT_SAMPLE) ? undefined : `${ALERT_SAMPLE} is missing (install pacemaker)`);
}

/** A webhook delivery (the event JSON). */
export interface Hook {
  kind: string;
  sequence: number;
  node?: string;
  resource?: string;
  task?: string;
  rc?: number;
  desc?: string;
}

/** One walkthrough's network and resources. */
export interface FencingSetup {
  /** Namespace, veth and the /24 prefix ("10.214.223") of the remote node. */
  readonly ns: string;
  readonly veth: string;
  readonly net: string;
  /** The Dummies that prefer remote1 (unique names: their state files are in the host's /run). */
  readonly rscs: readonly string[];
  /** fence_recorder modes of the level 1 and level 2 devices. */
  readonly modes: readonly [string, string];
}

/** A running walkthrough. */
export interface FencingRig {
  readonly dir: string;
  readonly badRec: string;
  readonly goodRec: string;
  readonly alertLog: string;
  readonly hooks: Hook[];
  /** The Dummy state file of `id` (in the host's /run once it runs on the host). */
  state(id: string): string;
  log(): string;
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  status(): Promise<Status>;
  until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T>;
  close(): Promise<void>;
}

function seedCib(s: FencingSetup, dir: string, rec: { bad: string; good: string }, alert: string, alertLog: string, state: (id: string) => string): string {
  const nv = (id: string, name: string, value: string) => `<nvpair id="${id}-${name}" name="${name}" value="${value}"/>`;
  const device = (id: string, file: string, mode: string) =>
    `<primitive id="${id}" class="stonith" type="fence_recorder"><instance_attributes id="${id}-ia">` +
    `${nv(id, "pcmk_host_list", REMOTE)}${nv(id, "record_file", file)}${nv(id, "mode", mode)}${nv(id, "state_file", `${file}.state`)}` +
    `</instance_attributes></primitive>`;
  const dummy = (id: string) =>
    `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy"><instance_attributes id="${id}-ia">${nv(id, "state", state(id))}</instance_attributes>` +
    `<operations><op id="${id}-mon" name="monitor" interval="1s" timeout="20s"/></operations></primitive>`;
  return `<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.9" crm_feature_set="3.16.1"><configuration>` +
    `<crm_config><cluster_property_set id="cib-bootstrap-options">${nv("o", "stonith-enabled", "true")}${nv("o", "stonith-timeout", "20s")}</cluster_property_set></crm_config>` +
    `<nodes><node id="1" uname="${HOST}"/></nodes><resources>` +
    device("fence-bad", rec.bad, s.modes[0]) + device("fence-good", rec.good, s.modes[1]) +
    `<primitive id="${REMOTE}" class="ocf" provider="pacemaker" type="remote"><instance_attributes id="r-ia">${nv("r", "server", `${s.net}.21`)}${nv("r", "reconnect_interval", "60s")}</instance_attributes>` +
    `<operations><op id="r-mon" name="monitor" interval="2s" timeout="10s"/></operations></primitive>` +
    s.rscs.map(dummy).join("") + `</resources><constraints>` +
    s.rscs.map((id) => `<rsc_location id="loc-${id}" rsc="${id}" node="${REMOTE}" score="100"/>`).join("") +
    ["fence-bad", "fence-good"].map((id) => `<rsc_location id="loc-${id}" rsc="${id}" node="${REMOTE}" score="-INFINITY" resource-discovery="never"/>`).join("") +
    `</constraints><fencing-topology>` +
    `<fencing-level id="fl-1" target="${REMOTE}" index="1" devices="fence-bad"/><fencing-level id="fl-2" target="${REMOTE}" index="2" devices="fence-good"/>` +
    `</fencing-topology><alerts><alert id="alert-file" path="${alert}"><recipient id="alert-file-r" value="${alertLog}"/></alert></alerts>` +
    `</configuration><status/></cib>`;
}

/** Set everything up and start atrium-remoted and atriumd (see the module documentation). */
export async function startFencingRig(s: FencingSetup): Promise<FencingRig> {
  const dir = mkdtempSync(join(tmpdir(), "atrium-e2e-fence-"));
  const state = (id: string): string => `/run/atrium-e2e-fence-${id}.state`;
  const badRec = join(dir, "bad.rec"), goodRec = join(dir, "good.rec"), alertLog = join(dir, "alerts.log");
  const alert = join(dir, "alert_file.sh"), authkey = join(dir, "authkey"), bin = join(dir, "fence-bin");
  for (const id of s.rscs) rmSync(state(id), { force: true });
  writeFileSync(authkey, randomBytes(256), { mode: 0o600 });
  mkdirSync(bin);
  copyFileSync(RECORDER, join(bin, "fence_recorder"));
  chmodSync(join(bin, "fence_recorder"), 0o755);
  copyFileSync(ALERT_SAMPLE, alert);
  chmodSync(alert, 0o755);
  const hooks: Hook[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (b: Buffer) => void (body += b.toString()));
    req.on("end", () => {
      try {
        hooks.push(JSON.parse(body) as Hook);
      } catch { /* not an event */ }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  writeFileSync(join(dir, "plugins.json"), JSON.stringify({
    "fence-agents": { directory: bin },
    webhook: { url: `http://127.0.0.1:${port}/hook`, secret: WEBHOOK_SECRET, baseDelayMs: 100 },
  }), { mode: 0o600 });
  const store = await FileStore.open(join(dir, "cib"));
  await store.write(seedCib(s, dir, { bad: badRec, good: goodRec }, alert, alertLog, state), { expected: null, next: { adminEpoch: 0, epoch: 1, numUpdates: 0 } });
  await store.close();

  removeNetns(s.ns);
  quiet("ip", "link", "del", "dev", s.veth);
  quiet("ip", "netns", "add", s.ns);
  quiet("ip", "link", "add", s.veth, "type", "veth", "peer", "name", "eth0", "netns", s.ns);
  quiet("ip", "addr", "add", `${s.net}.254/24`, "dev", s.veth);
  quiet("ip", "link", "set", s.veth, "up");
  quiet("ip", "-n", s.ns, "addr", "add", `${s.net}.21/24`, "dev", "eth0");
  quiet("ip", "-n", s.ns, "link", "set", "eth0", "up");
  quiet("ip", "-n", s.ns, "link", "set", "lo", "up");
  const script = `mount -t tmpfs -o size=16m tmpfs /run && exec "${process.execPath}" "${REMOTED}"`;
  spawn("ip", ["netns", "exec", s.ns, "unshare", "-m", "sh", "-c", script], {
    env: { ...process.env, PCMK_authkey_location: authkey, PCMK_remote_port: "3121" },
    stdio: "ignore",
  });
  const env = { ...process.env, PCMK_authkey_location: authkey, ATRIUM_SHUTDOWN_TIMEOUT_MS: "20000" };
  delete (env as Record<string, string | undefined>).ATRIUM_STATE_DIR;
  const daemon: ChildProcess = spawn(process.execPath, [DAEMON, "--state-dir", dir, "--node-name", HOST], { env, stdio: ["ignore", "ignore", "pipe"] });
  let text = "";
  daemon.stderr!.on("data", (b: Buffer) => void (text += b.toString()));

  const cli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((res) => {
      execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ATRIUM_STATE_DIR: dir }, timeout: 20_000 }, (err, stdout, stderr) => {
        res({ code: err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0, stdout, stderr });
      });
    });
  const rig: FencingRig = {
    dir, badRec, goodRec, alertLog, hooks, state,
    log: () => text,
    cli,
    async status() {
      const r = await cli("status", "--json");
      if (r.code !== 0) throw new Error(r.stderr);
      return JSON.parse(r.stdout) as Status;
    },
    async until(what, ms, probe) {
      const t0 = Date.now();
      for (;;) {
        try {
          const v = await probe();
          if (v !== undefined) return v;
        } catch { /* busy; again */ }
        if (Date.now() - t0 > ms) throw new Error(`Timed out after ${ms} ms waiting for ${what}\n--- atriumd log (tail) ---\n${text.slice(-5000)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async close() {
      if (daemon.exitCode === null && daemon.signalCode === null) {
        const exited = new Promise<void>((r) => daemon.once("exit", () => r()));
        daemon.kill("SIGTERM");
        const t = setTimeout(() => daemon.kill("SIGKILL"), 30_000);
        await exited;
        clearTimeout(t);
      }
      removeNetns(s.ns);
      quiet("ip", "link", "del", "dev", s.veth);
      await new Promise<void>((r) => server.close(() => r()));
      for (const id of s.rscs) rmSync(state(id), { force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await rig.until("atriumd to serve", 15_000, async () => {
    if (daemon.exitCode !== null) throw new Error(`atriumd exited ${daemon.exitCode}`);
    return existsSync(join(dir, "api.json")) ? true : undefined;
  });
  return rig;
}
