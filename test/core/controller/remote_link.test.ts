/**
 * The controller with the REAL remote client adapter against core/remote's RemoteServer
 * (loopback, plain streams) over an in-memory backend: the connection resource opens the link,
 * the remote node's resource runs there, a monitor failure there is recovered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCib, serializeCib } from "../../../core/cib/mod.ts";
import { Controller, nodeAttribute, remoteConnector } from "../../../core/controller/mod.ts";
import { type BackendOp, type BackendResult, plainSecure, RemoteServer, type RemoteExecutorBackend } from "../../../core/remote/mod.ts";
import { schedule } from "../../../core/scheduler/mod.ts";
import { dummyCib, MemoryCib } from "./_fixtures.ts";

class MemoryBackend implements RemoteExecutorBackend {
  readonly running = new Set<string>();
  readonly ops: BackendOp[] = [];
  readonly #recurring = new Map<string, { timer: ReturnType<typeof setInterval>; report: (r: BackendResult) => void }>();
  exec(op: BackendOp, onResult: (r: BackendResult) => void): void {
    this.ops.push(op);
    const run = (final: boolean): void => {
      let rc = 0;
      if (op.action === "start") this.running.add(op.rscId);
      else if (op.action === "stop") this.running.delete(op.rscId);
      else if (op.action === "monitor") rc = this.running.has(op.rscId) ? 0 : 7;
      onResult({ rc, status: 0, startedAt: Date.now(), execMs: 1, queueMs: 0, final });
    };
    if (op.intervalMs > 0) {
      const key = `${op.rscId} ${op.action} ${op.intervalMs}`;
      setTimeout(() => run(false), 1);
      this.#recurring.set(key, { timer: setInterval(() => run(false), op.intervalMs), report: onResult });
    } else setTimeout(() => run(true), 1);
  }
  cancel(rscId: string, action: string, intervalMs: number): boolean {
    const key = `${rscId} ${action} ${intervalMs}`;
    const r = this.#recurring.get(key);
    if (!r) return false;
    clearInterval(r.timer);
    this.#recurring.delete(key);
    r.report({ rc: 0, status: 1, startedAt: Date.now(), execMs: 0, queueMs: 0, final: true });
    return true;
  }
  alert(): void {}
  stopAll(): void {
    for (const r of this.#recurring.values()) clearInterval(r.timer);
    this.#recurring.clear();
  }
}

const key = new Uint8Array([7, 7, 7]);
const backend = new MemoryBackend();
const server = new RemoteServer({ backend, key: () => key, secure: plainSecure, handshakeTimeoutMs: 2000 });
let port = 0;
beforeAll(async () => {
  port = (await server.listen({ host: "127.0.0.1", port: 0 })).port;
});
afterAll(async () => {
  backend.stopAll();
  await server.close();
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("Controller over the real remote client and server", () => {
  it("connects, runs the remote node's resource there, and recovers it after a monitor failure", async () => {
    const extra = `
      <primitive id="rem1" class="ocf" provider="pacemaker" type="remote">
        <instance_attributes id="rem1-ia"><nvpair id="rem1-ia-s" name="server" value="127.0.0.1"/><nvpair id="rem1-ia-p" name="port" value="${port}"/></instance_attributes>
        <operations><op id="rem1-mon" name="monitor" interval="200ms" timeout="5s"/></operations>
      </primitive>`;
    const text = serializeCib(dummyCib(["rd"], { extraConfig: extra, monitor: 100 })).replace("<constraints/>",
      `<constraints><rsc_location id="l1" rsc="rd" node="rem1" score="INFINITY"/><rsc_location id="l2" rsc="rd" node="node1" score="-INFINITY"/></constraints>`);
    const mem = new MemoryCib(parseCib(text));
    const local = { exec: () => Promise.reject(new Error("nothing runs locally here")), cancel: () => Promise.resolve(false), onResult: () => () => {} };
    const ctl = new Controller({
      cib: mem, nodeName: "node1", local, scheduler: (c, now) => schedule(c, { now }),
      connector: remoteConnector({ key, clientName: "atrium-test", client: { secure: plainSecure } }),
    });
    try {
      ctl.start();
      await until(() => backend.running.has("rd") && backend.ops.some((o) => o.rscId === "rd" && o.intervalMs === 100));
      await ctl.idle();
      const start = backend.ops.find((o) => o.rscId === "rd" && o.action === "start")!;
      expect(start.rsc).toMatchObject({ id: "rd", standard: "ocf", provider: "pacemaker", type: "Dummy" });
      expect(start.params).toMatchObject({ state: "/tmp/rd.state", CRM_meta_timeout: "20000", CRM_meta_interval: "0", CRM_meta_name: "start" });
      expect(start.userdata).toMatch(/^\d+:\d+:0:[0-9a-f-]{36}$/);
      let xml = serializeCib(mem.get());
      expect(xml).toMatch(/id="rd_last_0" operation_key="rd_start_0"[^>]*on_node="rem1"[^>]*rc-code="0"/);
      expect(xml).toMatch(/<node_state id="rem1" uname="rem1" remote_node="true"[^>]*in_ccm="true"/);
      // The resource dies on the remote node.
      const starts = backend.ops.filter((o) => o.rscId === "rd" && o.action === "start").length;
      backend.running.delete("rd");
      await until(() => backend.ops.filter((o) => o.rscId === "rd" && o.action === "start").length > starts && backend.running.has("rd"));
      await until(() => nodeAttribute(mem.get(), "rem1", "fail-count-rd#monitor_100") === "1");
      await ctl.idle();
      xml = serializeCib(mem.get());
      expect(xml).toMatch(/id="rd_last_failure_0" operation_key="rd_monitor_100"[^>]*rc-code="7"/);
      expect(backend.ops.filter((o) => o.rscId === "rd").map((o) => o.action).slice(-3)).toEqual(["stop", "start", "monitor"]);
    } finally {
      await ctl.stop();
    }
  });
});
