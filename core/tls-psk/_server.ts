/**
 * The server handshake: TLS 1.3 external PSK (psk_dhe_ke, or psk_ke when that is all the client
 * offers) with HelloRetryRequest, and TLS 1.2 PSK / DHE-PSK. Follows the client's preference
 * order for suites and groups, as GnuTLS NORMAL does.
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
import { protocolFailure, TlsFailure, unexpectedMessage } from "./_failure.ts";
import {
  ext,
  handshakeMessage,
  messageHash,
  parseClientHello,
  parseClientShares,
  parseOfferedPsks,
  serverHello,
  u16List,
  verifyPeerFinished,
} from "./_messages.ts";
import type { ClientHello, HandshakeMessage } from "./_messages.ts";
import type { Config } from "./_options.ts";
import { Tls13Protection } from "./_record.ts";
import type { Tls12Protection } from "./_record.ts";
import { finished12, keys12, master12, premaster12, Schedule13 } from "./_schedule.ts";
import type { TlsGroup, TlsPskInfo } from "./types.ts";

const decoder = new TextDecoder();

/** Bytes of refused 0-RTT data a client may send before its Finished. */
const EARLY_DATA_BUDGET = 1 << 17;

function badKey(alert: string, message: string): TlsFailure {
  return new TlsFailure("TLS_BAD_KEY", alert, message);
}

/** A key share the client offered in a group this server takes. */
interface KeyShareOffer {
  readonly group: TlsGroup;
  readonly key: Uint8Array;
}

/** The server side of one handshake. */
export class ServerRole implements Role {
  private readonly host: Engine;
  private readonly cfg: Config;
  private readonly random = randomBytes(32);
  private state = "wait_ch";
  private transcript: Uint8Array[] = [];
  private suite: SuiteInfo | undefined;
  private hrrGroup: TlsGroup | undefined;
  private identity = "";
  private group: TlsGroup | undefined;
  private ks: Schedule13 | undefined;
  private clientFinished: Buffer | undefined;
  private appClient: Buffer | undefined;
  // TLS 1.2
  private clientRandom: Uint8Array = Buffer.alloc(0);
  private ems = false;
  private dh: KeyShare | undefined;
  private master: Buffer | undefined;
  private pendingWrite: Tls12Protection | undefined;

  constructor(host: Engine, cfg: Config) {
    this.host = host;
    this.cfg = cfg;
  }

  start(): void {
    // the client speaks first
  }

  onMessage(m: HandshakeMessage): void {
    switch (this.state) {
      case "wait_ch":
      case "wait_ch2":
        if (m.type !== HS.clientHello) break;
        return this.onClientHello(m);
      case "wait_fin13":
        if (m.type !== HS.finished) break;
        return this.onFinished13(m);
      case "wait_cke":
        if (m.type !== HS.clientKeyExchange) break;
        return this.onClientKeyExchange(m);
      case "wait_fin12":
        if (m.type !== HS.finished) break;
        return this.onFinished12(m);
    }
    throw unexpectedMessage(m.type, this.state);
  }

  private lookup(identity: Uint8Array): Uint8Array | undefined {
    const name = decoder.decode(identity);
    let key: Uint8Array | undefined;
    try {
      key = this.cfg.lookup!(name);
    } catch (e) {
      throw protocolFailure(
        "internal_error",
        `Cannot look up the key of PSK identity ${JSON.stringify(name.slice(0, 80))}: ${
          e instanceof Error ? e.message : String(e)
        }`,
      );
    }
    if (key !== undefined && (!(key instanceof Uint8Array) || key.length === 0 || key.length > 65535)) {
      throw protocolFailure(
        "internal_error",
        `Cannot use the key of PSK identity ${JSON.stringify(name.slice(0, 80))}: expected 1 to 65535 bytes`,
      );
    }
    if (key !== undefined) this.identity = name;
    return key;
  }

