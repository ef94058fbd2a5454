// Atrium's TLS-PSK against the real Pacemaker 2.1.5 peers (GnuTLS), with the upstream 4096-byte
// authkey: our client against the real pacemaker-remoted, in a network namespace of its own (the
// daemon's IPC names are per namespace; needs root, iproute2 and the daemon unpacked by
// ../shared/reference/run-real-remoted.sh setup), and the real liblrmd client (driven through
// python3 ctypes) against our server. Node only. Skips with a printed reason when a part is
// missing.
import { Buffer } from "node:buffer";
import { execFileSync, spawnSync } from "node:child_process";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import process from "node:process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tlsPskAccept, tlsPskConnect } from "../../core/tls-psk/mod.ts";
import type { TlsPskSocket, TlsVersion } from "../../core/tls-psk/mod.ts";

const SCRIPT = new URL("../../../shared/reference/run-real-remoted.sh", import.meta.url).pathname;
const BIN = "/opt/pcmk-remote/usr/sbin/pacemaker-remoted";

function skipReason(): string | undefined {
  if (!existsSync(SCRIPT)) return `${SCRIPT} is absent`;
  if (process.getuid?.() !== 0) return "not running as root";
  if (!existsSync(BIN)) return `${BIN} is absent (run run-real-remoted.sh setup)`;
  if (spawnSync("ip", ["-V"], { stdio: "ignore" }).error) return "ip (iproute2) not found";
  return undefined;
}

const reason = skipReason();
if (reason) console.log(`tls_psk_remoted: skipping: ${reason}`);

const tag = process.pid % 100000;
const NS = `atrium-tlspsk-${tag}`;
const VETH = `atpsk${tag}`;
const NET = `10.213.${(process.pid % 250) + 1}`;
const HOST_IP = `${NET}.1`;
const DAEMON_IP = `${NET}.2`;
let daemonPid = "";
let key: Buffer = Buffer.alloc(0);

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** A register request framed as pacemaker_remote does: 40-byte header, NUL-terminated XML. */
function registerMessage(): { header: Buffer; payload: Buffer } {
  return frame(
    '<lrmd_command t="lrmd" lrmd_op="register" lrmd_clientname="atrium-tls-psk-test" lrmd_protocol_version="1.1" ' +
      'lrmd_remote_msg_id="1" lrmd_remote_msg_type="request"/>',
  );
}

function frame(xml: string): { header: Buffer; payload: Buffer } {
  const payload = Buffer.from(xml + "\0");
  const header = Buffer.alloc(40);
  header.writeUInt32LE(0xbadadbbd, 0);
  header.writeUInt32LE(1, 4);
  header.writeBigUInt64LE(1n, 8);
  header.writeUInt32LE(40 + payload.length, 24);
  header.writeUInt32LE(40, 28);
  header.writeUInt32LE(payload.length, 36);
  return { header, payload };
}

function writeAndWait(s: TlsPskSocket, b: Buffer): Promise<void> {
  return new Promise((resolve, reject) => s.write(b, (e) => (e ? reject(e) : resolve())));
}

