/**
 * Crash safety of FileStore: a child process writes versions in a loop and is killed with
 * SIGKILL at random points, 200 times; after every kill the store must load the last
 * acknowledged version or the one being written, with exactly the text written for it.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CibVersion } from "../../../../core/cib/model.ts";
import { FileStore } from "../../../../core/cib/store/mod.ts";
import { formatVersion, parseVersion } from "../../../../core/cib/store/version.ts";
import { nextVersion, payload } from "./_crash_payload.ts";

const KILLS = 200;
let root = "";
let writer = "";

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "atrium-crash-"));
  writer = join(root, "crash_writer.mjs");
  await build({
    entryPoints: [join(import.meta.dirname, "_crash_writer.ts")],
    outfile: writer,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "error",
  });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Run {
  acked: CibVersion[];
  ready: boolean;
  stderr: string;
  code: number | null;
}

/** Start the writer, kill it at a random point, collect what it acknowledged. */
function runOnce(dir: string, keep: number, rand: () => number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir, String(keep)], { stdio: ["ignore", "pipe", "pipe"] });
    const run: Run = { acked: [], ready: false, stderr: "", code: null };
    let buf = "";
    let timer: ReturnType<typeof setTimeout> | undefined;
    const kill = () => child.kill("SIGKILL");
    // Mostly kill while writing; sometimes during start-up and opening (lock, recovery).
    if (rand() < 0.15) timer = setTimeout(kill, Math.floor(rand() * 120));
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith("ready ")) run.ready = true;
        else if (line.startsWith("ack ")) {
          run.acked.push(parseVersion(line.slice(4)));
          // Otherwise kill inside the write loop: at a random point after the first write.
          if (timer === undefined) timer = setTimeout(kill, Math.floor(rand() * 25));
        }
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d: string) => void (run.stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      run.code = code;
      resolve(run);
    });
  });
}

/** A small deterministic PRNG so a failure can be replayed from the seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** One lane: a store directory whose writer is started and killed `kills` times. */
async function lane(dir: string, keep: number, kills: number, seed: number) {
  const rand = prng(seed);
  let known: CibVersion | null = null;
  const stats = { acks: 0, inLoop: 0, midWrite: 0 };
  for (let i = 0; i < kills; i++) {
    const run = await runOnce(dir, keep, rand);
    const where = `kill ${i} (lane seed ${seed})`;
    expect(run.stderr, `${where}: writer failed`).toBe("");
    expect(run.code, where).toBeNull();
    stats.acks += run.acked.length;
    if (run.acked.length > 0) stats.inLoop++;
    const lastAck: CibVersion | null = run.acked.at(-1) ?? known;
    const store = await FileStore.open(dir, { readOnly: true });
    const got = await store.read();
    await store.close();
    const allowed = [lastAck, nextVersion(lastAck)].map((x) => (x ? formatVersion(x) : "-"));
    const at = got ? formatVersion(got.version) : "-";
    expect(allowed, `${where}: loaded ${at}`).toContain(at);
    if (got) {
      expect(got.xml === payload(got.version), `${where}: text of ${at} is not what was written`).toBe(true);
      if (at !== allowed[0]) stats.midWrite++;
    }
    known = got?.version ?? null;
  }
  return stats;
}

describe("FileStore under SIGKILL", () => {
  it(`yields the last acknowledged version or the one being written after each of ${KILLS} kills`, async () => {
    const seed = Date.now() % 100000;
    // Two directories killed in parallel, to keep the wall time down; one keeps a single
    // version (pruning on every write), the other five.
    const lanes = await Promise.all([
      lane(join(root, "a"), 1, KILLS / 2, seed),
      lane(join(root, "b"), 5, KILLS / 2, seed + 1),
    ]);
    const sum = (k: "acks" | "inLoop" | "midWrite") => lanes.reduce((n, l) => n + l[k], 0);
    console.log(`crash test: ${KILLS} kills, ${sum("inLoop")} inside the write loop, ${sum("acks")} acknowledged writes, ${sum("midWrite")} loads of the version being written (seed ${seed})`);
    // Most kills landed inside the write loop, and some of them while a write was in flight.
    expect(sum("inLoop")).toBeGreaterThan(KILLS * 0.6);
    expect(sum("midWrite")).toBeGreaterThan(0);
  }, 120_000);
});
