import { describe, expect, it } from "vitest";
import { runTransition } from "../../../core/controller/mod.ts";
import type { Transition, TransitionAction } from "../../../core/scheduler/mod.ts";

function act(id: number, inputs: number[] = [], extra: Partial<TransitionAction> = {}): TransitionAction {
  return { id, kind: "start", key: `r${id}_start_0`, resource: `r${id}`, node: "n1", interval: 0, timeout: 1000, inputs, runnable: true, ...extra };
}

function tr(actions: TransitionAction[]): Transition {
  return { actions, summary: [], placement: {}, current: {}, nodes: {}, nodesBefore: {}, scores: {}, explain: {}, warnings: [] };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

describe("runTransition()", () => {
  it("respects ordering inputs and runs independent actions in parallel", async () => {
    const log: string[] = [];
    let live = 0, peak = 0;
    const t = tr([act(0), act(1), act(2, [0, 1]), act(3, [2]), act(4)]);
    const r = await runTransition(t, {
      execute: async (a) => {
        live++; peak = Math.max(peak, live);
        log.push(`+${a.id}`);
        await sleep(20);
        log.push(`-${a.id}`);
        live--;
        return true;
      },
    }).done;
    expect(r).toEqual({ completed: [0, 1, 2, 3, 4], failed: [], notRun: [], aborted: false });
    expect(peak).toBe(3);
    expect(log.indexOf("+2")).toBeGreaterThan(Math.max(log.indexOf("-0"), log.indexOf("-1")));
    expect(log.indexOf("+3")).toBeGreaterThan(log.indexOf("-2"));
  });

  it("completes pseudo-actions at once and never runs non-runnable actions or their dependents", async () => {
    const ran: number[] = [];
    const t = tr([act(0, [], { kind: "pseudo" }), act(1, [0]), act(2, [], { runnable: false }), act(3, [2])]);
    const r = await runTransition(t, { execute: async (a) => { ran.push(a.id); return true; } }).done;
    expect(ran).toEqual([1]);
    expect(r.completed).toEqual([0, 1]);
    expect(r.notRun).toEqual([2, 3]);
    expect(r.aborted).toBe(false);
  });

  it("aborts on an unexpected result: in-flight actions finish, nothing new starts", async () => {
    const ran: number[] = [];
    const t = tr([act(0), act(1), act(2, [1]), act(3, [0])]);
    const r = await runTransition(t, {
      execute: async (a) => {
        ran.push(a.id);
        await sleep(a.id === 0 ? 5 : 40);
        return a.id !== 0;
      },
    }).done;
    expect(r.aborted).toBe(true);
    expect(r.reason).toContain("r0_start_0");
    expect(r.failed).toEqual([0]);
    expect(r.completed).toEqual([1]);
    expect(ran).toEqual([0, 1]);
    expect(r.notRun).toEqual([2, 3]);
  });

  it("gives up on an action at its timeout plus grace and aborts", async () => {
    const t = tr([act(0, [], { timeout: 30 }), act(1, [0])]);
    const t0 = Date.now();
    const r = await runTransition(t, { graceMs: 20, execute: () => new Promise<boolean>(() => {}) }).done;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r.failed).toEqual([0]);
    expect(r.reason).toMatch(/^Timed out/);
    expect(r.notRun).toEqual([1]);
  });

  it("counts a rejected execute as a failure", async () => {
    const r = await runTransition(tr([act(0)]), { execute: () => Promise.reject(new Error("x")) }).done;
    expect(r.failed).toEqual([0]);
    expect(r.aborted).toBe(true);
  });

  it("can be aborted from outside while actions run", async () => {
    const t = tr([act(0), act(1, [0])]);
    const run = runTransition(t, { execute: async () => { await sleep(20); return true; } });
    await sleep(5);
    run.abort("CIB changed");
    const r = await run.done;
    expect(r).toMatchObject({ aborted: true, reason: "CIB changed", completed: [0], notRun: [1] });
  });

  it("resolves an empty transition", async () => {
    expect(await runTransition(tr([]), { execute: async () => true }).done).toEqual({ completed: [], failed: [], notRun: [], aborted: false });
  });
});
