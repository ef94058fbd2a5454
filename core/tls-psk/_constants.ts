/**
 * Wire constants: cipher suites, groups, extensions, handshake and content types.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { AeadName, HashName } from "./_crypto.ts";
import type { TlsCipher, TlsGroup, TlsVersion } from "./types.ts";

/** Record content types. */
export const CT = { ccs: 20, alert: 21, handshake: 22, appData: 23 } as const;

/** Handshake message types. */
export const HS = {
  helloRequest: 0,
  clientHello: 1,
  serverHello: 2,
  newSessionTicket: 4,
  endOfEarlyData: 5,
  encryptedExtensions: 8,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20,
  keyUpdate: 24,
  messageHash: 254,
} as const;

/** Extension types. */
export const EXT = {
  supportedGroups: 10,
  signatureAlgorithms: 13,
  extendedMasterSecret: 23,
  preSharedKey: 41,
  earlyData: 42,
  supportedVersions: 43,
  cookie: 44,
  pskKeyExchangeModes: 45,
  keyShare: 51,
  renegotiationInfo: 0xff01,
} as const;

/** A cipher suite's parameters. */
export interface SuiteInfo {
  readonly name: TlsCipher;
  readonly code: number;
  readonly version: TlsVersion;
  readonly aead: AeadName;
  readonly keyLen: number;
  readonly hash: HashName;
  /** TLS 1.2 only: DHE-PSK key exchange. */
  readonly dhe: boolean;
}

function suite(
  name: TlsCipher,
  code: number,
  version: TlsVersion,
  aead: AeadName,
  hash: HashName,
  dhe = false,
): SuiteInfo {
  return { name, code, version, aead, keyLen: aead === "aes-128-gcm" ? 16 : 32, hash, dhe };
}

/** Every suite spoken, in the default preference order. */
export const SUITES: readonly SuiteInfo[] = [
  suite("TLS_CHACHA20_POLY1305_SHA256", 0x1303, "TLSv1.3", "chacha20-poly1305", "sha256"),
  suite("TLS_AES_128_GCM_SHA256", 0x1301, "TLSv1.3", "aes-128-gcm", "sha256"),
  suite("TLS_DHE_PSK_WITH_AES_256_GCM_SHA384", 0x00ab, "TLSv1.2", "aes-256-gcm", "sha384", true),
  suite("TLS_DHE_PSK_WITH_AES_128_GCM_SHA256", 0x00aa, "TLSv1.2", "aes-128-gcm", "sha256", true),
  suite("TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256", 0xccad, "TLSv1.2", "chacha20-poly1305", "sha256", true),
  suite("TLS_PSK_WITH_AES_256_GCM_SHA384", 0x00a9, "TLSv1.2", "aes-256-gcm", "sha384"),
  suite("TLS_PSK_WITH_AES_128_GCM_SHA256", 0x00a8, "TLSv1.2", "aes-128-gcm", "sha256"),
  suite("TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", 0xccab, "TLSv1.2", "chacha20-poly1305", "sha256"),
];

/** Suite by IANA name. */
export const SUITE_BY_NAME: ReadonlyMap<string, SuiteInfo> = new Map(SUITES.map((s) => [s.name, s]));

/** Suite by wire code. */
export const SUITE_BY_CODE: ReadonlyMap<number, SuiteInfo> = new Map(SUITES.map((s) => [s.code, s]));

/** Named groups by name. */
export const GROUP_CODE: Readonly<Record<TlsGroup, number>> = {
  x25519: 0x001d,
  secp256r1: 0x0017,
  ffdhe2048: 0x0100,
};

/** Named groups by wire code. */
export const GROUP_BY_CODE: ReadonlyMap<number, TlsGroup> = new Map(
  (Object.entries(GROUP_CODE) as [TlsGroup, number][]).map(([k, v]) => [v, k]),
);

/** The default group preference. */
export const DEFAULT_GROUPS: readonly TlsGroup[] = ["x25519", "secp256r1", "ffdhe2048"];

/** The random of a HelloRetryRequest (RFC 8446 section 4.1.3). */
export const HRR_RANDOM: Buffer = Buffer.from(
  "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c",
  "hex",
);

/** Last 8 bytes of a TLS 1.3 server's random when it negotiates TLS 1.2. */
export const DOWNGRADE_TLS12: Buffer = Buffer.from("444f574e47524401", "hex");

/** The RFC 7919 ffdhe2048 prime (generator 2). */
export const FFDHE2048_P: Buffer = Buffer.from(
  "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF97D" +
    "2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935984F" +
    "0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FBB96ADAB" +
    "760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F619172FE9CE9" +
    "8583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA886B423861285" +
    "C97FFFFFFFFFFFFFFFF",
  "hex",
);

/** Largest record plaintext (2^14). */
export const MAX_PLAINTEXT = 16384;

/** Largest record ciphertext accepted (2^14 + 256). */
export const MAX_CIPHERTEXT = 16384 + 256;

/** Largest handshake message accepted (a ClientHello with a 64 KiB identity fits). */
export const MAX_HANDSHAKE_MESSAGE = 70_000;
