/**
 * atrium's RemoteClient (core/remote over core/tls-psk) against the REAL pacemaker-remoted
 * 2.1.5: the controller's sequence on ocf:pacemaker:Dummy with 32-, 512- and 4096-byte keys,
 * over TLS 1.3 and TLS 1.2, and a wrong key.
 */
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { RemoteClient } from "../../core/remote/mod.ts";
import { isAtriumError } from "../../core/errors.ts";
import { controllerSequence, realRemotedUnavailable, startRealRemoted } from "./remote_helpers.ts";

const why = realRemotedUnavailable();
if (why) console.log(`skipping interop with the real pacemaker-remoted: ${why}`);
const dir = mkdtempSync(join(tmpdir(), "atrium-interop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PORT = 3300 + (process.pid % 500);

describe.skipIf(why !== undefined)("RemoteClient against the real pacemaker-remoted", () => {
  for (const keyBytes of [32, 512, 4096]) {
    it(`runs the controller's sequence with a ${keyBytes}-byte key over TLS 1.3 and TLS 1.2`, async () => {
      const d = startRealRemoted(PORT, { KEY_BYTES: String(keyBytes) });
      try {
        for (const v of ["TLSv1.3", "TLSv1.2"] as const) {
          const c = new RemoteClient({ port: PORT, key: d.key, clientName: `atrium-interop-${v}`, tlsVersions: [v] });
          const s = await c.connect();
          expect(s.tls.version).toBe(v);
          expect(s.tls.cipher).toMatch(v === "TLSv1.3" ? /^TLS_CHACHA20_POLY1305_SHA256$/ : /^TLS_(DHE_)?PSK_WITH_/);
          expect(s.protocolVersion).toBe("1.1");
          await controllerSequence(c, `dummy-${keyBytes}-${v === "TLSv1.3" ? 13 : 12}`, dir);
          c.close();
        }
      } finally {
        d.stop();
      }
    }, 60_000);
  }

  it("negotiates TLS 1.2 when the daemon is limited to it (PCMK_tls_priorities), and refuses a wrong key at once", async () => {
    const d = startRealRemoted(PORT, { KEY_BYTES: "256", TLS_PRIORITIES: "NORMAL:-VERS-TLS1.3" });
    try {
      const c = new RemoteClient({ port: PORT, key: d.key, clientName: "atrium-interop-12" });
      const s = await c.connect();
      expect(s.tls.version).toBe("TLSv1.2");
      await controllerSequence(c, "dummy-prio12", dir);
      c.close();
      const wrong = d.key.slice();
      wrong[0] = wrong[0]! ^ 1;
      for (const v of ["TLSv1.3", "TLSv1.2"] as const) {
        const t0 = Date.now();
        const e = await new RemoteClient({ port: PORT, key: wrong, tlsVersions: [v], connectTimeoutMs: 5000 }).connect().catch((x: unknown) => x);
        expect(isAtriumError(e) && e.code.startsWith("TLS_")).toBe(true);
        expect((e as Error).message).toMatch(/key/);
        expect(Date.now() - t0).toBeLessThan(2000);
      }
      const t0 = Date.now();
      const e = await new RemoteClient({ port: PORT, key: wrong, connectTimeoutMs: 5000 }).connect().catch((x: unknown) => x);
      expect(isAtriumError(e) && ["TLS_BAD_KEY", "TLS_CLOSED", "TLS_ALERT"].includes(e.code)).toBe(true);
      expect((e as Error).message).toMatch(/key/);
      expect(Date.now() - t0).toBeLessThan(2000);
      // The daemon survived and still serves the right key.
      const again = new RemoteClient({ port: PORT, key: d.key });
      await again.connect();
      expect(await again.poke()).toBeGreaterThan(0);
      again.close();
    } finally {
      d.stop();
    }
  }, 60_000);

  it("with a wrong key over TLS 1.3 fails at once with TLS_BAD_KEY", async () => {
    const d = startRealRemoted(PORT, { KEY_BYTES: "4096" });
    try {
      const wrong = d.key.slice(0, 4095);
      const t0 = Date.now();
      const e = await new RemoteClient({ port: PORT, key: wrong, connectTimeoutMs: 5000 }).connect().catch((x: unknown) => x);
      // GnuTLS closes the connection on a binder mismatch (TLS_CLOSED), or alerts.
      expect(isAtriumError(e) && ["TLS_BAD_KEY", "TLS_CLOSED", "TLS_ALERT"].includes(e.code)).toBe(true);
      expect((e as Error).message).toMatch(/key/);
      expect((e as Error).message).not.toMatch(/[0-9a-f]{64}/);
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(existsSync(`/proc/${d.pid}`)).toBe(true);
    } finally {
      d.stop();
    }
  }, 60_000);
});
