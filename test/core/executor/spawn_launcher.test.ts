import { existsSync, readFileSync } from "node:fs";
import process from "node:process";
import { afterEach, describe, expect, it } from "vitest";
import { launcherPid } from "../../../core/executor/_launcher.ts";
import { runProcess } from "../../../core/executor/spawn.ts";
import { marker, processesWithEnv } from "../../fixtures/agents/proc.ts";

const HAVE_PERL = existsSync("/usr/bin/perl") || existsSync("/bin/perl");
if (!HAVE_PERL) console.log("spawn_launcher tests skipped: no perl, runProcess uses the plain spawn");

function ppidOf(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(s.slice(s.lastIndexOf(")") + 2).split(" ")[1]);
}

const sh = (script: string, o: Parameters<typeof runProcess>[1] = {}) => runProcess("/bin/sh", { ...o, args: ["-c", script] });

describe.skipIf(!HAVE_PERL)("runProcess through the launcher", () => {
  afterEach(() => {
    delete process.env["ATRIUM_SPAWN"];
  });

  it("starts agents from the launcher, each in its own session and process group", async () => {
    const r = await sh("cut -d' ' -f4,5,6 /proc/$$/stat; echo $PPID");
    const [ids, ppid] = r.stdout.trim().split("\n");
    expect(ids).toBe(`${ppid === undefined ? "" : ppid} ${r.pid} ${r.pid}`);
    expect(Number(ppid)).toBe(launcherPid());
    expect(ppidOf(launcherPid()!)).toBe(process.pid);
  });

  it("does not carry one agent's environment over to the next", async () => {
    const a = await sh('echo "${ONLY_A:-unset}|$B"', { env: { ONLY_A: "a=1\nx", B: "1" } });
    const b = await sh('echo "${ONLY_A:-unset}|$B"', { env: { B: "2" } });
    const c = await sh('echo "${HOME:-none}|${B:-unset}"', { env: { HOME: undefined }, inheritEnv: true });
    expect([a.stdout, b.stdout, c.stdout]).toEqual(["a=1\nx|1\n", "unset|2\n", "none|unset\n"]);
    const d = await runProcess("/usr/bin/env", { inheritEnv: false, env: { X: "1" } });
    expect(d.stdout).toBe("X=1\n");
  });

  it("passes cwd, arguments with spaces and empty arguments, and finds commands on PATH", async () => {
    const r = await runProcess("sh", { args: ["-c", 'pwd; printf "[%s]" "$@"', "zero", "a b", "", "ü"], cwd: "/tmp" });
    expect(r.stdout).toBe("/tmp\n[a b][][ü]");
    expect(r.exitCode).toBe(0);
  });

  it("runs agents in the daemon's current directory, not the one the launcher started in", async () => {
    await sh("true"); // the launcher is up
    const before = process.cwd();
    process.chdir("/tmp");
    try {
      expect((await sh("pwd")).stdout).toBe("/tmp\n");
    } finally {
      process.chdir(before);
    }
    expect((await sh("pwd")).stdout).toBe(`${before}\n`);
  });

  it("reports why a program could not start", async () => {
    expect((await runProcess("/nonexistent/agent")).spawnError?.code).toBe("ENOENT");
    expect((await runProcess("no-such-command-atrium")).spawnError?.code).toBe("ENOENT");
    expect((await runProcess("/etc/passwd")).spawnError?.code).toBe("EACCES");
    const cwd = await runProcess("/bin/true", { cwd: "/nonexistent/dir" });
    expect(cwd.spawnError?.code).toBe("ENOENT");
    expect(cwd.exitCode).toBeNull();
  });

  it("reports the signal that ended an agent by name", async () => {
    const r = await sh("kill -USR1 $$");
    expect(r).toMatchObject({ exitCode: null, signal: "SIGUSR1", timedOut: false });
  });

  it("captures large output on both streams and caps each one", async () => {
    const big = await sh("head -c 200000 /dev/zero | tr '\\0' a; head -c 150000 /dev/zero | tr '\\0' b >&2");
    expect(big.stdout).toBe("a".repeat(200000));
    expect(big.stderr).toBe("b".repeat(150000));
    expect(big.truncated).toBe(false);
    const capped = await sh("head -c 100000 /dev/zero | tr '\\0' a; echo err >&2", { outputCapBytes: 70000 });
    expect(capped.stdout.length).toBe(70000);
    expect(capped.stderr).toBe("err\n");
    expect(capped.truncated).toBe(true);
  });

  it("kills the group of an agent aborted before it was even started", async () => {
    const m = marker("launcher-preabort");
    const ac = new AbortController();
    ac.abort();
    const r = await sh("sleep 30 & wait", { env: { ATRIUM_MARK: m }, signal: ac.signal });
    expect(r.aborted).toBe(true);
    expect(r.signal).toBe("SIGTERM");
    expect(processesWithEnv(`ATRIUM_MARK=${m}`)).toEqual([]);
  });

  it("runs many agents at once and keeps their results apart", async () => {
    const runs = await Promise.all(Array.from({ length: 40 }, (_, i) => sh(`echo ${i}; echo e${i} >&2; exit ${i % 7}`)));
    runs.forEach((r, i) => {
      expect(r).toMatchObject({ stdout: `${i}\n`, stderr: `e${i}\n`, exitCode: i % 7 });
    });
  });

  it("survives a launcher that dies: running agents are killed, new ones start again", async () => {
    const m = marker("launcher-dies");
    const running = sh("sleep 30", { env: { ATRIUM_MARK: m } });
    await new Promise((r) => setTimeout(r, 100));
    const pid = launcherPid()!;
    process.kill(pid, "SIGKILL");
    const r = await running;
    expect(r).toMatchObject({ exitCode: null, signal: "SIGKILL" });
    expect(processesWithEnv(`ATRIUM_MARK=${m}`)).toEqual([]);
    const again = await sh("echo $PPID");
    expect(again.stdout).toBe(`${launcherPid()}\n`);
    expect(launcherPid()).not.toBe(pid);
  });

  it("spawns directly with ATRIUM_SPAWN=plain and for agents given stdin input", async () => {
    process.env["ATRIUM_SPAWN"] = "plain";
    const plain = await sh("echo $PPID");
    expect(plain.stdout).toBe(`${process.pid}\n`);
    delete process.env["ATRIUM_SPAWN"];
    const input = await sh("cat; echo $PPID", { input: "in\n" });
    expect(input.stdout).toBe(`in\n${process.pid}\n`);
  });
});
