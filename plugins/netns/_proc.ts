/**
 * Process identity and signalling through /proc: a pid is only "the guest's daemon" while its
 * start time (field 22 of /proc/PID/stat) is the one recorded at start, so a recycled pid is
 * never signalled.
 * @module
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import process from "node:process";

/** State letter and start time (clock ticks since boot) of a process. */
export interface ProcStat {
  readonly state: string;
  readonly startTime: string;
  readonly pgid: number;
}

/** Parse the text of /proc/PID/stat (the command name may hold spaces and parentheses). */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  const f = text.slice(close + 2).trim().split(/\s+/);
  // f[0] is field 3 (state), so field N is f[N - 3].
  const state = f[0];
  const pgid = Number(f[2]);
  const startTime = f[19];
  if (state === undefined || startTime === undefined || !/^[0-9]+$/.test(startTime)) return undefined;
  return { state, startTime, pgid };
}

/** /proc/PID/stat of a live process, or undefined. */
export function procStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "latin1"));
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive (not a zombie) and started at `startTime`. */
export function sameProcess(pid: number, startTime: string): boolean {
  const s = procStat(pid);
  return s !== undefined && s.startTime === startTime && s.state !== "Z" && s.state !== "X";
}

/** The network namespace inode of a process, or undefined. */
export function netInodeOf(pid: number): number | undefined {
  try {
    const m = /^net:\[([0-9]+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Every live process whose network namespace has inode `ino`. */
export function pidsInNetns(ino: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^[0-9]+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid) continue;
    if (netInodeOf(pid) === ino) {
      const s = procStat(pid);
      if (s && s.state !== "Z" && s.state !== "X") out.push(pid);
    }
  }
  return out;
}

/**
 * True when a TCP socket listens on `port` in the network namespace of `pid` (its
 * /proc/PID/net/tcp and tcp6 show that namespace's sockets). No connection is made.
 */
export function listensOn(pid: number, port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  for (const f of ["tcp", "tcp6"]) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${f}`, "latin1");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 3 && cols[3] === "0A" && cols[1]!.endsWith(`:${hex}`)) return true;
    }
  }
  return false;
}

/** Send a signal to a pid (negative: a process group); a gone target is fine. */
export function signal(pid: number, sig: "SIGTERM" | "SIGKILL"): void {
  try {
    process.kill(pid, sig);
  } catch {
    // ESRCH: already gone; EPERM cannot happen as root and is not ours to fix here.
  }
}

/** Resolve after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Wait until `done()` holds, polling every `stepMs`, for at most `ms`. Returns done(). */
export async function waitFor(done: () => boolean, ms: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() >= end) return false;
    await sleep(Math.min(stepMs, Math.max(1, end - Date.now())));
  }
  return true;
}
