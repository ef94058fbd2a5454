/**
 * The client handshake: TLS 1.3 external PSK with (EC)DHE (RFC 8446), TLS 1.2 PSK and DHE-PSK
 * (RFC 4279, 5487, 7627), one ClientHello offering both.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { concat, equalBytes, Reader, u16, vec16, vec8 } from "./_bytes.ts";
import {
  DOWNGRADE_TLS12,
  EXT,
  FFDHE2048_P,
  GROUP_BY_CODE,
  GROUP_CODE,
  HRR_RANDOM,
  HS,
  SUITE_BY_CODE,
} from "./_constants.ts";
import type { SuiteInfo } from "./_constants.ts";
import { ffdhShare, hash, newKeyShare } from "./_crypto.ts";
import type { KeyShare } from "./_crypto.ts";
import type { Engine, Role } from "./_engine.ts";
import { protocolFailure, unexpectedMessage } from "./_failure.ts";
import {
  encodeU16List,
  ext,
  handshakeMessage,
  messageHash,
  parseExtensions,
  parseServerHello,
  verifyPeerFinished,
} from "./_messages.ts";
import type { HandshakeMessage, ServerHello } from "./_messages.ts";
import type { Config } from "./_options.ts";
import { Tls13Protection } from "./_record.ts";
import { finished12, keys12, master12, premaster12, Schedule13 } from "./_schedule.ts";
import type { TlsPskInfo } from "./types.ts";

/** Signature algorithms offered for compatibility (never used: no certificates). */
const SIG_ALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501];

/** The client side of one handshake. */
export class ClientRole implements Role {
  private readonly host: Engine;
  private readonly cfg: Config;
  private readonly psk: Uint8Array;
  private readonly random = randomBytes(32);
  private readonly sessionId: Buffer;
  private readonly offer13: boolean;
  private readonly offer12: boolean;
  private share: KeyShare | undefined;
  private transcript: Uint8Array[] = [];
  private state = "wait_sh";
  private hrr = false;
  private ccsSent = false;
  private suite: SuiteInfo | undefined;
  private ks: Schedule13 | undefined;
  private hsSecrets: { client: Buffer; server: Buffer } | undefined;
  private group: TlsPskInfo["group"];
  // TLS 1.2
  private serverRandom: Uint8Array = Buffer.alloc(0);
  private ems = false;
  private dh: { p: Uint8Array; g: Uint8Array; ys: Uint8Array } | undefined;
  private master: Buffer | undefined;

  constructor(host: Engine, cfg: Config) {
    this.host = host;
    this.cfg = cfg;
    this.psk = cfg.key!;
    this.offer13 = cfg.versions.includes("TLSv1.3");
    this.offer12 = cfg.versions.includes("TLSv1.2");
    this.sessionId = this.offer13 ? randomBytes(32) : Buffer.alloc(0);
  }

  start(): void {
    if (this.offer13) this.share = newKeyShare(this.cfg.groups[0]!);
    const ch = this.clientHello(undefined);
    this.host.setPlainRecordVersion(0x0301);
    this.host.sendHandshake(ch);
    this.host.setPlainRecordVersion(0x0303);
    this.host.keyVerdictPending = this.offer13;
  }