  private onClientHello(m: HandshakeMessage): void {
    const ch = parseClientHello(m.body);
    const sv = ch.ext.map.get(EXT.supportedVersions);
    let version: "TLSv1.3" | "TLSv1.2" | undefined;
    if (sv !== undefined) {
      const offered = u16List(sv, 1, "supported_versions");
      version = this.cfg.versions.find((v) => offered.includes(v === "TLSv1.3" ? 0x0304 : 0x0303));
    } else if (ch.legacyVersion >= 0x0303 && this.cfg.versions.includes("TLSv1.2")) {
      version = "TLSv1.2";
    }
    if (this.state === "wait_ch2" && version !== "TLSv1.3") {
      throw protocolFailure("illegal_parameter", "Cannot accept the second ClientHello: version changed");
    }
    if (version === undefined) {
      throw protocolFailure("protocol_version", "Cannot accept ClientHello: no common TLS version");
    }
    if (version === "TLSv1.3") return this.onClientHello13(m, ch);
    return this.onClientHello12(m, ch);
  }

  private pickSuite(ch: ClientHello, version: "TLSv1.3" | "TLSv1.2"): SuiteInfo {
    for (const code of ch.suites) {
      const s = SUITE_BY_CODE.get(code);
      if (s && s.version === version && this.cfg.suites.includes(s)) return s;
    }
    throw protocolFailure("handshake_failure", `Cannot accept ClientHello: no common ${version} PSK cipher suite`);
  }

  private onClientHello13(m: HandshakeMessage, ch: ClientHello): void {
    const suite = this.pickSuite(ch, "TLSv1.3");
    if (this.suite && suite !== this.suite) {
      throw protocolFailure("illegal_parameter", "Cannot accept the second ClientHello: cipher suite changed");
    }
    const pskData = ch.ext.map.get(EXT.preSharedKey);
    const modesData = ch.ext.map.get(EXT.pskKeyExchangeModes);
    if (pskData === undefined || modesData === undefined) {
      throw protocolFailure("missing_extension", "Cannot accept ClientHello: the client offered no pre-shared key");
    }
    const modes = new Reader(modesData, "psk_key_exchange_modes").vec8();
    if (!modes.includes(1) && !modes.includes(0)) {
      throw protocolFailure("handshake_failure", "Cannot accept ClientHello: no known PSK key exchange mode");
    }
    let share: KeyShareOffer | undefined;
    if (modes.includes(1)) {
      const picked = this.pickShare(ch);
      if (!("key" in picked)) return this.helloRetry(m, ch, suite, picked.retry);
      share = picked;
    }
    if (this.state !== "wait_ch2") this.transcript = [];
    this.suite = suite;
    const { ks, index } = this.acceptPsk(m, pskData);
    this.transcript.push(m.raw);
    this.host.tls13 = true;
    this.host.skipEarlyData = ch.ext.map.has(EXT.earlyData) ? EARLY_DATA_BUDGET : 0;
    const exts: Uint8Array[] = [ext(EXT.supportedVersions, u16(0x0304))];
    let dhe: Buffer | undefined;
    if (share) {
      const mine = newKeyShare(share.group);
      dhe = mine.compute(share.key);
      this.group = share.group;
      exts.push(ext(EXT.keyShare, concat([u16(GROUP_CODE[share.group]), vec16(mine.publicKey)])));
    }
    exts.push(ext(EXT.preSharedKey, u16(index)));
    const sh = serverHello(this.random, ch.sessionId, suite.code, exts);
    this.host.sendHandshake(sh);
    this.transcript.push(sh.raw);
    if (ch.sessionId.length > 0 && !this.hrrGroup) this.host.sendCcs();
    ks.setDhe(dhe);
    const hs = ks.handshakeSecrets(hash("sha256", this.transcript));
    this.host.setWrite(new Tls13Protection(suite, hs.server));
    this.host.setRead(new Tls13Protection(suite, hs.client));
    const ee = handshakeMessage(HS.encryptedExtensions, vec16());
    this.host.sendHandshake(ee);
    this.transcript.push(ee.raw);
    const fin = handshakeMessage(HS.finished, ks.verifyData(hs.server, hash("sha256", this.transcript)));
    this.host.sendHandshake(fin);
    this.transcript.push(fin.raw);
    const th = hash("sha256", this.transcript);
    this.clientFinished = ks.verifyData(hs.client, th);
    const app = ks.appSecrets(th);
    this.host.setWrite(new Tls13Protection(suite, app.server));
    this.appClient = app.client;
    this.state = "wait_fin13";
  }

