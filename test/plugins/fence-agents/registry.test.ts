/**
 * The three plugins of this area loaded into core's plugin registry as the host loads them:
 * fence agents resolved by name through the provider, notifiers fanned out by notifyAll.
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import type { AtriumError } from "../../../core/errors.ts";
import { Registry } from "../../../core/plugin/registry.ts";
import alertPlugin, { alertAgentsNotifier } from "../../../plugins/alert-agents/mod.ts";
import fencePlugin from "../../../plugins/fence-agents/mod.ts";
import webhookPlugin, { verifyWebhookSignature } from "../../../plugins/webhook/mod.ts";

const FIXTURE = new URL("../../fixtures/fence/fence_recorder", import.meta.url).pathname;
const tmp = mkdtempSync(`${tmpdir()}/atrium-fence-reg-`);
mkdirSync(`${tmp}/bin`);
copyFileSync(FIXTURE, `${tmp}/bin/fence_recorder`);
chmodSync(`${tmp}/bin/fence_recorder`, 0o755);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("fence-agents, alert-agents and webhook in the registry", () => {
  it("serve fence agents by name and receive every event", async () => {
    const bodies: { ts: string; sig: string; body: string }[] = [];
    const server: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        bodies.push({ ts: String(req.headers["x-atrium-timestamp"]), sig: String(req.headers["x-atrium-signature"]), body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const errors: AtriumError[] = [];
    const registry = new Registry({ onError: (e) => errors.push(e) });
    try {
      const agentScript = `${tmp}/alert.sh`;
      writeFileSync(agentScript, `#!/bin/sh\necho "$CRM_alert_kind $CRM_alert_node" >> "$CRM_alert_recipient"\n`);
      chmodSync(agentScript, 0o755);
      await registry.register(fencePlugin, { config: { directory: `${tmp}/bin`, retryDelayMs: 10 } });
      await registry.register(alertPlugin, { config: { alerts: [{ id: "a", path: agentScript, recipients: [{ value: `${tmp}/alerts.log` }] }] } });
      await registry.register(webhookPlugin, { config: { url, secret: "k3y" } });

      expect(await registry.fenceAgentNames()).toContain("fence_recorder");
      const agent = await registry.fenceAgent("fence_recorder");
      expect(agent).toBeDefined();
      const r = await agent!.run({ action: "status", target: "node1", params: { state_file: `${tmp}/st` }, timeoutMs: 5000 }, registry.context());
      expect(r).toMatchObject({ rc: 0, status: "done" });
      expect(await registry.fenceAgent("fence_nonexistent")).toBeUndefined();

      const timestamp = "2026-01-01T00:00:00.000000Z";
      registry.notifyAll({ kind: "node", sequence: 1, timestamp, node: "node1", desc: "member" });
      registry.notifyAll({ kind: "fencing", sequence: 2, timestamp, node: "node2", task: "off", rc: 0 });
      await registry.idle();
      await alertAgentsNotifier.idle();
      expect(readFileSync(`${tmp}/alerts.log`, "utf8")).toBe("node node1\nfencing node2\n");
    } finally {
      expect(await registry.close()).toEqual([]); // teardowns drain the queues
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect(bodies.map((b) => (JSON.parse(b.body) as { sequence: number }).sequence)).toEqual([1, 2]);
    expect(bodies.every((b) => verifyWebhookSignature("k3y", b.ts, b.sig, b.body))).toBe(true);
    expect(errors).toEqual([]);
  });
});
