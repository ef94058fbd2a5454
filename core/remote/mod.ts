/**
 * The Pacemaker remote executor protocol (Pacemaker 2.1.5 wire format): frame codec, typed
 * and validated messages, the cluster-side {@link RemoteClient} and the {@link RemoteServer}
 * that `atrium-remoted` runs over a {@link RemoteExecutorBackend}.
 *
 * @example
 * ```ts
 * import { RemoteClient } from "./mod.ts";
 * const c = new RemoteClient({ host: "node5", key, pokeIntervalMs: 500, pokeTimeoutMs: 500 });
 * const s = await c.connect();
 * console.log(s.tls.version, s.tls.cipher, s.protocolVersion);
 * ```
 *
 * @module
 */
export { DEFAULT_MAX_PAYLOAD, decodeHeader, encodeFrame, type Frame, FrameDecoder, type FrameHeader, HEADER_SIZE } from "./frame.ts";
export { el, findDescendant, parseXml, serializeXml, type XmlElement } from "./xml.ts";
export { Errno, RemoteMessageError } from "./_fields.ts";
export {
  type AlertSpec, attributesElement, buildRequest, CallOpt, compareVersions, type ExecSpec, type IpcForward,
  MIN_PROTOCOL_VERSION, parseRequest, PROTOCOL_VERSION, type RemoteRequest, type RemoteRequestBody, type RemoteResource,
} from "./requests.ts";
export {
  buildExecResult, buildGenericNotify, buildIpcNotify, buildNewClientNotify, buildReply, ExecStatus, type ExecResult, OcfRc,
  parseServerMessage, type RemoteReply, type ServerMessage,
} from "./events.ts";
export { MessageConnection, type MessageConnectionOptions } from "./connection.ts";
export { dialTcp, plainSecure, type SecureChannel, type SecureInfo, type SecureLayer, tlsPskSecure } from "./transport.ts";
export { type RecurringOp, RemoteClient, type RemoteClientOptions, type SessionInfo, waitForResult } from "./client.ts";
export type { BackendOp, BackendResult, RemoteExecutorBackend } from "./backend.ts";
export { type ClientState, type RemoteLog, RemoteServer, type RemoteServerOptions, type ShutdownOutcome } from "./server.ts";
export type { ActiveOp, Dispatcher } from "./_dispatch.ts";
