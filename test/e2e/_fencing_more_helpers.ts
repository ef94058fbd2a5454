/**
 * The rig every fencing walkthrough (fencing_*.test.ts) runs on: a temp state dir seeded with the
 * suite's CIB, plugins.json with the fence-agents directory holding fence_recorder and the
 * webhook to a node:http receiver on 127.0.0.1, Pacemaker's alert_file.sh.sample as an alert, a
 * private OCF_ROOT (Pacemaker's agents plus the test-only StopFails), an optional atrium-remoted in
 * its own namespace (veth pair, private /run) and dist/atriumd.mjs. _fencing_helpers.ts builds the
 * remote-node topology walkthroughs on it. Not a test file.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStore } from "../../core/cib/store/mod.ts";
import { addRemoteHost, type RemoteHost, removeRemoteHost, ROOT, startDaemon, startRemotedIn, type Status } from "./_cluster_helpers.ts";

const ALERT_SAMPLE = "/usr/share/pacemaker/alerts/alert_file.sh.sample";
const RECORDER = join(ROOT, "test", "fixtures", "fence", "fence_recorder");
const STOP_FAILS = join(ROOT, "test", "fixtures", "agents", "ocf", "atrium-test", "StopFails");

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

/** A remote node's network: namespace, host-side veth and /24 prefix ("10.214.225"); remoted is .21. */
export type RemoteNet = RemoteHost;

/** Paths the suite's CIB refers to. */
export interface RigPaths {
  readonly dir: string;
  readonly rec: string;
  readonly alert: string;
  readonly alertLog: string;
}

/** A running rig. */
export interface MoreRig extends RigPaths {
  readonly hooks: Hook[];
  log(): string;
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  ok(...args: string[]): Promise<string>;
  status(): Promise<Status>;
  until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T>;
  /** The alert file's lines so far. */
  alerts(): string[];
  close(): Promise<void>;
}

/** `<nvpair>` with a derived id. */
export function nv(id: string, name: string, value: string): string {
  return `<nvpair id="${id}-${name}" name="${name}" value="${value}"/>`;
}

/** A fence_recorder device (mode ok) able to fence `hosts`, recording to `rec`. */
export function recorderDevice(id: string, hosts: string, rec: string): string {
  return `<primitive id="${id}" class="stonith" type="fence_recorder"><instance_attributes id="${id}-ia">` +
    `${nv(id, "pcmk_host_list", hosts)}${nv(id, "record_file", rec)}${nv(id, "mode", "ok")}${nv(id, "state_file", `${rec}.state`)}` +
    `</instance_attributes></primitive>`;
}

/** The alert element sending to Pacemaker's sample file agent. */
export function alertElement(p: RigPaths): string {
  return `<alerts><alert id="alert-file" path="${p.alert}"><recipient id="alert-file-r" value="${p.alertLog}"/></alert></alerts>`;
}

/** A whole CIB around `configuration` children. */
export function cibXml(body: string): string {
  return `<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.9" crm_feature_set="3.16.1">` +
    `<configuration>${body}</configuration><status/></cib>`;
}

function ocfRoot(dir: string): string {
  const root = join(dir, "ocf");
  mkdirSync(join(root, "resource.d", "atrium-test"), { recursive: true });
  symlinkSync("/usr/lib/ocf/lib", join(root, "lib"));
  symlinkSync("/usr/lib/ocf/resource.d/pacemaker", join(root, "resource.d", "pacemaker"));
  symlinkSync("/usr/lib/ocf/resource.d/heartbeat", join(root, "resource.d", "heartbeat"));
  symlinkSync(STOP_FAILS, join(root, "resource.d", "atrium-test", "StopFails"));
  return root;
}

/** Set everything up and start (optionally) atrium-remoted in `remote`'s namespace and atriumd as `host`. */
export async function startMoreRig(
  host: string,
  cib: (p: RigPaths) => string,
  remote?: RemoteNet,
  opts: { webhookSecret?: string } = {},
): Promise<MoreRig> {
  const dir = mkdtempSync(join(tmpdir(), "atrium-e2e-fence-"));
  const paths: RigPaths = { dir, rec: join(dir, "fence.rec"), alert: join(dir, "alert_file.sh"), alertLog: join(dir, "alerts.log") };
  const authkey = join(dir, "authkey"), bin = join(dir, "fence-bin");
  const root = ocfRoot(dir);
  writeFileSync(authkey, randomBytes(256), { mode: 0o600 });
  mkdirSync(bin);
  copyFileSync(RECORDER, join(bin, "fence_recorder"));
  chmodSync(join(bin, "fence_recorder"), 0o755);
  copyFileSync(ALERT_SAMPLE, paths.alert);
  chmodSync(paths.alert, 0o755);
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
    webhook: { url: `http://127.0.0.1:${port}/hook`, secret: opts.webhookSecret ?? "e2e-webhook-secret-more-0123", baseDelayMs: 100 },
  }), { mode: 0o600 });
  const store = await FileStore.open(join(dir, "cib"));
  await store.write(cib(paths), { expected: null, next: { adminEpoch: 0, epoch: 1, numUpdates: 0 } });
  await store.close();

  if (remote !== undefined) {
    addRemoteHost(remote);
    startRemotedIn(remote, authkey, { OCF_ROOT: root });
  }
  const d = await startDaemon(host, { ATRIUM_SHUTDOWN_TIMEOUT_MS: "20000", OCF_ROOT: root }, { stateDir: dir, authkeyPath: authkey });
  const rig: MoreRig = {
    ...paths,
    hooks,
    log: d.log,
    cli: d.cli,
    ok: d.ok,
    status: d.status,
    async until(what, ms, probe) {
      const t0 = Date.now();
      for (;;) {
        try {
          const v = await probe();
          if (v !== undefined) return v;
        } catch { /* busy; again */ }
        if (Date.now() - t0 > ms) throw new Error(`Timed out after ${ms} ms waiting for ${what}\n--- atriumd log (tail) ---\n${d.log().slice(-5000)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    alerts: () => (existsSync(paths.alertLog) ? readFileSync(paths.alertLog, "utf8").split("\n") : []),
    async close() {
      await d.stop(30_000);
      if (remote !== undefined) removeRemoteHost(remote);
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return rig;
}

/** Index of the first line matching `re` at or after `from` (-1 when none). */
export function lineAt(lines: readonly string[], re: RegExp, from = 0): number {
  for (let i = from; i < lines.length; i++) if (re.test(lines[i]!)) return i;
  return -1;
}
