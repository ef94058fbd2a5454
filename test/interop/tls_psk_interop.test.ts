// TLS-PSK interop with the real GnuTLS and OpenSSL tools (Node only): Atrium's server against
// gnutls-cli and openssl s_client, Atrium's client against gnutls-serv and openssl s_server.
// Skips, with a printed reason, when the tools are missing. Peers listen on 127.0.0.1 only.
import { Buffer } from "node:buffer";
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tlsPskAccept, tlsPskConnect } from "../../core/tls-psk/mod.ts";
import type { TlsPskConnectOptions, TlsPskSocket } from "../../core/tls-psk/mod.ts";

function have(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  return r.error === undefined;
}

const hasGnutls = have("gnutls-cli", ["--version"]) && have("gnutls-serv", ["--version"]);
const hasOpenssl = have("openssl", ["version"]);
if (!hasGnutls) {
  console.log(
    "tls_psk_interop: skipping GnuTLS cases: gnutls-cli/gnutls-serv not found (apt-get install gnutls-bin)",
  );
}
if (!hasOpenssl) console.log("tls_psk_interop: skipping OpenSSL cases: openssl not found");

const children: ChildProcessWithoutNullStreams[] = [];
const dir = mkdtempSync(join(tmpdir(), "atrium-tls-psk-"));

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

function run(cmd: string, args: string[]): { child: ChildProcessWithoutNullStreams; out: () => string } {
  const child = spawn(cmd, args, { stdio: "pipe" });
  children.push(child);
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString("latin1")));
  child.stderr.on("data", (d: Buffer) => (out += d.toString("latin1")));
  child.stdin.on("error", () => {});
  return { child, out: () => out };
}

function stop(child: ChildProcessWithoutNullStreams): void {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Our server on a free port: accepts one connection, answers each chunk with "pong:" + chunk. */
async function ourServer(key: Uint8Array) {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as AddressInfo).port;
  const accepted = new Promise<TlsPskSocket>((resolve, reject) => {
    srv.once("connection", (tcp: Socket) => {
      tlsPskAccept(tcp, { key }).then((s) => {
        s.on("data", (d: Buffer) => s.write(Buffer.concat([Buffer.from("pong:"), d])));
        s.on("error", () => {});
        resolve(s);
      }, reject);
    });
  });
  return { port, accepted, close: () => srv.close() };
}

async function ourClient(port: number, opts: TlsPskConnectOptions): Promise<TlsPskSocket> {
  const tcp = connect(port, "127.0.0.1");
  tcp.on("error", () => {});
  const s = await tlsPskConnect(tcp, opts);
  s.on("error", () => {});
  return s;
}

function collect(s: TlsPskSocket): () => string {
  let got = "";
  s.on("data", (d: Buffer) => (got += d.toString("latin1")));
  return () => got;
}

const key32 = randomBytes(32);
const key4096 = randomBytes(4096);

