import process from "node:process";
import { describe, expect, it } from "vitest";
import { runProcess } from "../../../core/executor/mod.ts";
import { marker, processesWithEnv } from "../../fixtures/agents/proc.ts";

describe("runProcess", () => {
  it("returns exit code and output of a process", async () => {
    const r = await runProcess("/bin/sh", { args: ["-c", "echo out; echo err >&2; exit 3"] });
    expect(r).toMatchObject({ exitCode: 3, stdout: "out\n", stderr: "err\n", timedOut: false, truncated: false });
  });

  it("runs the child in its own process group", async () => {
    const r = await runProcess("/bin/sh", { args: ["-c", "cut -d' ' -f5 /proc/$$/stat; echo $$"] });
    const [pgid, pid] = r.stdout.trim().split("\n");
    expect(pgid).toBe(pid);
    expect(Number(pid)).toBe(r.pid);
  });

  it("passes the environment and can drop inherited variables", async () => {
    const r = await runProcess("/bin/sh", { args: ["-c", 'echo "$A|${HOME:-none}"'], env: { A: "x y", HOME: undefined } });
    expect(r.stdout).toBe("x y|none\n");
  });

  it("caps output and keeps the beginning", async () => {
    const r = await runProcess("/bin/sh", { args: ["-c", "head -c 300000 /dev/zero | tr '\\0' x; echo tail"], outputCapBytes: 1000 });
    expect(r.stdout).toBe("x".repeat(1000));
    expect(r.truncated).toBe(true);
    expect(r.exitCode).toBe(0);
  });

  it("kills the whole process group on timeout and leaves no process behind", async () => {
    const m = marker("spawn-timeout");
    const t0 = Date.now();
    const r = await runProcess("/bin/sh", {
      args: ["-c", "sleep 30 & sleep 31 & wait"],
      env: { ATRIUM_MARK: m },
      timeoutMs: 200,
    });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(processesWithEnv(`ATRIUM_MARK=${m}`)).toEqual([]);
  });

  it("escalates to SIGKILL when the group ignores SIGTERM", async () => {
    const m = marker("spawn-kill");
    const t0 = Date.now();
    const r = await runProcess("/bin/sh", {
      args: ["-c", "trap '' TERM; sh -c \"trap '' TERM; sleep 30\" & wait; wait"],
      env: { ATRIUM_MARK: m },
      timeoutMs: 100,
      killGraceMs: 300,
    });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe("SIGKILL");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(processesWithEnv(`ATRIUM_MARK=${m}`)).toEqual([]);
  });

  it("kills the group when aborted", async () => {
    const m = marker("spawn-abort");
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = await runProcess("/bin/sh", { args: ["-c", "sleep 30 & wait"], env: { ATRIUM_MARK: m }, signal: ac.signal });
    expect(r.aborted).toBe(true);
    expect(processesWithEnv(`ATRIUM_MARK=${m}`)).toEqual([]);
  });

  it("does not wait for a background child that keeps the output pipe open", async () => {
    const m = marker("spawn-bg");
    const t0 = Date.now();
    const r = await runProcess("/bin/sh", { args: ["-c", "sleep 5 & echo started"], env: { ATRIUM_MARK: m } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("started\n");
    expect(Date.now() - t0).toBeLessThan(2000);
    const left = processesWithEnv(`ATRIUM_MARK=${m}`);
    expect(left.length).toBe(1); // a normal exit leaves legitimate daemons alone
    for (const pid of left) process.kill(pid, "SIGKILL");
  });

  it("reports a program that does not exist", async () => {
    const r = await runProcess("/nonexistent/agent", {});
    expect(r.spawnError?.code).toBe("ENOENT");
    expect(r.exitCode).toBeNull();
  });
});