  /**
   * The client's key share to use (psk_dhe_ke), or the group to ask for in a HelloRetryRequest
   * when it offered none this server takes.
   */
  private pickShare(ch: ClientHello): KeyShareOffer | { retry: TlsGroup } {
    const sgData = ch.ext.map.get(EXT.supportedGroups);
    const ksData = ch.ext.map.get(EXT.keyShare);
    if (sgData === undefined || ksData === undefined) {
      throw protocolFailure(
        "missing_extension",
        "Cannot accept ClientHello: psk_dhe_ke without supported_groups and key_share",
      );
    }
    const supported = u16List(sgData, 2, "supported_groups");
    const shares = parseClientShares(ksData);
    let share: KeyShareOffer | undefined;
    for (const s of shares) {
      const g = GROUP_BY_CODE.get(s.group);
      if (!supported.includes(s.group)) {
        throw protocolFailure("illegal_parameter", "Cannot accept key_share: group not in supported_groups");
      }
      if (g && this.cfg.groups.includes(g) && !share) share = { group: g, key: s.key };
    }
    if (this.hrrGroup && (shares.length !== 1 || share?.group !== this.hrrGroup)) {
      throw protocolFailure(
        "illegal_parameter",
        "Cannot accept the second ClientHello: key share does not match the HelloRetryRequest",
      );
    }
    if (share) return share;
    const g = supported.map((c) => GROUP_BY_CODE.get(c)).find((x): x is TlsGroup =>
      x !== undefined && this.cfg.groups.includes(x)
    );
    if (!g || this.state === "wait_ch2") {
      throw protocolFailure("handshake_failure", "Cannot accept ClientHello: no common key exchange group");
    }
    return { retry: g };
  }

  /**
   * The first offered PSK identity this server knows, checked against its binder: the key
   * schedule it starts (also kept as `this.ks`) and the identity's index.
   */
  private acceptPsk(m: HandshakeMessage, pskData: Uint8Array): { ks: Schedule13; index: number } {
    const { psks, bindersLen } = parseOfferedPsks(pskData);
    let index = -1;
    let key: Uint8Array | undefined;
    for (let i = 0; i < psks.length && key === undefined; i++) {
      key = this.lookup(psks[i]!.identity);
      if (key !== undefined) index = i;
    }
    if (key === undefined) {
      throw badKey("unknown_psk_identity", "Cannot complete the TLS handshake: unknown PSK identity");
    }
    const ks = new Schedule13("sha256", key);
    this.ks = ks;
    const truncated = m.raw.subarray(0, m.raw.length - bindersLen);
    const expected = ks.verifyData(ks.binderKey(), hash("sha256", [...this.transcript, truncated]));
    if (!equalBytes(expected, psks[index]!.binder)) {
      throw badKey(
        "decrypt_error",
        "Cannot complete the TLS handshake: the client's PSK binder does not verify (the peers hold different keys)",
      );
    }
    return { ks, index };
  }

  private helloRetry(m: HandshakeMessage, ch: ClientHello, suite: SuiteInfo, group: TlsGroup): void {
    this.suite = suite;
    this.hrrGroup = group;
    const hrr = serverHello(HRR_RANDOM, ch.sessionId, suite.code, [
      ext(EXT.supportedVersions, u16(0x0304)),
      ext(EXT.keyShare, u16(GROUP_CODE[group])),
    ]);
    this.transcript = [messageHash(hash("sha256", [m.raw])), hrr.raw];
    this.host.tls13 = true;
    this.host.skipEarlyData = ch.ext.map.has(EXT.earlyData) ? EARLY_DATA_BUDGET : 0;
    this.host.sendHandshake(hrr);
    if (ch.sessionId.length > 0) this.host.sendCcs();
    this.state = "wait_ch2";
  }

  private onFinished13(m: HandshakeMessage): void {
    verifyPeerFinished(m.body, 32, this.clientFinished!, "client");
    this.host.setRead(new Tls13Protection(this.suite!, this.appClient!));
    this.state = "done";
    const info: TlsPskInfo = { version: "TLSv1.3", cipher: this.suite!.name, identity: this.identity };
    this.host.complete(this.group ? { ...info, group: this.group } : info);
  }

