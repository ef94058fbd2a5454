/**
 * The REAL Pacemaker 2.1.5 cluster-side client library (liblrmd.so.28 over GnuTLS, driven by
 * remote_liblrmd_client.py through ctypes, as pacemaker-controld uses it) against
 * atrium-remoted: sign-on, register ocf:pacemaker:Dummy, probe, start, recurring monitor,
 * cancel, stop, unregister, poke — over TLS 1.3 and (PCMK_tls_priorities) TLS 1.2, 4096-byte
 * key. The same driver against the real pacemaker-remoted checks the driver itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { type AtriumRemoted, buildAgent, realRemotedUnavailable, startAtriumRemoted, startRealRemoted } from "./remote_helpers.ts";

const DRIVER = join(import.meta.dirname ?? ".", "remote_liblrmd_client.py");
function unavailable(): string | undefined {
  if (!existsSync("/usr/lib/ocf/resource.d/pacemaker/Dummy")) return "ocf:pacemaker:Dummy is absent";
  if (!existsSync("/usr/lib/x86_64-linux-gnu/liblrmd.so.28") && !existsSync("/usr/lib/liblrmd.so.28")) return "liblrmd.so.28 is absent";
  try {
    execFileSync("python3", ["-c", "import ctypes; ctypes.CDLL('liblrmd.so.28')"], { stdio: "ignore" });
  } catch {
    return "python3 cannot load liblrmd.so.28";
  }
  return undefined;
}
const why = unavailable();
if (why) console.log(`skipping the real liblrmd client interop: ${why}`);
const dir = mkdtempSync(join(tmpdir(), "atrium-liblrmd-"));
const PORT = 4700 + (process.pid % 200);
let bundle = "";

beforeAll(async () => {
  if (!why) bundle = await buildAgent("atrium-remoted");
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function drive(port: number, keyFile: string, env: Record<string, string> = {}): Promise<{ code: number; steps: { step: string; [k: string]: unknown }[]; stderr: string }> {
  return new Promise((resolve) => {
    execFile("python3", [DRIVER, "127.0.0.1", String(port), dir], {
      env: { ...process.env, PCMK_authkey_location: keyFile, PCMK_logfacility: "none", ...env },
      timeout: 60_000,
    }, (err, stdout, stderr) => {
      const steps = stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { step: string });
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, steps, stderr });
    });
  });
}

const EXPECTED = ["connect", "register", "info", "monitor", "start", "recurring", "cancel", "stop", "unregister", "poke", "done"];

describe.skipIf(why !== undefined)("the real liblrmd client against atrium-remoted", () => {
  it("runs the controller's sequence over TLS 1.3 and TLS 1.2 with a 4096-byte key", async () => {
    const d: AtriumRemoted = await startAtriumRemoted(bundle, PORT, { keyBytes: 4096, args: ["--verbose"] });
    try {
      for (const prio of [undefined, "NORMAL:-VERS-TLS1.3"]) {
        const r = await drive(PORT, d.keyFile, prio ? { PCMK_tls_priorities: prio } : {});
        expect(r.steps.map((s) => s.step), r.stderr).toEqual(EXPECTED);
        expect(r.code).toBe(0);
        expect(r.steps.find((s) => s.step === "monitor")).toMatchObject({ rc: 7, status: 0 });
        expect(r.steps.find((s) => s.step === "connect")!.rc).toBe(0);
      }
      expect(d.log()).toMatch(/TLS handshake with .* done: TLSv1\.3 TLS_CHACHA20_POLY1305_SHA256/);
      expect(d.log()).toMatch(/TLS handshake with .* done: TLSv1\.2 TLS_(DHE_)?PSK_WITH_/);
      expect(d.log()).toMatch(/Connection "real-liblrmd" from .* closed after .*: peer closed the connection/);
    } finally {
      await d.stop();
    }
  }, 90_000);

  it.skipIf(realRemotedUnavailable() !== undefined)("(driver check) runs the same sequence against the real pacemaker-remoted", async () => {
    const r0 = startRealRemoted(PORT + 1, { KEY_BYTES: "4096" });
    try {
      const r = await drive(PORT + 1, r0.keyFile);
      expect(r.steps.map((s) => s.step), r.stderr).toEqual(EXPECTED);
    } finally {
      r0.stop();
    }
  }, 90_000);
});
