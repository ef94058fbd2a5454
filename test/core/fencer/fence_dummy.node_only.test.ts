// The fencer with the real /usr/sbin/fence_dummy through the fence-agents plugin (Node only:
// it spawns Python processes). Skips with a printed reason when fence_dummy is not installed.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseCib } from "../../../core/cib/codec.ts";
import { Fencer, readFencerConfig } from "../../../core/fencer/mod.ts";
import { Registry } from "../../../core/plugin/registry.ts";
import fenceAgents from "../../../plugins/fence-agents/mod.ts";

const AGENT = "/usr/sbin/fence_dummy";
const present = existsSync(AGENT);
if (!present) console.log(`Skipping fence_dummy tests: ${AGENT} is not installed (apt-get install fence-agents)`);

const dir = mkdtempSync(join(tmpdir(), "atrium-fencer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cibXml(good: string, bad: string): string {
  return `<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.7"><configuration>
  <crm_config/><nodes><node id="1" uname="node0"/><node id="2" uname="node1"/></nodes>
  <resources>
    <primitive id="bad" class="stonith" type="fence_dummy"><instance_attributes id="bad-ia">
      <nvpair id="b1" name="status_file" value="${bad}"/><nvpair id="b2" name="pcmk_host_list" value="node1"/>
      <nvpair id="b3" name="pcmk_off_retries" value="1"/></instance_attributes></primitive>
    <primitive id="good" class="stonith" type="fence_dummy"><instance_attributes id="good-ia">
      <nvpair id="g1" name="status_file" value="${good}"/><nvpair id="g2" name="pcmk_host_map" value="node1:plug1"/></instance_attributes></primitive>
    <primitive id="bystatus" class="stonith" type="fence_dummy"><instance_attributes id="s-ia">
      <nvpair id="s1" name="status_file" value="${good}"/></instance_attributes></primitive>
  </resources><constraints/>
  <fencing-topology>
    <fencing-level id="l1" target="node1" index="1" devices="bad"/>
    <fencing-level id="l2" target="node1" index="2" devices="good"/>
  </fencing-topology></configuration><status/></cib>`;
}

describe.skipIf(!present)("Fencer with the real fence_dummy", () => {
  it("falls through a failing level to a working one and turns the dummy off", async () => {
    const good = join(dir, "good");
    const bad = join(dir, "bad");
    writeFileSync(good, "on");
    writeFileSync(bad, "neither");
    const registry = new Registry();
    await registry.register(fenceAgents, { source: "builtin:fence-agents" });
    try {
      const fencer = new Fencer({ agents: registry, localNode: "node0" });
      fencer.configure(readFencerConfig(parseCib(cibXml(good, bad)), { localNode: "node0" }));
      const features = await fencer.features(fencer.devices()[0]!);
      expect(features).toMatchObject({ supportsReboot: true, supportsOn: true, supportsStatus: true, supportsList: false });
      // fence_dummy has status but no list: a device without host list or map asks status.
      expect(await fencer.capableDevices("node1", "off")).toEqual(["bad", "good", "bystatus"]);
      const r = await fencer.fence("node1", "off", { timeoutMs: 20_000, reason: "test" });
      expect(r.attempts.map((a) => [a.device, a.level, a.ok, a.tries])).toEqual([["bad", 1, false, 1], ["good", 2, true, 1]]);
      expect(r.attempts[0]!.reason).toMatch(/plug status/);
      expect(r).toMatchObject({ ok: true, state: "success", devices: ["good"] });
      expect(readFileSync(good, "utf8")).toBe("off");
      expect(fencer.history.list()).toHaveLength(1);
    } finally {
      await registry.close();
    }
  }, 30_000);
});