  private onClientHello12(m: HandshakeMessage, ch: ClientHello): void {
    const suite = this.pickSuite(ch, "TLSv1.2");
    this.suite = suite;
    this.clientRandom = ch.random;
    const reneg = ch.ext.map.get(EXT.renegotiationInfo);
    if (reneg !== undefined && (reneg.length !== 1 || reneg[0] !== 0)) {
      throw protocolFailure("handshake_failure", "Cannot accept ClientHello: non-empty renegotiation_info");
    }
    const wantsReneg = reneg !== undefined || ch.suites.includes(0x00ff);
    this.ems = ch.ext.map.has(EXT.extendedMasterSecret);
    this.transcript = [m.raw];
    // a server that speaks TLS 1.3 marks a TLS 1.2 answer (RFC 8446 section 4.1.3)
    if (this.cfg.versions.includes("TLSv1.3")) this.random.set(DOWNGRADE_TLS12, 24);
    const exts: Uint8Array[] = [];
    if (wantsReneg) exts.push(ext(EXT.renegotiationInfo, vec8()));
    if (this.ems) exts.push(ext(EXT.extendedMasterSecret, Buffer.alloc(0)));
    const sh = serverHello(this.random, Buffer.alloc(0), suite.code, exts);
    this.host.sendHandshake(sh);
    this.transcript.push(sh.raw);
    if (suite.dhe) {
      this.dh = ffdhShare(FFDHE2048_P, Uint8Array.of(2), false);
      const ske = handshakeMessage(
        HS.serverKeyExchange,
        concat([vec16(), vec16(FFDHE2048_P), vec16(Uint8Array.of(2)), vec16(this.dh.publicKey)]),
      );
      this.host.sendHandshake(ske);
      this.transcript.push(ske.raw);
    }
    const shd = handshakeMessage(HS.serverHelloDone, Buffer.alloc(0));
    this.host.sendHandshake(shd);
    this.transcript.push(shd.raw);
    this.state = "wait_cke";
  }

  private onClientKeyExchange(m: HandshakeMessage): void {
    const suite = this.suite!;
    const r = new Reader(m.body, "ClientKeyExchange");
    const identity = r.vec16();
    const yc = suite.dhe ? r.vec16() : undefined;
    r.done();
    const key = this.lookup(identity);
    if (key === undefined) {
      throw badKey("unknown_psk_identity", "Cannot complete the TLS handshake: unknown PSK identity");
    }
    const dhSecret = yc === undefined ? undefined : this.dh!.compute(yc);
    this.transcript.push(m.raw);
    const pms = premaster12(key, dhSecret);
    const sessionHash = this.ems ? hash(suite.hash, this.transcript) : undefined;
    this.master = master12(suite.hash, pms, sessionHash, this.clientRandom, this.random);
    const keys = keys12(suite, this.master, this.clientRandom, this.random);
    this.host.setPendingRead(keys.client);
    this.pendingWrite = keys.server;
    this.state = "wait_fin12";
  }

  private onFinished12(m: HandshakeMessage): void {
    if (!this.host.readEncrypted) {
      throw protocolFailure("unexpected_message", "Cannot accept Finished before ChangeCipherSpec");
    }
    const suite = this.suite!;
    const expected = finished12(suite.hash, this.master!, "client finished", hash(suite.hash, this.transcript));
    verifyPeerFinished(m.body, 12, expected, "client");
    this.transcript.push(m.raw);
    this.host.sendCcs();
    this.host.setWrite(this.pendingWrite!);
    this.host.sendHandshake(
      handshakeMessage(
        HS.finished,
        finished12(suite.hash, this.master!, "server finished", hash(suite.hash, this.transcript)),
      ),
    );
    this.state = "done";
    const info: TlsPskInfo = { version: "TLSv1.2", cipher: suite.name, identity: this.identity };
    this.host.complete(suite.dhe ? { ...info, group: "ffdhe2048" } : info);
  }
}