  /** Build a ClientHello (with its binder computed over `prefix` + the truncated hello). */
  private clientHello(cookie: Uint8Array | undefined): HandshakeMessage {
    const suites = this.cfg.suites.map((s) => s.code);
    const exts: Uint8Array[] = [];
    if (this.offer12) {
      exts.push(ext(EXT.renegotiationInfo, vec8()));
      exts.push(ext(EXT.extendedMasterSecret, Buffer.alloc(0)));
    }
    exts.push(ext(EXT.supportedGroups, encodeU16List(this.cfg.groups.map((g) => GROUP_CODE[g]), 2)));
    exts.push(ext(EXT.signatureAlgorithms, encodeU16List(SIG_ALGS, 2)));
    let binderLen = 0;
    if (this.offer13) {
      const versions = this.cfg.versions.map((v) => (v === "TLSv1.3" ? 0x0304 : 0x0303));
      exts.push(ext(EXT.supportedVersions, encodeU16List(versions, 1)));
      exts.push(ext(EXT.pskKeyExchangeModes, vec8(Uint8Array.of(1))));
      const sh = this.share!;
      exts.push(ext(EXT.keyShare, vec16(u16(GROUP_CODE[sh.group]), vec16(sh.publicKey))));
      if (cookie) exts.push(ext(EXT.cookie, vec16(cookie)));
      const identities = vec16(vec16(this.cfg.identity!), Buffer.alloc(4));
      const binders = vec16(vec8(Buffer.alloc(32)));
      binderLen = binders.length;
      exts.push(ext(EXT.preSharedKey, concat([identities, binders])));
    }
    const body = concat([
      u16(0x0303),
      this.random,
      vec8(this.sessionId),
      encodeU16List(suites, 2),
      vec8(Uint8Array.of(0)),
      vec16(...exts),
    ]);
    const m = handshakeMessage(HS.clientHello, body);
    if (this.offer13) {
      this.ks ??= new Schedule13("sha256", this.psk);
      const truncated = m.raw.subarray(0, m.raw.length - binderLen);
      const binder = this.ks.verifyData(this.ks.binderKey(), hash("sha256", [...this.transcript, truncated]));
      (m.raw as Buffer).set(binder, m.raw.length - 32);
    }
    this.transcript.push(m.raw);
    return m;
  }

  onMessage(m: HandshakeMessage): void {
    switch (this.state) {
      case "wait_sh":
        if (m.type !== HS.serverHello) break;
        return this.onServerHello(m);
      case "wait_ee":
        if (m.type !== HS.encryptedExtensions) break;
        parseExtensions(new Reader(m.body, "EncryptedExtensions"), "EncryptedExtensions");
        this.transcript.push(m.raw);
        this.state = "wait_fin13";
        return;
      case "wait_fin13":
        if (m.type !== HS.finished) break;
        return this.onFinished13(m);
      case "wait_ske":
        if (m.type === HS.serverKeyExchange) return this.onServerKeyExchange(m);
        if (m.type === HS.serverHelloDone) return this.onServerHelloDone(m);
        break;
      case "wait_shd":
        if (m.type !== HS.serverHelloDone) break;
        return this.onServerHelloDone(m);
      case "wait_fin12":
        if (m.type !== HS.finished) break;
        return this.onFinished12(m);
    }
    throw unexpectedMessage(m.type, this.state);
  }

  private onServerHello(m: HandshakeMessage): void {
    this.host.keyVerdictPending = false;
    const sh = parseServerHello(m.body);
    const sv = sh.ext.map.get(EXT.supportedVersions);
    const isHrr = equalBytes(sh.random, HRR_RANDOM);
    if (sv !== undefined || isHrr) {
      if (sv === undefined || sv.length !== 2 || ((sv[0]! << 8) | sv[1]!) !== 0x0304 || !this.offer13) {
        throw protocolFailure(
          sv === undefined ? "missing_extension" : "illegal_parameter",
          "Cannot accept ServerHello: unsupported version selected",
        );
      }
      if (!equalBytes(sh.sessionId, this.sessionId)) {
        throw protocolFailure("illegal_parameter", "Cannot accept ServerHello: session id not echoed");
      }
      const suite = SUITE_BY_CODE.get(sh.suite);
      if (
        !suite || suite.version !== "TLSv1.3" || !this.cfg.suites.includes(suite) ||
        (this.suite && this.suite !== suite)
      ) {
        throw protocolFailure(
          "illegal_parameter",
          `Cannot accept ServerHello: cipher suite 0x${sh.suite.toString(16)} was not offered`,
        );
      }
      this.suite = suite;
      this.host.tls13 = true;
      if (isHrr) return this.onHelloRetry(m, sh);
      return this.onServerHello13(m, sh);
    }
    if (!this.offer12 || sh.legacyVersion !== 0x0303) {
      throw protocolFailure(
        "protocol_version",
        `Cannot accept ServerHello: version 0x${sh.legacyVersion.toString(16)} is not enabled`,
      );
    }
    if (this.offer13 && equalBytes(sh.random.subarray(24), DOWNGRADE_TLS12)) {
      throw protocolFailure(
        "illegal_parameter",
        "Cannot accept ServerHello: TLS 1.2 chosen by a TLS 1.3 server (downgrade)",
      );
    }
    const suite = SUITE_BY_CODE.get(sh.suite);
    if (!suite || suite.version !== "TLSv1.2" || !this.cfg.suites.includes(suite)) {
      throw protocolFailure(
        "illegal_parameter",
        `Cannot accept ServerHello: cipher suite 0x${sh.suite.toString(16)} was not offered`,
      );
    }
    const reneg = sh.ext.map.get(EXT.renegotiationInfo);
    if (reneg !== undefined && (reneg.length !== 1 || reneg[0] !== 0)) {
      throw protocolFailure("handshake_failure", "Cannot accept ServerHello: non-empty renegotiation_info");
    }
    this.suite = suite;
    this.ems = sh.ext.map.has(EXT.extendedMasterSecret);
    this.serverRandom = sh.random;
    this.transcript.push(m.raw);
    this.state = "wait_ske";
  }

