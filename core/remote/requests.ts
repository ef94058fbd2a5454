/**
 * Requests of the executor protocol (client -> server): typed objects, the XML the real
 * `liblrmd` client sends for them, and a validating parser for the server side.
 *
 * @example
 * ```ts
 * const xml = buildRequest({ op: "lrmd_rsc_poke" }, { token: "abc" });
 * const req = parseRequest(parseXml(serializeXml(xml))); // { op: "lrmd_rsc_poke", ... }
 * ```
 */
import { el, findDescendant, type XmlElement } from "./xml.ts";
import { bool, Errno, ident, int, needsParamChild, optStr, readParams, RemoteMessageError, str } from "./_fields.ts";

/** `LRMD_PROTOCOL_VERSION` of Pacemaker 2.1.5. */
export const PROTOCOL_VERSION = "1.1";
/** `LRMD_MIN_PROTOCOL_VERSION`. */
export const MIN_PROTOCOL_VERSION = "1.0";

/** `enum lrmd_call_options` bits. */
export const CallOpt = { NONE: 0, NOTIFY_ORIG_ONLY: 0x2, DROP_RECURRING: 0x3, NOTIFY_CHANGES_ONLY: 0x4 } as const;

/** A resource as registered with the executor. */
export interface RemoteResource {
  readonly id: string;
  readonly standard: string;
  readonly provider?: string;
  readonly type: string;
}

/** Parameters of an operation to execute. */
export interface ExecSpec {
  readonly rscId: string;
  readonly action: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly startDelayMs: number;
  readonly userdata?: string;
  readonly params: Readonly<Record<string, string>>;
}

/** An alert to run (`lrmd_alert_exec`). */
export interface AlertSpec {
  readonly id: string;
  readonly path: string;
  readonly timeoutMs: number;
  readonly params: Readonly<Record<string, string>>;
}

/** IPC-proxy message sent by the provider (the cluster side) to the server. */
export interface IpcForward {
  readonly ipcOp: "response" | "event" | "destroy" | "shutdown_ack" | "shutdown_nack";
  readonly session?: string;
  readonly ipcMsgId?: number;
  readonly msg?: XmlElement;
}

/** Every request, discriminated by `op`. */
export type RemoteRequestBody =
  | { op: "register"; clientName?: string; protocolVersion: string; ipcProvider: boolean }
  | { op: "lrmd_rsc_register"; rsc: RemoteResource }
  | { op: "lrmd_rsc_unregister"; rscId: string }
  | { op: "lrmd_rsc_info"; rscId: string }
  | { op: "lrmd_rsc_exec"; exec: ExecSpec }
  | { op: "lrmd_rsc_cancel"; rscId: string; action: string; intervalMs: number }
  | { op: "lrmd_get_recurring"; rscId?: string }
  | { op: "lrmd_rsc_poke" }
  | { op: "lrmd_check"; watchdog?: string }
  | { op: "lrmd_alert_exec"; alert: AlertSpec }
  | { op: "ipc_fwd"; ipc: IpcForward }
  | { op: "unknown"; name: string };

/** A parsed request: the body plus the envelope fields. */
export type RemoteRequest = RemoteRequestBody & {
  readonly msgId: number;
  readonly callOptions: number;
  readonly timeoutMs: number;
  readonly clientName?: string;
};

const MAX_MS = 0xffffffff; // interval and timeouts are u32 ms in Pacemaker
const CLASSES_WITH_PROVIDER = new Set(["ocf"]);

function paramsElement(name: string, params: Readonly<Record<string, string>>): XmlElement {
  const e = el(name);
  for (const [k, v] of Object.entries(params)) {
    if (needsParamChild(k)) e.children.push(el("param", { name: k, value: v }));
    else if (!e.attrs.has(k)) e.attrs.set(k, v);
  }
  return e;
}

/** Parameter table as an `<attributes>` element (digit-leading names as `<param>` children). */
export function attributesElement(params: Readonly<Record<string, string>>): XmlElement {
  return paramsElement("attributes", params);
}

/**
 * Build the XML of a request as the real client does (`lrmd_create_op()`), without the
 * transport attributes `lrmd_remote_msg_id`/`lrmd_remote_msg_type` (the connection adds them).
 */
