// Fence device monitors with the real /usr/sbin/fence_dummy (type=file) through the fence-agents
// plugin and the fencer (Node only: it spawns Python processes). Skips with a printed reason
// when fence_dummy is not installed.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseCib } from "../../../core/cib/mod.ts";
import { Controller, type OpRequest, type Scheduler } from "../../../core/controller/mod.ts";
import { StonithDeviceExecutor } from "../../../core/controller/fencing.ts";
import { Fencer, readFencerConfig } from "../../../core/fencer/mod.ts";
import { Registry } from "../../../core/plugin/registry.ts";
import { schedule } from "../../../core/scheduler/mod.ts";
import { clusterStatus } from "../../../core/status/mod.ts";
import fenceAgents from "../../../plugins/fence-agents/mod.ts";
import { FakeExecutor } from "./_fake_executor.ts";
import { MemoryCib } from "./_fixtures.ts";

const AGENT = "/usr/sbin/fence_dummy";
const present = existsSync(AGENT);
if (!present) console.log(`Skipping fence_dummy device monitor tests: ${AGENT} is not installed (apt-get install fence-agents)`);

const dir = mkdtempSync(join(tmpdir(), "atrium-fence-devices-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scheduler: Scheduler = (cib, now) => schedule(cib, { now });

function cibXml(statusFile: string): string {
  return `<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.9" crm_feature_set="3.16.1" have-quorum="1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>
    <nodes><node id="1" uname="node1"/></nodes>
    <resources>
      <primitive id="dummy1" class="stonith" type="fence_dummy">
        <instance_attributes id="d1-ia"><nvpair id="d1-sf" name="status_file" value="${statusFile}"/><nvpair id="d1-hl" name="pcmk_host_list" value="node2"/><nvpair id="d1-r" name="pcmk_monitor_retries" value="1"/></instance_attributes>
        <operations><op id="d1-mon" name="monitor" interval="400ms" timeout="20s"/></operations>
      </primitive>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member" crm-debug-origin="test"/>
  </status>
</cib>`;
}

async function until(cond: () => boolean, ms = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!present)("fence device monitors with the real fence_dummy", () => {
  it("start runs fence_dummy's monitor: it succeeds while the plug status is readable and fails otherwise", async () => {
    const registry = new Registry();
    await registry.register(fenceAgents, { source: "builtin:fence-agents" });
    try {
      const fencer = new Fencer({ agents: registry, localNode: "node1" });
      const x = new StonithDeviceExecutor({ monitor: (d, ms) => fencer.monitor(d, ms) });
      const good = join(dir, "good");
      const bad = join(dir, "bad");
      writeFileSync(good, "on");
      writeFileSync(bad, "neither");
      const req = (file: string): OpRequest => ({
        resource: "dummy1", agent: { class: "stonith", type: "fence_dummy" }, action: "start", intervalMs: 0, timeoutMs: 20_000,
        params: { status_file: file, pcmk_monitor_retries: "1" }, meta: {}, userdata: "k",
      });
      expect(await x.exec(req(good))).toMatchObject({ rc: 0, status: "done" });
      const failed = await x.exec({ ...req(bad), resource: "dummy2" });
      expect(failed).toMatchObject({ rc: 1, status: "done" });
      expect(failed.reason).toMatch(/plug status/);
      expect(x.started("dummy1")).toBe(true);
      expect(x.started("dummy2")).toBe(false);
    } finally {
      await registry.close();
    }
  });

  it("a failing recurring monitor is recorded in the CIB, the restart fails, and the fencer drops the device", async () => {
    const registry = new Registry();
    await registry.register(fenceAgents, { source: "builtin:fence-agents" });
    const file = join(dir, "status");
    writeFileSync(file, "on");
    const mem = new MemoryCib(parseCib(cibXml(file)));
    const fencer = new Fencer({ agents: registry, localNode: "node1" });
    const stonith = new StonithDeviceExecutor({ monitor: (d, ms) => fencer.monitor(d, ms) });
    const ctl = new Controller({ cib: mem, scheduler, nodeName: "node1", local: new FakeExecutor(), stonith, reprobe: false });
    try {
      ctl.start();
      await until(() => stonith.started("dummy1"));
      await ctl.idle();
      expect(readFencerConfig(mem.get(), { localNode: "node1" }).devices.map((d) => d.id)).toEqual(["dummy1"]);
      writeFileSync(file, "neither");
      await until(() => readFencerConfig(mem.get(), { localNode: "node1" }).devices.length === 0);
      await ctl.idle();
      const failed = clusterStatus(mem.get()).failed_actions.filter((f) => f.resource === "dummy1");
      expect(failed.map((f) => [f.action, f.rc])).toContainEqual(["start", 1]);
      expect(JSON.stringify(mem.get())).toContain("fail-count-dummy1#monitor_400");
      expect(stonith.started("dummy1")).toBe(false);
    } finally {
      await ctl.stop();
      stonith.stopAll();
      await registry.close();
    }
  });
});
