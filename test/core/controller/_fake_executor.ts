/** A fake node executor that simulates stateless agents (start/stop/monitor) in memory. */
import type { NodeExecutor, OpRequest, OpResult, OpResultListener, RemoteLink } from "../../../core/controller/mod.ts";

export class FakeExecutor implements NodeExecutor {
  readonly running = new Set<string>();
  readonly calls: OpRequest[] = [];
  readonly recurring = new Map<string, { req: OpRequest; callId: number }>();
  readonly #listeners = new Set<OpResultListener>();
  #callId = 0;
  live = 0;
  peak = 0;
  delayMs = 1;
  /** rc overrides: "rsc action" -> rc */
  readonly rcs = new Map<string, number>();
  /** Never answer these "rsc action" keys (timeouts). */
  readonly hang = new Set<string>();

  async exec(req: OpRequest): Promise<OpResult> {
    const callId = ++this.#callId;
    this.calls.push(req);
    this.live++;
    this.peak = Math.max(this.peak, this.live);
    if (this.hang.has(`${req.resource} ${req.action}`)) await new Promise(() => {});
    await new Promise((r) => setTimeout(r, this.delayMs));
    this.live--;
    let rc = this.rcs.get(`${req.resource} ${req.action}`);
    if (rc === undefined) {
      if (req.action === "start") { this.running.add(req.resource); rc = 0; }
      else if (req.action === "stop") { this.running.delete(req.resource); rc = 0; }
      else if (req.action === "monitor") rc = this.running.has(req.resource) ? 0 : 7;
      else rc = 0;
    }
    if (req.intervalMs > 0) this.recurring.set(`${req.resource} ${req.action} ${req.intervalMs}`, { req, callId });
    const now = Date.now();
    return { resource: req.resource, action: req.action, intervalMs: req.intervalMs, callId, rc, status: "done", runAt: now, rcChangedAt: now, execTimeMs: 1, queueTimeMs: 0, userdata: req.userdata };
  }

  cancel(resource: string, action: string, intervalMs: number): Promise<boolean> {
    return Promise.resolve(this.recurring.delete(`${resource} ${action} ${intervalMs}`));
  }

  onResult(cb: OpResultListener): () => void {
    this.#listeners.add(cb);
    return () => void this.#listeners.delete(cb);
  }

  /** The resource dies: its recurring monitors report rc 7. */
  kill(resource: string): void {
    this.running.delete(resource);
    for (const { req, callId } of this.recurring.values()) {
      if (req.resource !== resource || req.action !== "monitor") continue;
      const now = Date.now();
      for (const l of [...this.#listeners]) l({ resource, action: "monitor", intervalMs: req.intervalMs, callId, rc: 7, status: "done", runAt: now, rcChangedAt: now, execTimeMs: 1, queueTimeMs: 0, userdata: req.userdata });
    }
  }

  actions(): string[] {
    return this.calls.map((c) => `${c.action}${c.intervalMs ? `_${c.intervalMs}` : ""}:${c.resource}`);
  }
}

/** A fake remote link over a FakeExecutor. */
export class FakeLink extends FakeExecutor implements RemoteLink {
  connected = true;
  pokes = 0;
  readonly #closers: ((r: string) => void)[] = [];
  poke(): Promise<void> {
    this.pokes++;
    return this.connected ? Promise.resolve() : Promise.reject(new Error("not connected"));
  }
  close(): void {
    this.drop("closed by the controller");
  }
  drop(reason: string): void {
    if (!this.connected) return;
    this.connected = false;
    for (const c of this.#closers.splice(0)) c(reason);
  }
  onClose(cb: (reason: string) => void): void {
    this.#closers.push(cb);
  }
}
