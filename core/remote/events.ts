/**
 * Server -> client messages: replies (`lrmd_reply`), operation results and generic notifies
 * (`lrmd_notify`), and IPC-proxy notifies (`lrmd_ipc_proxy`). Builders for the server side and
 * validating parsers for the client side.
 *
 * @example
 * ```ts
 * const x = buildExecResult({ ...result });
 * const back = parseServerMessage(parseXml(serializeXml(x)));
 * ```
 */
import { el, type XmlElement } from "./xml.ts";
import { bool, ident, int, optStr, readParams, RemoteMessageError } from "./_fields.ts";
import { attributesElement } from "./requests.ts";

/** OCF exit codes (`enum ocf_exitcode`). */
export const OcfRc = {
  OK: 0, UNKNOWN_ERROR: 1, INVALID_PARAM: 2, UNIMPLEMENT_FEATURE: 3, INSUFFICIENT_PRIV: 4,
  NOT_INSTALLED: 5, NOT_CONFIGURED: 6, NOT_RUNNING: 7, RUNNING_PROMOTED: 8, FAILED_PROMOTED: 9,
  DEGRADED: 190, DEGRADED_PROMOTED: 191, UNKNOWN: 193,
} as const;

/** `enum pcmk_exec_status`. */
export const ExecStatus = {
  PENDING: -1, DONE: 0, CANCELLED: 1, TIMEOUT: 2, NOT_SUPPORTED: 3, ERROR: 4, ERROR_HARD: 5,
  ERROR_FATAL: 6, NOT_INSTALLED: 7, NOT_CONNECTED: 8, INVALID: 9, NO_FENCE_DEVICE: 10, NO_SECRETS: 11,
} as const;

/** The result of one run of an operation (`send_cmd_complete_notify()`). */
export interface ExecResult {
  readonly callId: number;
  readonly rscId: string;
  readonly action: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly startDelayMs: number;
  readonly userdata?: string;
  /** OCF exit code. */
  readonly rc: number;
  /** Execution status ({@link ExecStatus}). */
  readonly opStatus: number;
  readonly deleted: boolean;
  /** Epoch seconds when the op started (0 for repeats of a recurring op). */
  readonly runTime: number;
  readonly rcChangeTime: number;
  readonly execTimeMs: number;
  readonly queueTimeMs: number;
  readonly exitReason?: string;
  readonly output?: string;
  readonly params: Readonly<Record<string, string>>;
}

/** A reply to a request. `rc` is `lrmd_rc` (negative errno, 0, or a call id for exec). */
export interface RemoteReply {
  readonly kind: "reply";
  readonly msgId: number;
  readonly rc: number;
  readonly callId?: number;
  readonly el: XmlElement;
}

/** Any server -> client message, discriminated by `kind`. */
export type ServerMessage =
  | RemoteReply
  | { readonly kind: "exec_result"; readonly result: ExecResult }
  | { readonly kind: "generic"; readonly op: string; readonly rc: number; readonly callId: number; readonly rscId?: string }
  | { readonly kind: "new_client" }
  | {
    readonly kind: "ipc";
    readonly ipcOp: string;
    readonly session?: string;
    readonly server?: string;
    readonly client?: string;
    readonly user?: string;
    readonly ipcMsgId?: number;
    readonly ipcMsgFlags?: number;
    readonly msg?: XmlElement;
  }
  | { readonly kind: "other"; readonly el: XmlElement };

/** Build a reply; `extra` attributes go after `lrmd_callid`, children inside. */
export function buildReply(
  rc: number,
  callId: number,
  opts: { origin?: string; extra?: Record<string, string | number | undefined>; children?: XmlElement[] } = {},
): XmlElement {
  return el("lrmd_reply", {
    lrmd_origin: opts.origin ?? "process_lrmd_message",
    lrmd_rc: rc,
    lrmd_callid: callId,
    ...(opts.extra ?? {}),
  }, opts.children ?? []);
}

/** Build a generic notify (register/unregister/poke). */
export function buildGenericNotify(op: string, rc: number, callId: number, rscId?: string): XmlElement {
  return el("lrmd_notify", {
    lrmd_origin: "send_generic_notify",
    lrmd_rc: rc,
    lrmd_callid: callId,
    lrmd_op: op,
    lrmd_rsc_id: rscId,
  });
}

/** The notify sent to other clients when a new client completes its handshake. */
export function buildNewClientNotify(): XmlElement {
  return el("lrmd_notify", { lrmd_origin: "notify_of_new_client", lrmd_op: "lrmd_rsc_new_client" });
}

/** Build an operation-completion notify. */
export function buildExecResult(r: ExecResult): XmlElement {
  return el("lrmd_notify", {
    lrmd_origin: "send_cmd_complete_notify",
    lrmd_timeout: r.timeoutMs,
    lrmd_rsc_interval: r.intervalMs,
    lrmd_rsc_start_delay: r.startDelayMs,
    lrmd_exec_rc: r.rc,
    lrmd_exec_op_status: r.opStatus,
    lrmd_callid: r.callId,
    lrmd_rsc_deleted: r.deleted ? 1 : 0,
    lrmd_run_time: r.runTime,
    lrmd_rcchange_time: r.rcChangeTime,
    lrmd_exec_time: r.execTimeMs,
    lrmd_queue_time: r.queueTimeMs,
    lrmd_op: "lrmd_rsc_exec",
    lrmd_rsc_id: r.rscId,
    lrmd_rsc_action: r.action,
    lrmd_rsc_userdata_str: r.userdata,
    lrmd_rsc_exit_reason: r.exitReason,
    lrmd_rsc_output: r.output,
  }, [attributesElement(r.params)]);
}

