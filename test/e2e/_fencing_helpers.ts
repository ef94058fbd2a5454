/**
 * What the fencing walkthroughs (fencing_*.test.ts) share: a temp state dir seeded with a CIB
 * (stonith-enabled=true, two fence_recorder devices on topology levels 1 and 2 for remote1,
 * two Dummies preferring remote1, Pacemaker's alert_file.sh.sample as an alert) and a
 * plugins.json (fence-agents from a temp directory, the webhook to a node:http receiver on
 * 127.0.0.1); atrium-remoted in its own namespace (a veth pair, a private /run) and
 * dist/atriumd.mjs. Not a test file.
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { clusterSuiteBlocker, type Status } from "./_cluster_helpers.ts";
import { type Hook, startMoreRig } from "./_fencing_more_helpers.ts";

export type { Hook };

const ALERT_SAMPLE = "/usr/share/pacemaker/alerts/alert_file.sh.sample";

export const HOST = "e2e-fhost";
export const REMOTE = "remote1";
export const WEBHOOK_SECRET = "e2e-webhook-secret-0123456789";

/** Why the fencing suites cannot run here, or undefined. */
export function fencingSuiteBlocker(): string | undefined {
  return clusterSuiteBlocker() ?? (existsSync(ALERT_SAMPLE) ? undefined : `${ALERT_SAMPLE} is missing (install pacemaker)`);
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
  const state = (id: string): string => `/run/atrium-e2e-fence-${id}.state`;
  const clearState = () => {
    for (const id of s.rscs) rmSync(state(id), { force: true });
  };
  clearState();
  const rec = (dir: string) => ({ bad: join(dir, "bad.rec"), good: join(dir, "good.rec") });
  const rig = await startMoreRig(
    HOST,
    (p) => seedCib(s, p.dir, rec(p.dir), p.alert, p.alertLog, state),
    { ns: s.ns, veth: s.veth, net: s.net },
    { webhookSecret: WEBHOOK_SECRET },
  );
  const { bad, good } = rec(rig.dir);
  return {
    dir: rig.dir, badRec: bad, goodRec: good, alertLog: rig.alertLog, hooks: rig.hooks, state,
    log: rig.log, cli: rig.cli, status: rig.status, until: rig.until,
    async close() {
      await rig.close();
      clearState();
    },
  };
}