export function buildRequest(
  body: RemoteRequestBody,
  opts: { token?: string; callOptions?: number; timeoutMs?: number } = {},
): XmlElement {
  if (body.op === "register") {
    return el("lrmd_command", {
      t: "lrmd",
      lrmd_op: "register",
      lrmd_clientname: body.clientName,
      lrmd_protocol_version: body.protocolVersion,
      lrmd_is_ipc_provider: body.ipcProvider ? "true" : undefined,
    });
  }
  if (body.op === "ipc_fwd") {
    const i = body.ipc;
    return el("lrmd_ipc_proxy", {
      lrmd_op: "ipc_fwd",
      lrmd_ipc_op: i.ipcOp,
      lrmd_ipc_session: i.session,
      lrmd_ipc_msg_id: i.ipcMsgId,
    }, i.msg === undefined ? [] : [el("lrmd_ipc_msg", {}, [i.msg])]);
  }
  const opName = body.op === "unknown" ? body.name : body.op;
  const root = el("lrmd_command", {
    __name__: "lrmd_command",
    t: "lrmd",
    lrmd_async_id: opts.token,
    lrmd_op: opName,
    lrmd_timeout: opts.timeoutMs ?? 0,
    lrmd_callopt: opts.callOptions ?? 0,
  });
  let data: XmlElement | undefined;
  switch (body.op) {
    case "lrmd_rsc_register":
      data = el("lrmd_rsc", {
        lrmd_origin: "lrmd_api_register_rsc",
        lrmd_rsc_id: body.rsc.id,
        lrmd_class: body.rsc.standard,
        lrmd_provider: body.rsc.provider,
        lrmd_type: body.rsc.type,
      });
      break;
    case "lrmd_rsc_unregister":
    case "lrmd_rsc_info":
      data = el("lrmd_rsc", { lrmd_origin: "atrium", lrmd_rsc_id: body.rscId });
      break;
    case "lrmd_get_recurring":
      if (body.rscId !== undefined) data = el("lrmd_rsc", { lrmd_origin: "atrium", lrmd_rsc_id: body.rscId });
      break;
    case "lrmd_rsc_exec": {
      const x = body.exec;
      data = el("lrmd_rsc", {
        lrmd_origin: "lrmd_api_exec",
        lrmd_rsc_id: x.rscId,
        lrmd_rsc_action: x.action,
        lrmd_rsc_userdata_str: x.userdata,
        lrmd_rsc_interval: x.intervalMs,
        lrmd_timeout: x.timeoutMs,
        lrmd_rsc_start_delay: x.startDelayMs,
      }, [attributesElement(x.params)]);
      break;
    }
    case "lrmd_rsc_cancel":
      data = el("lrmd_rsc", {
        lrmd_origin: "lrmd_api_cancel",
        lrmd_rsc_action: body.action,
        lrmd_rsc_id: body.rscId,
        lrmd_rsc_interval: body.intervalMs,
      });
      break;
    case "lrmd_rsc_poke":
      data = el("lrmd_rsc", { lrmd_origin: "lrmd_api_poke_connection" });
      break;
    case "lrmd_check":
      data = el("lrmd_op", { lrmd_origin: "lrmd__validate_remote_settings", lrmd_watchdog: body.watchdog });
      break;
    case "lrmd_alert_exec":
      data = el("lrmd_alert", {
        lrmd_origin: "lrmd_api_exec_alert",
        lrmd_alert_id: body.alert.id,
        lrmd_alert_path: body.alert.path,
        lrmd_timeout: body.alert.timeoutMs,
      }, [attributesElement(body.alert.params)]);
      break;
    case "unknown":
      break;
  }
  if (data !== undefined) root.children.push(el("lrmd_calldata", {}, [data]));
  return root;
}

function rscData(root: XmlElement): XmlElement {
  const d = findDescendant(root, "lrmd_rsc");
  if (d === undefined) {
    throw new RemoteMessageError(`Cannot read request "${root.attrs.get("lrmd_op")}": <lrmd_rsc> is missing`, -Errno.EINVAL);
  }
  return d;
}