describe.skipIf(!hasGnutls)("Atrium server against gnutls-cli", () => {
  const cases = [
    {
      name: "TLS 1.3 default priority, 32-byte key",
      key: key32,
      priority: "NORMAL:+PSK:+DHE-PSK",
      version: "TLSv1.3",
      cipher: "TLS_CHACHA20_POLY1305_SHA256",
      group: "secp256r1", // GnuTLS sends its secp256r1 share first, as pacemaker-remoted saw
    },
    {
      name: "TLS 1.3 psk_ke (no key share)",
      key: key32,
      priority: "NORMAL:-KX-ALL:+PSK:-GROUP-ALL",
      version: "TLSv1.3",
      cipher: "TLS_CHACHA20_POLY1305_SHA256",
      group: undefined,
    },
    {
      name: "TLS 1.3, 4096-byte key",
      key: key4096,
      priority: "NORMAL:+DHE-PSK:+PSK",
      version: "TLSv1.3",
      cipher: "TLS_CHACHA20_POLY1305_SHA256",
    },
    {
      name: "TLS 1.2 PSK/DHE-PSK, 4096-byte key",
      key: key4096,
      priority: "NORMAL:-VERS-TLS1.3:+PSK:+DHE-PSK",
      version: "TLSv1.2",
      cipher: "TLS_PSK_WITH_AES_256_GCM_SHA384",
    },
    {
      name: "TLS 1.2 without the extended master secret",
      key: key32,
      priority: "NORMAL:-VERS-TLS1.3:+PSK:%NO_SESSION_HASH",
      version: "TLSv1.2",
      cipher: "TLS_PSK_WITH_AES_256_GCM_SHA384",
    },
    {
      name: "TLS 1.3 AES-128-GCM",
      key: key32,
      priority: "NORMAL:-CHACHA20-POLY1305:-AES-256-GCM:+PSK",
      version: "TLSv1.3",
      cipher: "TLS_AES_128_GCM_SHA256",
    },
  ] as const;
  for (const c of cases) {
    it(`completes ${c.name} and exchanges data`, async () => {
      const srv = await ourServer(c.key);
      const cli = run("gnutls-cli", [
        "--pskusername",
        "CRM",
        "--pskkey",
        Buffer.from(c.key).toString("hex"),
        "--priority",
        c.priority,
        "-p",
        String(srv.port),
        "127.0.0.1",
      ]);
      try {
        const s = await srv.accepted;
        expect(s.info.version).toBe(c.version);
        expect(s.info.cipher).toBe(c.cipher);
        expect(s.info.identity).toBe("CRM");
        if ("group" in c) expect(s.info.group).toBe(c.group);
        const got = collect(s);
        cli.child.stdin.write("ping-from-gnutls\n");
        await waitFor(
          () => cli.out().includes("pong:ping-from-gnutls"),
          5000,
          "gnutls-cli to print the reply",
        );
        expect(got()).toBe("ping-from-gnutls\n");
      } finally {
        stop(cli.child);
        srv.close();
      }
    });
  }

  it("refuses gnutls-cli with a wrong key on both sides", async () => {
    const srv = await ourServer(key32);
    const cli = run("gnutls-cli", [
      "--pskusername",
      "CRM",
      "--pskkey",
      randomBytes(32).toString("hex"),
      "--priority",
      "NORMAL:+PSK:+DHE-PSK",
      "-p",
      String(srv.port),
      "127.0.0.1",
    ]);
    try {
      await expect(srv.accepted).rejects.toMatchObject({ code: "TLS_BAD_KEY" });
      await waitFor(
        () => /Error in handshake|decrypt/i.test(cli.out()),
        5000,
        "gnutls-cli to report the failure",
      );
    } finally {
      stop(cli.child);
      srv.close();
    }
  });
});

describe.skipIf(!hasOpenssl)("Atrium server against openssl s_client", () => {
  const cases = [
    { name: "TLS 1.3", args: [] as string[], version: "TLSv1.3", cipher: "TLS_CHACHA20_POLY1305_SHA256" },
    {
      name: "TLS 1.2 (-cipher PSK)",
      args: ["-tls1_2", "-cipher", "PSK"],
      version: "TLSv1.2",
      cipher: "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384",
    },
    {
      name: "TLS 1.2 plain PSK AES-128-GCM",
      args: ["-tls1_2", "-cipher", "PSK-AES128-GCM-SHA256"],
      version: "TLSv1.2",
      cipher: "TLS_PSK_WITH_AES_128_GCM_SHA256",
    },
  ] as const;
  for (const c of cases) {
    it(`completes ${c.name} with a 512-byte key and exchanges data`, async () => {
      const key = randomBytes(512);
      const srv = await ourServer(key);
      const cli = run("openssl", [
        "s_client",
        "-connect",
        `127.0.0.1:${srv.port}`,
        "-psk",
        key.toString("hex"),
        "-psk_identity",
        "CRM",
        ...c.args,
      ]);
      try {
        const s = await srv.accepted;
        expect(s.info.version).toBe(c.version);
        expect(s.info.cipher).toBe(c.cipher);
        const got = collect(s);
        cli.child.stdin.write("ping-from-openssl\n");
        await waitFor(
          () => cli.out().includes("pong:ping-from-openssl"),
          5000,
          "s_client to print the reply",
        );
        expect(got()).toBe("ping-from-openssl\n");
      } finally {
        stop(cli.child);
        srv.close();
      }
    });
  }
});