describe.skipIf(reason !== undefined)("Atrium client against the real pacemaker-remoted", () => {
  beforeAll(() => {
    ip("netns", "add", NS);
    ip("link", "add", `${VETH}a`, "type", "veth", "peer", "name", `${VETH}b`, "netns", NS);
    ip("addr", "add", `${HOST_IP}/30`, "dev", `${VETH}a`);
    ip("link", "set", `${VETH}a`, "up");
    ip("-n", NS, "addr", "add", `${DAEMON_IP}/30`, "dev", `${VETH}b`);
    ip("-n", NS, "link", "set", `${VETH}b`, "up");
    ip("-n", NS, "link", "set", "lo", "up");
    const out = execFileSync("ip", ["netns", "exec", NS, "bash", SCRIPT, "start", DAEMON_IP, "3121"], {
      env: { ...process.env, KEY_BYTES: "4096" },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 30_000,
    });
    const env = Object.fromEntries(out.trim().split("\n").map((l) => l.split("=", 2) as [string, string]));
    daemonPid = env.PID ?? "";
    key = readFileSync(env.KEYFILE!);
  }, 60_000);

  afterAll(() => {
    if (daemonPid) spawnSync("bash", [SCRIPT, "stop", daemonPid], { stdio: "ignore", timeout: 20_000 });
    spawnSync("ip", ["netns", "del", NS], { stdio: "ignore" });
    spawnSync("ip", ["link", "del", `${VETH}a`], { stdio: "ignore" });
  });

  for (const version of ["TLSv1.3", "TLSv1.2"] as TlsVersion[]) {
    it(`signs on over ${version} with the 4096-byte authkey, header and payload in their own records`, async () => {
      expect(key.length).toBe(4096);
      const tcp = connect(3121, DAEMON_IP);
      tcp.on("error", () => {});
      const s = await tlsPskConnect(tcp, { identity: "lrmd", key, versions: [version] });
      expect(s.info.version).toBe(version);
      expect(s.info.cipher).toBe(
        version === "TLSv1.3" ? "TLS_CHACHA20_POLY1305_SHA256" : "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384",
      );
      let got = Buffer.alloc(0);
      s.on("data", (d: Buffer) => (got = Buffer.concat([got, d])));
      const { header, payload } = registerMessage();
      await writeAndWait(s, header);
      await writeAndWait(s, payload);
      const t0 = Date.now();
      while (got.length < 40 || got.length < got.readUInt32LE(24)) {
        if (Date.now() - t0 > 5000) {
          throw new Error(`No reply from pacemaker-remoted (got ${got.length} bytes)`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      const reply = got.subarray(40, got.readUInt32LE(24)).toString("utf8");
      expect(reply).toContain('lrmd_op="register"');
      expect(reply).toContain('lrmd_rc="0"');
      s.end();
    });
  }

  it("says TLS_BAD_KEY when the daemon holds another key", async () => {
    for (const versions of [["TLSv1.3"], ["TLSv1.2"]] as TlsVersion[][]) {
      const tcp = connect(3121, DAEMON_IP);
      tcp.on("error", () => {});
      await expect(tlsPskConnect(tcp, { identity: "lrmd", key: Buffer.alloc(4096, 1), versions })).rejects
        .toMatchObject({
          code: "TLS_BAD_KEY",
        });
    }
  });
});

const LIBLRMD = [
  "/usr/lib/x86_64-linux-gnu/liblrmd.so.28",
  "/usr/lib/aarch64-linux-gnu/liblrmd.so.28",
  "/usr/lib64/liblrmd.so.28",
];

function clientSkipReason(): string | undefined {
  if (spawnSync("python3", ["--version"], { stdio: "ignore" }).error) return "python3 not found";
  if (!LIBLRMD.some((p) => existsSync(p))) return "liblrmd.so.28 not found (Debian package liblrmd28)";
  return undefined;
}

const clientReason = clientSkipReason();
if (clientReason) console.log(`tls_psk_remoted: skipping the liblrmd client cases: ${clientReason}`);

// lrmd_remote_api_new(node, server, port), then lrmd->cmds->connect(lrmd, name, &fd): TLS-PSK
// handshake plus the register sign-on, synchronous, with the key from PCMK_authkey_location.
const DRIVER = `
import ctypes, sys
lib = ctypes.CDLL("liblrmd.so.28")
lib.lrmd_remote_api_new.restype = ctypes.c_void_p
lib.lrmd_remote_api_new.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
CONNECT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int))
lrmd = lib.lrmd_remote_api_new(b"atrium-node", sys.argv[1].encode(), int(sys.argv[2]))
cmds = ctypes.cast(lrmd, ctypes.POINTER(ctypes.c_void_p))[0]
connect = CONNECT(ctypes.cast(cmds, ctypes.POINTER(ctypes.c_void_p))[0])
fd = ctypes.c_int(-1)
print("RC=%d" % connect(lrmd, b"atrium-tls-psk-test", ctypes.byref(fd)), flush=True)
`;

/** Run the real client against 127.0.0.1:port with the key in keyFile; resolves with its rc. */
function runRealClient(dir: string, port: number, keyFile: string): Promise<number> {
  const script = join(dir, "lrmd_client.py");
  writeFileSync(script, DRIVER);
  return new Promise((resolve, reject) => {
    const child = spawn("python3", [script, "127.0.0.1", String(port)], {
      env: { ...process.env, PCMK_authkey_location: keyFile, PCMK_logfacility: "none" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      const m = /RC=(-?\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`liblrmd driver printed no result: ${JSON.stringify(out)}`));
    });
  });
}

describe.skipIf(clientReason !== undefined)("the real liblrmd client against Atrium's server", () => {
  const dir = mkdtempSync(join(tmpdir(), "atrium-lrmd-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function serve(key: Uint8Array, versions?: TlsVersion[]) {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const result = new Promise<TlsPskSocket>((resolve, reject) => {
      srv.once("connection", (tcp: Socket) => {
        tcp.on("error", () => {});
        tlsPskAccept(tcp, { key, ...(versions ? { versions } : {}) }).then((s) => {
          s.on("error", () => {});
          let buf = Buffer.alloc(0);
          s.on("data", (d: Buffer) => {
            buf = Buffer.concat([buf, d]);
            if (buf.length < 40 || buf.length < buf.readUInt32LE(24)) return;
            const request = buf.subarray(40, buf.readUInt32LE(24)).toString();
            const id = /lrmd_remote_msg_id="(\d+)"/.exec(request)?.[1] ?? "1";
            const { header, payload } = frame(
              '<lrmd_reply lrmd_origin="process_lrmd_signon" lrmd_rc="0" lrmd_callid="1" lrmd_op="register" ' +
                'lrmd_clientid="8e1f3c1a-0000-4000-8000-000000000001" lrmd_protocol_version="1.1" ' +
                `lrmd_remote_msg_id="${id}" lrmd_remote_msg_type="reply"/>`,
            );
            s.write(header, () => s.write(payload));
          });
          resolve(s);
        }, reject);
      });
    });
    result.catch(() => {});
    return { port: (srv.address() as AddressInfo).port, result, close: () => srv.close() };
  }

  for (const versions of [undefined, ["TLSv1.2"]] as (TlsVersion[] | undefined)[]) {
    it(`signs on over ${versions ? "TLS 1.2" : "TLS 1.3"} with the 4096-byte authkey`, async () => {
      const key = randomBytes(4096);
      const keyFile = join(dir, "authkey");
      writeFileSync(keyFile, key, { mode: 0o600 });
      const srv = await serve(key, versions);
      try {
        const rc = await runRealClient(dir, srv.port, keyFile);
        const s = await srv.result;
        expect(s.info.identity).toBe("lrmd");
        expect(s.info.version).toBe(versions ? "TLSv1.2" : "TLSv1.3");
        if (!versions) expect(s.info.cipher).toBe("TLS_CHACHA20_POLY1305_SHA256");
        expect(rc).toBe(0);
      } finally {
        srv.close();
      }
    }, 30_000);
  }

  it("is refused with TLS_BAD_KEY when it holds another key", async () => {
    const keyFile = join(dir, "other-authkey");
    writeFileSync(keyFile, randomBytes(4096), { mode: 0o600 });
    const srv = await serve(randomBytes(4096));
    try {
      const rc = await runRealClient(dir, srv.port, keyFile);
      await expect(srv.result).rejects.toMatchObject({ code: "TLS_BAD_KEY" });
      expect(rc).toBeLessThan(0);
    } finally {
      srv.close();
    }
  }, 30_000);
});