/** Compare dotted version strings numerically ("1.10" > "1.9"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map((x) => parseInt(x, 10) || 0);
  const pb = b.split(".").map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

const IPC_OPS = new Set(["response", "event", "destroy", "shutdown_ack", "shutdown_nack"]);

function parseBody(root: XmlElement, op: string): RemoteRequestBody {
  switch (op) {
    case "register": {
      const v = optStr(root, "lrmd_protocol_version", 32) ?? "1.0";
      if (!/^[0-9]+(\.[0-9]+){0,3}$/.test(v)) {
        throw new RemoteMessageError(`Cannot read sign-on: lrmd_protocol_version ${JSON.stringify(v)} is not a version`, -Errno.EPROTO);
      }
      const clientName = optStr(root, "lrmd_clientname", 256);
      return { op, protocolVersion: v, ipcProvider: bool(root, "lrmd_is_ipc_provider"), ...(clientName ? { clientName } : {}) };
    }
    case "lrmd_rsc_register": {
      const d = rscData(root);
      const standard = ident(d, "lrmd_class");
      const provider = d.attrs.get("lrmd_provider");
      if (CLASSES_WITH_PROVIDER.has(standard) && !provider) {
        throw new RemoteMessageError(`Cannot register resource: class "${standard}" needs lrmd_provider`);
      }
      return {
        op,
        rsc: {
          id: ident(d, "lrmd_rsc_id"),
          standard,
          type: ident(d, "lrmd_type"),
          ...(provider ? { provider: ident(d, "lrmd_provider") } : {}),
        },
      };
    }
    case "lrmd_rsc_unregister":
    case "lrmd_rsc_info":
      return { op, rscId: ident(rscData(root), "lrmd_rsc_id", { rc: -Errno.ENODEV }) };
    case "lrmd_get_recurring": {
      const d = findDescendant(root, "lrmd_rsc");
      const id = d === undefined ? undefined : optStr(d, "lrmd_rsc_id", 256);
      return id ? { op, rscId: id } : { op };
    }
    case "lrmd_rsc_exec": {
      const d = rscData(root);
      const userdata = optStr(d, "lrmd_rsc_userdata_str", 65536);
      return {
        op,
        exec: {
          rscId: ident(d, "lrmd_rsc_id"),
          action: ident(d, "lrmd_rsc_action"),
          intervalMs: int(d, "lrmd_rsc_interval", { min: 0, max: MAX_MS, def: 0 }),
          timeoutMs: int(d, "lrmd_timeout", { min: 0, max: MAX_MS, def: 0 }),
          startDelayMs: int(d, "lrmd_rsc_start_delay", { min: 0, max: MAX_MS, def: 0 }),
          params: readParams(d.children.find((c) => c.name === "attributes")),
          ...(userdata !== undefined ? { userdata } : {}),
        },
      };
    }
    case "lrmd_rsc_cancel": {
      const d = rscData(root);
      return {
        op,
        rscId: ident(d, "lrmd_rsc_id"),
        action: ident(d, "lrmd_rsc_action"),
        intervalMs: int(d, "lrmd_rsc_interval", { min: 0, max: MAX_MS }),
      };
    }
    case "lrmd_rsc_poke":
      return { op };
    case "lrmd_check": {
      const d = findDescendant(root, "lrmd_op");
      const w = d === undefined ? undefined : optStr(d, "lrmd_watchdog", 64);
      return w !== undefined ? { op, watchdog: w } : { op };
    }
    case "lrmd_alert_exec": {
      const d = findDescendant(root, "lrmd_alert");
      if (d === undefined) throw new RemoteMessageError(`Cannot read request "lrmd_alert_exec": <lrmd_alert> is missing`);
      return {
        op,
        alert: {
          id: ident(d, "lrmd_alert_id"),
          path: str(d, "lrmd_alert_path", { max: 4096 }),
          timeoutMs: int(d, "lrmd_timeout", { min: 0, max: MAX_MS, def: 0 }),
          params: readParams(d.children.find((c) => c.name === "attributes")),
        },
      };
    }
    case "ipc_fwd": {
      const ipcOp = str(root, "lrmd_ipc_op", { max: 32 });
      if (!IPC_OPS.has(ipcOp)) {
        throw new RemoteMessageError(`Cannot read IPC proxy request: lrmd_ipc_op ${JSON.stringify(ipcOp)} is not one of ${[...IPC_OPS].join(", ")}`);
      }
      const session = optStr(root, "lrmd_ipc_session", 256);
      const wrap = root.children.find((c) => c.name === "lrmd_ipc_msg");
      const ipc: IpcForward = {
        ipcOp: ipcOp as IpcForward["ipcOp"],
        ...(session !== undefined ? { session } : {}),
        ...(root.attrs.has("lrmd_ipc_msg_id") ? { ipcMsgId: int(root, "lrmd_ipc_msg_id", { min: 0 }) } : {}),
        ...(wrap?.children[0] !== undefined ? { msg: wrap.children[0] } : {}),
      };
      return { op, ipc };
    }
    default:
      return { op: "unknown", name: op };
  }
}

/**
 * Validate a received request. Throws {@link RemoteMessageError} (with the `lrmd_rc` to reply
 * with) when a field is missing or malformed; the message id is read first, so the caller can
 * still answer: see {@link requestMsgId}.
 */
export function parseRequest(root: XmlElement): RemoteRequest {
  if (root.name !== "lrmd_command" && root.name !== "lrmd_ipc_proxy") {
    throw new RemoteMessageError(`Cannot read request: root element is <${root.name.slice(0, 40)}>, expected <lrmd_command> or <lrmd_ipc_proxy>`);
  }
  const type = root.attrs.get("lrmd_remote_msg_type");
  if (type !== undefined && type !== "request") {
    throw new RemoteMessageError(`Cannot read request: lrmd_remote_msg_type is ${JSON.stringify(type.slice(0, 40))}, expected "request"`);
  }
  const msgId = requestMsgId(root);
  const op = str(root, "lrmd_op", { max: 64, rc: -Errno.EOPNOTSUPP });
  const body = parseBody(root, op);
  const clientName = optStr(root, "lrmd_clientname", 256);
  return {
    ...body,
    msgId,
    callOptions: int(root, "lrmd_callopt", { min: 0, max: 0xffffffff, def: 0 }),
    timeoutMs: int(root, "lrmd_timeout", { min: -1, max: MAX_MS, def: 0 }),
    ...(clientName !== undefined && body.op !== "register" ? { clientName } : {}),
  } as RemoteRequest;
}

/** The `lrmd_remote_msg_id` of a request (0 when absent); throws if it is not a number. */
export function requestMsgId(root: XmlElement): number {
  return int(root, "lrmd_remote_msg_id", { min: 0, max: 0xffffffff, def: 0 });
}