/** Build an IPC-proxy notify (server -> provider). */
export function buildIpcNotify(
  ipcOp: string,
  attrs: Record<string, string | number | undefined>,
  msg?: XmlElement,
): XmlElement {
  return el("lrmd_ipc_proxy", { lrmd_ipc_op: ipcOp, ...attrs }, msg === undefined ? [] : [el("lrmd_ipc_msg", {}, [msg])]);
}

function parseExecResult(e: XmlElement): ExecResult {
  const userdata = optStr(e, "lrmd_rsc_userdata_str");
  const exitReason = optStr(e, "lrmd_rsc_exit_reason");
  const output = optStr(e, "lrmd_rsc_output");
  return {
    callId: int(e, "lrmd_callid", { min: 0 }),
    rscId: ident(e, "lrmd_rsc_id"),
    action: ident(e, "lrmd_rsc_action"),
    intervalMs: int(e, "lrmd_rsc_interval", { min: 0, def: 0 }),
    timeoutMs: int(e, "lrmd_timeout", { min: -1, def: 0 }),
    startDelayMs: int(e, "lrmd_rsc_start_delay", { min: 0, def: 0 }),
    rc: int(e, "lrmd_exec_rc", { min: -255, max: 255 }),
    opStatus: int(e, "lrmd_exec_op_status", { min: -1, max: 100 }),
    deleted: bool(e, "lrmd_rsc_deleted"),
    runTime: int(e, "lrmd_run_time", { min: 0, def: 0 }),
    rcChangeTime: int(e, "lrmd_rcchange_time", { min: 0, def: 0 }),
    execTimeMs: int(e, "lrmd_exec_time", { min: 0, def: 0 }),
    queueTimeMs: int(e, "lrmd_queue_time", { min: 0, def: 0 }),
    params: readParams(e.children.find((c) => c.name === "attributes")),
    ...(userdata !== undefined ? { userdata } : {}),
    ...(exitReason !== undefined ? { exitReason } : {}),
    ...(output !== undefined ? { output } : {}),
  };
}

/**
 * Validate a message received from a server. Throws {@link RemoteMessageError} when a field
 * is malformed; unknown kinds of notify come back as `{ kind: "other" }`.
 */
export function parseServerMessage(e: XmlElement): ServerMessage {
  const type = e.attrs.get("lrmd_remote_msg_type");
  if (e.name === "lrmd_reply" || type === "reply") {
    const callId = e.attrs.has("lrmd_callid") ? int(e, "lrmd_callid", { min: 0 }) : undefined;
    return {
      kind: "reply",
      msgId: int(e, "lrmd_remote_msg_id", { min: 0, max: 0xffffffff }),
      rc: int(e, "lrmd_rc", { min: -4096, max: 0x7fffffff }),
      el: e,
      ...(callId !== undefined ? { callId } : {}),
    };
  }
  if (e.name === "lrmd_notify") {
    const op = optStr(e, "lrmd_op", 64);
    if (op === "lrmd_rsc_exec") return { kind: "exec_result", result: parseExecResult(e) };
    if (op === "lrmd_rsc_new_client") return { kind: "new_client" };
    if (op !== undefined) {
      const rscId = optStr(e, "lrmd_rsc_id", 256);
      return {
        kind: "generic",
        op,
        rc: int(e, "lrmd_rc", { min: -4096, max: 0x7fffffff, def: 0 }),
        callId: int(e, "lrmd_callid", { min: 0, def: 0 }),
        ...(rscId !== undefined ? { rscId } : {}),
      };
    }
    return { kind: "other", el: e };
  }
  if (e.name === "lrmd_ipc_proxy") {
    const ipcOp = optStr(e, "lrmd_ipc_op", 32);
    if (ipcOp === undefined) throw new RemoteMessageError("Cannot read IPC proxy notify: lrmd_ipc_op is missing");
    const pick = (k: string) => optStr(e, k, 256);
    const out: Record<string, unknown> = { kind: "ipc", ipcOp };
    for (const [k, f] of [["session", "lrmd_ipc_session"], ["server", "lrmd_ipc_server"], ["client", "lrmd_ipc_client"], ["user", "lrmd_ipc_user"]] as const) {
      const v = pick(f);
      if (v !== undefined) out[k] = v;
    }
    if (e.attrs.has("lrmd_ipc_msg_id")) out.ipcMsgId = int(e, "lrmd_ipc_msg_id", { min: 0 });
    if (e.attrs.has("lrmd_ipc_msg_flags")) out.ipcMsgFlags = int(e, "lrmd_ipc_msg_flags", { min: 0 });
    const m = e.children.find((c) => c.name === "lrmd_ipc_msg")?.children[0];
    if (m !== undefined) out.msg = m;
    return out as ServerMessage;
  }
  return { kind: "other", el: e };
}