  private onHelloRetry(m: HandshakeMessage, sh: ServerHello): void {
    if (this.hrr) throw protocolFailure("unexpected_message", "Cannot accept a second HelloRetryRequest");
    this.hrr = true;
    const ksData = sh.ext.map.get(EXT.keyShare);
    const cookie = sh.ext.map.get(EXT.cookie);
    let group = this.share!.group;
    if (ksData !== undefined) {
      const r = new Reader(ksData, "HelloRetryRequest key_share");
      const g = GROUP_BY_CODE.get(r.u16());
      r.done();
      if (!g || !this.cfg.groups.includes(g) || g === this.share!.group) {
        throw protocolFailure(
          "illegal_parameter",
          "Cannot accept HelloRetryRequest: it asks for a group that was not offered",
        );
      }
      group = g;
    } else if (cookie === undefined) {
      throw protocolFailure("illegal_parameter", "Cannot accept HelloRetryRequest: it changes nothing");
    }
    const ch1 = this.transcript[0]!;
    this.transcript = [messageHash(hash("sha256", [ch1])), m.raw];
    this.share = group === this.share!.group ? this.share : newKeyShare(group);
    this.host.sendCcs();
    this.ccsSent = true;
    const cookieValue = cookie === undefined ? undefined : new Reader(cookie, "cookie").vec16();
    this.host.sendHandshake(this.clientHello(cookieValue));
    this.host.keyVerdictPending = true;
  }

  private onServerHello13(m: HandshakeMessage, sh: ServerHello): void {
    const pskExt = sh.ext.map.get(EXT.preSharedKey);
    if (pskExt === undefined) {
      throw protocolFailure(
        "missing_extension",
        "Cannot accept ServerHello: the server did not accept the pre-shared key",
      );
    }
    const pr = new Reader(pskExt, "pre_shared_key");
    const selected = pr.u16();
    pr.done();
    if (selected !== 0) {
      throw protocolFailure("illegal_parameter", "Cannot accept ServerHello: unknown PSK identity selected");
    }
    const ksData = sh.ext.map.get(EXT.keyShare);
    if (ksData === undefined) {
      throw protocolFailure("missing_extension", "Cannot accept ServerHello: no key_share (psk_ke was not offered)");
    }
    const r = new Reader(ksData, "ServerHello key_share");
    const g = GROUP_BY_CODE.get(r.u16());
    const pub = r.vec16();
    r.done();
    if (g !== this.share!.group) {
      throw protocolFailure("illegal_parameter", "Cannot accept ServerHello: key share for a group not offered");
    }
    this.group = g;
    const dhe = this.share!.compute(pub);
    this.transcript.push(m.raw);
    const ks = this.ks!;
    ks.setDhe(dhe);
    this.hsSecrets = ks.handshakeSecrets(hash("sha256", this.transcript));
    this.host.setRead(new Tls13Protection(this.suite!, this.hsSecrets.server));
    this.state = "wait_ee";
  }

