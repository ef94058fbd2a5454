// The same code over real loopback TCP (node:net), on Node and on Deno: the case the remote
// executor protocol runs in.
import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { connect, createServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { tlsPskAccept, tlsPskConnect } from "../../../core/tls-psk/mod.ts";
import type { TlsPskSocket, TlsVersion } from "../../../core/tls-psk/mod.ts";
import { readBytes } from "./_pair.ts";

describe("TLS-PSK over loopback TCP", () => {
  for (const version of ["TLSv1.3", "TLSv1.2"] as TlsVersion[]) {
    it(`moves 1 MiB each way over ${version} and closes cleanly`, async () => {
      const key = randomBytes(4096);
      const srv = createServer();
      await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
      const accepted = new Promise<TlsPskSocket>((resolve, reject) => {
        srv.once("connection", (tcp: Socket) => {
          tlsPskAccept(tcp, { key }).then(resolve, reject);
        });
      });
      const tcp = connect((srv.address() as AddressInfo).port, "127.0.0.1");
      const [c, s] = await Promise.all([
        tlsPskConnect(tcp, { identity: "lrmd", key, versions: [version] }),
        accepted,
      ]);
      try {
        expect(c.info.version).toBe(version);
        const up = randomBytes(1 << 20);
        const down = randomBytes(1 << 20);
        const gotUp = readBytes(s, up.length);
        const gotDown = readBytes(c, down.length);
        c.write(up);
        s.write(down);
        expect((await gotUp).equals(up)).toBe(true);
        expect((await gotDown).equals(down)).toBe(true);
        const closed = new Promise<void>((resolve) => s.once("end", () => resolve()));
        c.end();
        s.resume();
        await closed;
      } finally {
        c.destroy();
        s.destroy();
        srv.close();
      }
    });
  }

  it("reports a refused connection as TLS_CLOSED", async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const tcp = connect(port, "127.0.0.1");
    await expect(tlsPskConnect(tcp, { identity: "lrmd", key: Buffer.alloc(32, 1) })).rejects.toMatchObject({
      code: "TLS_CLOSED",
    });
  });
});