describe.skipIf(!hasOpenssl)("renegotiation", () => {
  it("refuses a TLS 1.2 renegotiation from s_client with no_renegotiation", async () => {
    const key = randomBytes(32);
    const srv = await ourServer(key);
    const cli = run("openssl", [
      "s_client",
      "-connect",
      `127.0.0.1:${srv.port}`,
      "-psk",
      key.toString("hex"),
      "-psk_identity",
      "CRM",
      "-tls1_2",
      "-cipher",
      "PSK",
    ]);
    try {
      const s = await srv.accepted;
      const failed = new Promise<Error & { code?: string }>((resolve) => s.on("error", resolve));
      cli.child.stdin.write("ping\n");
      await waitFor(() => cli.out().includes("pong:ping"), 5000, "s_client to print the reply");
      cli.child.stdin.write("R\n"); // s_client: renegotiate
      await waitFor(() => cli.out().includes("no renegotiation"), 5000, "s_client to see the refusal");
      expect((await failed).code).toBe("TLS_ALERT");
    } finally {
      stop(cli.child);
      srv.close();
    }
  });
});

/** gnutls-serv echoing on a free port with `key` for the identity CRM, once it listens. */
async function startGnutlsServ(file: string, key: Buffer) {
  const port = await freePort();
  const pskFile = join(dir, file);
  writeFileSync(pskFile, `CRM:${key.toString("hex")}\n`, { mode: 0o600 });
  const srv = run("gnutls-serv", ["-p", String(port), "--pskpasswd", pskFile, "--priority", "NORMAL:+PSK:+DHE-PSK", "--echo"]);
  try {
    await waitFor(() => /listening/i.test(srv.out()), 10_000, "gnutls-serv to listen");
  } catch (e) {
    stop(srv.child);
    throw e;
  }
  return { port, srv };
}

