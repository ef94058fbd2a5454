/**
 * scripts/build_exe.mjs builds a Node single executable of `atrium` that runs on its own (no
 * node on PATH) and answers `version` and `--help`.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ATRIUM_VERSION } from "../../core/version.ts";

const root = resolve(import.meta.dirname, "../..");
let out = "";
let build: ReturnType<typeof spawnSync>;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "atrium-exe-"));
  const env = { ...process.env };
  delete env["DENORT_BIN"];
  build = spawnSync(process.execPath, [join(root, "scripts", "build_exe.mjs"), "--out", out, "atrium"], {
    cwd: root,
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
}, 150_000);
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

function runExe(args: string[]) {
  // An empty PATH: the executable must not need node (or anything else) installed.
  return spawnSync(join(out, "atrium"), args, { env: { PATH: "/nonexistent" }, encoding: "utf8", timeout: 30_000 });
}

describe("build_exe.mjs", () => {
  it("builds atrium as a Node single executable and says why deno compile is skipped", async () => {
    expect(build.status, String(build.stderr)).toBe(0);
    expect(build.stdout).toContain(`built ${join(out, "atrium")} (Node single executable`);
    expect(build.stdout).toContain("deno compile: skipped: it downloads the denort runtime");
    const s = await stat(join(out, "atrium"));
    expect(s.mode & 0o111).not.toBe(0);
  });

  it("runs `atrium version` standalone", () => {
    const r = runExe(["version"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`atrium ${ATRIUM_VERSION}\n`);
  });

  it("runs `atrium --help` and exits 64 on an unknown command", () => {
    const h = runExe(["--help"]);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^Usage: atrium COMMAND \[OPTIONS\]\n/);
    expect(h.stdout).toMatch(/\n {2}atrium version +Print Atrium's version\n/);
    const u = runExe(["no-such-command"]);
    expect(u.status).toBe(64);
    expect(u.stderr).toContain('atrium: unknown command "no-such-command"');
  });
});
