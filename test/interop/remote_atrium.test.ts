/**
 * atrium's RemoteClient against atrium-remoted (the built daemon, real TLS-PSK, the real
 * executor and ocf:pacemaker:Dummy): the same controller sequence as against the real
 * pacemaker-remoted, with 32-, 512- and 4096-byte keys over TLS 1.3 and TLS 1.2.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { RemoteClient } from "../../core/remote/mod.ts";
import { isAtriumError } from "../../core/errors.ts";
import { type AtriumRemoted, buildAgent, controllerSequence, startAtriumRemoted } from "./remote_helpers.ts";

const DUMMY = "/usr/lib/ocf/resource.d/pacemaker/Dummy";
const why = existsSync(DUMMY) ? undefined : `${DUMMY} is absent`;
if (why) console.log(`skipping atrium-remoted interop: ${why}`);
const dir = mkdtempSync(join(tmpdir(), "atrium-interop2-"));
const PORT = 3900 + (process.pid % 500);
let bundle = "";

beforeAll(async () => {
  if (!why) bundle = await buildAgent("atrium-remoted");
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(why !== undefined)("RemoteClient against atrium-remoted", () => {
  for (const keyBytes of [32, 512, 4096]) {
    it(`runs the controller's sequence on ocf:pacemaker:Dummy with a ${keyBytes}-byte key over TLS 1.3 and 1.2`, async () => {
      const d: AtriumRemoted = await startAtriumRemoted(bundle, PORT, { keyBytes });
      try {
        for (const v of ["TLSv1.3", "TLSv1.2"] as const) {
          const c = new RemoteClient({ host: "127.0.0.1", port: PORT, key: d.key, clientName: `itest-${v}`, tlsVersions: [v] });
          const s = await c.connect();
          expect(s.tls.version).toBe(v);
          expect(s.protocolVersion).toBe("1.1");
          await controllerSequence(c, `adummy-${keyBytes}-${v === "TLSv1.3" ? 13 : 12}`, dir);
          c.close();
        }
        const wrong = d.key.slice();
        wrong[wrong.length - 1] = wrong[wrong.length - 1]! ^ 0x80;
        const e = await new RemoteClient({ host: "127.0.0.1", port: PORT, key: wrong, connectTimeoutMs: 3000 }).connect().catch((x: unknown) => x);
        expect(isAtriumError(e, "TLS_BAD_KEY") || isAtriumError(e, "TLS_ALERT") || isAtriumError(e, "TLS_CLOSED")).toBe(true);
        await d.waitLog(/TLS handshake failed/);
        expect(d.child.exitCode).toBeNull();
      } finally {
        await d.stop();
      }
      expect(d.log()).toMatch(/Read the authkey from ".*authkey" \(\d+ bytes\)/);
      expect(d.log()).toMatch(/Connection "itest-TLSv1.3" from 127\.0\.0\.1:\d+ closed after .*: peer closed the connection/);
    }, 60_000);
  }
});