describe.skipIf(!hasGnutls)("Atrium client against gnutls-serv", () => {
  it("completes TLS 1.3 and TLS 1.2 (DHE-PSK and PSK) with a 4096-byte key", async () => {
    const { port, srv } = await startGnutlsServ("gnutls.psk", key4096);
    try {
      const variants = [
        {
          versions: ["TLSv1.3"],
          want: { version: "TLSv1.3", cipher: "TLS_CHACHA20_POLY1305_SHA256", group: "x25519" },
        },
        {
          versions: ["TLSv1.3"],
          groups: ["secp256r1"],
          ciphers: ["TLS_AES_128_GCM_SHA256"],
          want: { version: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256", group: "secp256r1" },
        },
        {
          versions: ["TLSv1.2"],
          want: { version: "TLSv1.2", cipher: "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384" },
        },
        {
          versions: ["TLSv1.2"],
          ciphers: ["TLS_PSK_WITH_AES_128_GCM_SHA256"],
          want: { version: "TLSv1.2", cipher: "TLS_PSK_WITH_AES_128_GCM_SHA256" },
        },
      ] as const;
      for (const v of variants) {
        const s = await ourClient(port, { identity: "CRM", key: key4096, ...v } as TlsPskConnectOptions);
        expect(s.info).toMatchObject(v.want);
        const got = collect(s);
        const msg = `hello ${v.want.cipher}\n`;
        s.write(msg);
        await waitFor(() => got() === msg, 5000, "the echo");
        s.end();
      }
    } finally {
      stop(srv.child);
    }
  });

  it("says TLS_BAD_KEY when gnutls-serv holds another key", async () => {
    const { port, srv } = await startGnutlsServ("gnutls-bad.psk", key32);
    try {
      for (const versions of [["TLSv1.3"], ["TLSv1.2"]] as const) {
        await expect(ourClient(port, { identity: "CRM", key: randomBytes(32), versions: [...versions] }))
          .rejects.toMatchObject({ code: "TLS_BAD_KEY" });
      }
    } finally {
      stop(srv.child);
    }
  });
});

describe.skipIf(!hasOpenssl)("Atrium client against openssl s_server", () => {
  const cases = [
    {
      name: "TLS 1.3",
      args: [] as string[],
      want: { version: "TLSv1.3", cipher: "TLS_CHACHA20_POLY1305_SHA256", group: "x25519" },
    },
    {
      name: "TLS 1.3 with a HelloRetryRequest for P-256",
      args: ["-groups", "P-256"],
      want: { version: "TLSv1.3", group: "secp256r1" },
    },
    {
      name: "TLS 1.2 DHE-PSK",
      args: ["-tls1_2", "-cipher", "PSK"],
      want: { version: "TLSv1.2", cipher: "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384" },
    },
    {
      name: "TLS 1.2 PSK",
      args: ["-tls1_2", "-cipher", "PSK-AES256-GCM-SHA384"],
      want: { version: "TLSv1.2", cipher: "TLS_PSK_WITH_AES_256_GCM_SHA384" },
    },
  ];
  for (const c of cases) {
    it(`completes ${c.name} and exchanges data both ways`, async () => {
      const port = await freePort();
      const key = randomBytes(64);
      const srv = run("openssl", [
        "s_server",
        "-accept",
        String(port),
        "-nocert",
        "-psk",
        key.toString("hex"),
        "-psk_identity",
        "CRM",
        ...c.args,
      ]);
      try {
        await waitFor(() => srv.out().includes("ACCEPT"), 10_000, "s_server to listen");
        const s = await ourClient(port, { identity: "CRM", key });
        expect(s.info).toMatchObject(c.want);
        const got = collect(s);
        s.write("from-atrium\n");
        await waitFor(() => srv.out().includes("from-atrium"), 5000, "s_server to print our data");
        srv.child.stdin.write("from-openssl\n");
        await waitFor(() => got().includes("from-openssl"), 5000, "our client to receive");
        s.end();
      } finally {
        stop(srv.child);
      }
    });
  }

  it("follows a KeyUpdate that requests an update in return", async () => {
    const port = await freePort();
    const key = randomBytes(32);
    const srv = run("openssl", [
      "s_server",
      "-accept",
      String(port),
      "-nocert",
      "-psk",
      key.toString("hex"),
      "-psk_identity",
      "CRM",
    ]);
    try {
      await waitFor(() => srv.out().includes("ACCEPT"), 10_000, "s_server to listen");
      const s = await ourClient(port, { identity: "CRM", key });
      const got = collect(s);
      s.write("before\n");
      await waitFor(() => srv.out().includes("before"), 5000, "s_server to print our data");
      srv.child.stdin.write("K\n"); // s_server: send KeyUpdate(update_requested)
      await new Promise((r) => setTimeout(r, 200));
      srv.child.stdin.write("after-update\n");
      await waitFor(() => got().includes("after-update"), 5000, "data under the server's new key");
      s.write("reply-after-update\n");
      await waitFor(() => srv.out().includes("reply-after-update"), 5000, "data under our new key");
      s.end();
    } finally {
      stop(srv.child);
    }
  });

  it("says TLS_BAD_KEY when s_server holds another key", async () => {
    for (const args of [[], ["-tls1_2", "-cipher", "PSK"]]) {
      const port = await freePort();
      const srv = run("openssl", [
        "s_server",
        "-accept",
        String(port),
        "-nocert",
        "-psk",
        key32.toString("hex"),
        "-psk_identity",
        "CRM",
        ...args,
      ]);
      try {
        await waitFor(() => srv.out().includes("ACCEPT"), 10_000, "s_server to listen");
        await expect(ourClient(port, { identity: "CRM", key: randomBytes(32) })).rejects.toMatchObject({
          code: "TLS_BAD_KEY",
        });
      } finally {
        stop(srv.child);
      }
    }
  });
});
