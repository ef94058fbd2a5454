/**
 * The controller end to end on this machine: the REAL CIB service (in memory), the REAL
 * scheduler, the REAL local executor and ocf:pacemaker:Dummy. Three resources start, their
 * status is recorded, monitors run; a monitor failure (the Dummy's state file removed) is
 * recorded and recovered (stop + start).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { parseCib, serializeCib } from "../../core/cib/mod.ts";
import { CibService } from "../../core/cib/service/mod.ts";
import { MemoryStore } from "../../core/cib/store/mod.ts";
import { cibAccess, Controller, localExecutor, nodeAttribute } from "../../core/controller/mod.ts";
import { Executor } from "../../core/executor/mod.ts";
import { schedule } from "../../core/scheduler/mod.ts";
import { createOcfClass } from "../../plugins/ocf/mod.ts";

const ROOT = "/usr/lib/ocf";
const HAVE = existsSync(`${ROOT}/resource.d/pacemaker/Dummy`);
if (!HAVE) console.log("SKIP controller e2e: ocf:pacemaker:Dummy is not installed under /usr/lib/ocf");

const tmp = mkdtempSync(`${tmpdir()}/atrium-ctl-`);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const tag = `ctl${process.pid}x${Date.now().toString(36)}`;
const ids = ["a", "b", "c"].map((x) => `${tag}-${x}`);
const state = (id: string): string => `${tmp}/${id}.state`;

function cibXml(): string {
  const prims = ids.map((id) => `
      <primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy">
        <instance_attributes id="${id}-ia"><nvpair id="${id}-ia-s" name="state" value="${state(id)}"/></instance_attributes>
        <operations>
          <op id="${id}-mon" name="monitor" interval="1s" timeout="10s"/>
          <op id="${id}-start" name="start" interval="0" timeout="10s"/>
          <op id="${id}-stop" name="stop" interval="0" timeout="10s"/>
        </operations>
      </primitive>`).join("");
  return `<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.9" crm_feature_set="3.16.1" have-quorum="1">
  <configuration>
    <crm_config><cluster_property_set id="cib-bootstrap-options">
      <nvpair id="o1" name="stonith-enabled" value="false"/>
    </cluster_property_set></crm_config>
    <nodes><node id="1" uname="node1"/></nodes>
    <resources>${prims}
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member" crm-debug-origin="test"/>
  </status>
</cib>`;
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!HAVE)("controller with the real executor and ocf:pacemaker:Dummy", () => {
  it("starts three Dummies, records status, monitors them, recovers a failed one, and re-probes after a restart", async () => {
    const store = new MemoryStore();
    await store.write(cibXml(), { expected: null, next: { adminEpoch: 0, epoch: 1, numUpdates: 0 } });
    const svc = await CibService.open(store, { nodeName: "node1" });
    const ocf = createOcfClass({ root: ROOT });
    const ex = new Executor({ resolveClass: (n) => (n === "ocf" ? ocf : undefined), killGraceMs: 300 });
    const local = localExecutor(ex);
    const ctl = new Controller({
      cib: { get: () => svc.get(), apply: (e) => svc.apply(e), onChange: (cb) => svc.onChange(() => cb()) },
      scheduler: (cib, now) => schedule(cib, { now }),
      nodeName: "node1",
      local,
      log: { debug() {}, info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    });
    const logs: string[] = [];
    try {
      ctl.start();
      await until(() => ids.every((id) => existsSync(state(id))) && ex.recurring().length === 3, 20_000);
      await ctl.idle();
      let xml = serializeCib(svc.get());
      for (const id of ids) {
        expect(xml).toMatch(new RegExp(`id="${id}_last_0" operation_key="${id}_start_0" operation="start"[^>]*rc-code="0" op-status="0"`));
        expect(xml).toMatch(new RegExp(`id="${id}_monitor_1000" operation_key="${id}_monitor_1000"[^>]*rc-code="0"`));
      }
      // Status written by the controller reads back in Pacemaker's format and means "nothing to do".
      const t = schedule(parseCib(xml), { now: new Date() });
      expect(t.actions.filter((a) => a.runnable)).toEqual([]);
      expect(t.current[ids[0]!]).toEqual([{ node: "node1", role: "Started" }]);

      // A monitor failure: the Dummy's state file disappears.
      const victim = ids[1]!;
      rmSync(state(victim));
      await until(() => nodeAttribute(svc.get(), "node1", `fail-count-${victim}#monitor_1000`) === "1", 10_000);
      await until(() => existsSync(state(victim)), 20_000);
      await until(() => /rc-code="0"/.test(opEntry(serializeCib(svc.get()), `${victim}_monitor_1000`)), 10_000);
      await ctl.idle();
      xml = serializeCib(svc.get());
      expect(xml).toMatch(new RegExp(`id="${victim}_last_failure_0" operation_key="${victim}_monitor_1000"[^>]*rc-code="7"`));
      const last = opEntry(xml, `${victim}_last_0`);
      expect(last).toContain(`operation_key="${victim}_start_0"`);
      const failCall = Number(/call-id="(\d+)"/.exec(opEntry(xml, `${victim}_last_failure_0`))![1]);
      expect(Number(/call-id="(\d+)"/.exec(last)![1])).toBeGreaterThan(failCall);
      const t2 = schedule(svc.get(), { now: new Date() });
      expect(t2.actions.filter((a) => a.runnable)).toEqual([]);

      // A daemon restart: a new executor without recurring operations and a new controller
      // re-probe the node, find the Dummies running, and only re-create their monitors.
      await ctl.stop();
      for (const r of ex.recurring()) ex.cancel(r.resource, r.action, r.intervalMs);
      const ex2 = new Executor({ resolveClass: (n) => (n === "ocf" ? ocf : undefined), killGraceMs: 300 });
      const ctl2 = new Controller({
        cib: cibAccess(svc),
        scheduler: (cib, now) => schedule(cib, { now }),
        nodeName: "node1",
        local: localExecutor(ex2),
      });
      try {
        ctl2.start();
        await until(() => ex2.recurring().length === 3, 20_000);
        await ctl2.idle();
        for (const id of ids) {
          const acts = ex2.history(id)!.operations.map((o) => `${o.action}_${o.intervalMs}`);
          expect(acts.sort()).toEqual(["monitor_0", "monitor_1000"]);
        }
        expect(opEntry(serializeCib(svc.get()), `${ids[0]}_last_0`)).toContain(`operation_key="${ids[0]}_monitor_0"`);
      } finally {
        await ctl2.stop();
        for (const r of ex2.recurring()) ex2.cancel(r.resource, r.action, r.intervalMs);
        await ex2.close();
      }
    } catch (e) {
      console.log(logs.join("\n"), serializeCib(svc.get()).split("<status>")[1]);
      throw e;
    } finally {
      await ctl.stop();
      for (const r of ex.recurring()) ex.cancel(r.resource, r.action, r.intervalMs);
      for (const id of ids) await ex.run({ resource: id, action: "stop", timeoutMs: 10_000 }).catch(() => undefined);
      local.close();
      await ex.close();
      await svc.close();
    }
    for (const id of ids) expect(existsSync(state(id))).toBe(false);
  }, 60_000);
});

function opEntry(xml: string, id: string): string {
  return new RegExp(`<lrm_rsc_op id="${id}"[^>]*>`).exec(xml)?.[0] ?? "";
}