  private onFinished13(m: HandshakeMessage): void {
    const ks = this.ks!;
    const hs = this.hsSecrets!;
    verifyPeerFinished(m.body, 32, ks.verifyData(hs.server, hash("sha256", this.transcript)), "server");
    this.transcript.push(m.raw);
    const th = hash("sha256", this.transcript);
    const app = ks.appSecrets(th);
    if (!this.ccsSent) this.host.sendCcs();
    this.host.setWrite(new Tls13Protection(this.suite!, hs.client));
    this.host.sendHandshake(handshakeMessage(HS.finished, ks.verifyData(hs.client, th)));
    this.host.setWrite(new Tls13Protection(this.suite!, app.client));
    this.host.setRead(new Tls13Protection(this.suite!, app.server));
    this.state = "done";
    const info: TlsPskInfo = {
      version: "TLSv1.3",
      cipher: this.suite!.name,
      identity: this.cfg.identity!.toString("utf8"),
    };
    this.host.complete(this.group ? { ...info, group: this.group } : info);
  }

  private onServerKeyExchange(m: HandshakeMessage): void {
    const r = new Reader(m.body, "ServerKeyExchange");
    r.vec16(); // identity hint: unused (Pacemaker sends none)
    if (this.suite!.dhe) {
      const p = r.vec16();
      const g = r.vec16();
      const ys = r.vec16();
      if (p.length < 128 || p.length > 1024 || g.length === 0 || ys.length === 0 || (p[0] === 0)) {
        throw protocolFailure(
          "illegal_parameter",
          `Cannot accept DH parameters: prime of ${p.length * 8} bits is outside 1024 to 8192`,
        );
      }
      this.dh = { p, g, ys };
    }
    r.done();
    this.transcript.push(m.raw);
    this.state = "wait_shd";
  }

  private onServerHelloDone(m: HandshakeMessage): void {
    if (m.body.length !== 0) {
      throw protocolFailure("decode_error", "Cannot parse ServerHelloDone: body is not empty");
    }
    const suite = this.suite!;
    if (suite.dhe && !this.dh) {
      throw protocolFailure(
        "unexpected_message",
        "Cannot continue the TLS 1.2 handshake: DHE-PSK without ServerKeyExchange",
      );
    }
    this.transcript.push(m.raw);
    let dhSecret: Buffer | undefined;
    let cke: Buffer;
    if (this.dh) {
      const mine = ffdhShare(this.dh.p, this.dh.g, false);
      dhSecret = mine.compute(this.dh.ys);
      cke = concat([vec16(this.cfg.identity!), vec16(mine.publicKey)]);
    } else {
      cke = vec16(this.cfg.identity!);
    }
    const ckeMsg = handshakeMessage(HS.clientKeyExchange, cke);
    this.transcript.push(ckeMsg.raw);
    const pms = premaster12(this.psk, dhSecret);
    const sessionHash = this.ems ? hash(suite.hash, this.transcript) : undefined;
    const master = master12(suite.hash, pms, sessionHash, this.random, this.serverRandom);
    this.master = master;
    const keys = keys12(suite, master, this.random, this.serverRandom);
    this.host.sendHandshake(ckeMsg);
    this.host.sendCcs();
    this.host.setWrite(keys.client);
    const fin = handshakeMessage(
      HS.finished,
      finished12(suite.hash, master, "client finished", hash(suite.hash, this.transcript)),
    );
    this.host.sendHandshake(fin);
    this.transcript.push(fin.raw);
    this.host.setPendingRead(keys.server);
    this.host.keyVerdictPending = true;
    this.state = "wait_fin12";
  }

  private onFinished12(m: HandshakeMessage): void {
    if (!this.host.readEncrypted) {
      throw protocolFailure("unexpected_message", "Cannot accept Finished before ChangeCipherSpec");
    }
    const suite = this.suite!;
    const expected = finished12(suite.hash, this.master!, "server finished", hash(suite.hash, this.transcript));
    verifyPeerFinished(m.body, 12, expected, "server");
    this.host.keyVerdictPending = false;
    this.state = "done";
    const info: TlsPskInfo = {
      version: "TLSv1.2",
      cipher: suite.name,
      identity: this.cfg.identity!.toString("utf8"),
    };
    const std = this.dh !== undefined && equalBytes(this.dh.p, FFDHE2048_P);
    this.host.complete(std ? { ...info, group: "ffdhe2048" } : info);
  }
}
