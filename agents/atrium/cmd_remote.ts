/**
 * `atrium remote check --server HOST [--port P] [--authkey F] [--json]`: a real TCP + TLS-PSK
 * handshake and sign-on to a Pacemaker remote executor (pacemaker-remoted or
 * atrium-remoted). Prints the negotiated TLS version and cipher and the peer's protocol
 * version, or exactly why it failed: refused, timed out, wrong key, not TLS, protocol mismatch.
 */
import { type Command, type CommandIo, Exit } from "../_command.ts";
import { formatOptions, parseCommandArgs } from "../../core/cli/parse_args.ts";
import { AtriumError } from "../../core/errors.ts";
import { loadAuthkey } from "../../core/remote/authkey.ts";
import { PROTOCOL_VERSION, RemoteClient } from "../../core/remote/mod.ts";

const OPTIONS = {
  server: { type: "string", short: "s", description: "Host name or address of the remote node (required)" },
  port: { type: "string", short: "p", description: "TCP port (default $PCMK_remote_port, else 3121)" },
  authkey: { type: "string", description: "Key file (default $PCMK_authkey_location, /etc/pacemaker/authkey, /etc/corosync/authkey)" },
  timeout: { type: "string", description: "Give up after this many ms (default 5000)" },
  "tls-version": { type: "string", description: "Offer only this TLS version: 1.3 or 1.2 (default both)" },
  json: { type: "boolean", description: "Print one JSON object" },
  help: { type: "boolean", short: "h", description: "Show this help" },
} as const;

/** Failure kinds reported by `remote check`. */
export type CheckFailure = "usage" | "no-key" | "refused" | "timed-out" | "unreachable" | "wrong-key" | "not-tls" | "tls-failed" | "protocol-mismatch" | "error";

/** Classify an error of RemoteClient.connect() for humans and scripts. */
export function classifyFailure(e: unknown): { failure: CheckFailure; why: string } {
  const code = e instanceof AtriumError ? e.code : "";
  const alert = e instanceof AtriumError ? String((e.cause as AtriumError | undefined)?.details?.["alert"] ?? e.details?.["alert"] ?? "") : "";
  switch (code) {
    case "REMOTE_REFUSED": return { failure: "refused", why: "connection refused: nothing listens on that port" };
    case "REMOTE_TIMEOUT":
    case "TLS_HANDSHAKE_TIMEOUT": return { failure: "timed-out", why: "timed out: no complete answer in time (filtered port, or a hung daemon)" };
    case "REMOTE_UNREACHABLE": return { failure: "unreachable", why: "host unreachable or unknown" };
    case "TLS_BAD_KEY": return { failure: "wrong-key", why: "wrong key: the server holds a different authkey" };
    case "TLS_CLOSED": return { failure: "wrong-key", why: "wrong key (most likely): the server closed the connection during the TLS-PSK handshake" };
    case "TLS_ALERT":
      return ["decrypt_error", "bad_record_mac", "unknown_psk_identity", "illegal_parameter"].includes(alert) || alert === ""
        ? { failure: "wrong-key", why: `wrong key (most likely): the server sent the TLS alert ${alert || "(unnamed)"}` }
        : { failure: "tls-failed", why: `TLS handshake failed: the server sent the alert ${alert}` };
    case "TLS_NOT_TLS": return { failure: "not-tls", why: "not TLS: the port answered with something that is not TLS (not a Pacemaker remote port?)" };
    case "TLS_PROTOCOL": return { failure: "tls-failed", why: "TLS handshake failed: no common TLS version or PSK cipher suite" };
    case "REMOTE_PROTOCOL_MISMATCH":
    case "REMOTE_SIGNON_FAILED":
    case "REMOTE_FRAME_INVALID": return { failure: "protocol-mismatch", why: "protocol mismatch: TLS worked but the peer does not speak the Pacemaker remote executor protocol as expected" };
    case "AUTHKEY_NOT_FOUND": return { failure: "no-key", why: "no readable authkey" };
    default: return { failure: "error", why: "unexpected failure" };
  }
}

function fail(io: CommandIo, json: boolean, out: Record<string, unknown>, failure: CheckFailure, why: string, message: string): number {
  if (json) io.stdout(JSON.stringify({ ok: false, ...out, failure, reason: why, message }) + "\n");
  else io.stderr(`atrium remote check: ${why}\n  ${message}\n`);
  return failure === "no-key" ? Exit.NOINPUT : failure === "usage" ? Exit.USAGE : Exit.UNAVAILABLE;
}

export const remoteCheckCommand: Command = {
  path: ["remote", "check"],
  summary: "Handshake and sign on to a Pacemaker remote node; report TLS and protocol",
  async run(args, io) {
    const { values } = parseCommandArgs(args, OPTIONS, { command: "atrium remote check", allowPositionals: false });
    const json = values.json === true;
    if (values.help) {
      io.stdout(`Usage: atrium remote check --server HOST [--port P] [--authkey FILE] [--json]\n\n${formatOptions(OPTIONS)}\n`);
      return Exit.OK;
    }
    if (!values.server) return fail(io, json, {}, "usage", "missing --server", "Cannot check: --server HOST is required");
    const portText = values.port ?? io.env["PCMK_remote_port"] ?? "3121";
    if (!/^[0-9]+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      return fail(io, json, {}, "usage", "bad port", `Cannot use port "${portText}": expected an integer 1..65535`);
    }
    const timeoutText = values.timeout ?? "5000";
    if (!/^[0-9]+$/.test(timeoutText) || Number(timeoutText) < 1) {
      return fail(io, json, {}, "usage", "bad timeout", `Cannot use --timeout "${timeoutText}": expected a positive integer (ms)`);
    }
    const tv = values["tls-version"];
    if (tv !== undefined && tv !== "1.2" && tv !== "1.3") {
      return fail(io, json, {}, "usage", "bad TLS version", `Cannot use --tls-version "${tv}": expected 1.2 or 1.3`);
    }
    const target = { server: values.server, port: Number(portText) };
    let key;
    try {
      key = loadAuthkey({ ...(values.authkey !== undefined ? { explicit: values.authkey } : {}), env: io.env });
    } catch (e) {
      return fail(io, json, target, "no-key", "no readable authkey", (e as Error).message);
    }
    const client = new RemoteClient({
      host: values.server,
      port: target.port,
      key: key.key,
      clientName: "atrium-remote-check",
      connectTimeoutMs: Number(timeoutText),
      ...(tv ? { tlsVersions: [tv === "1.2" ? "TLSv1.2" as const : "TLSv1.3" as const] } : {}),
    });
    try {
      const s = await client.connect();
      const result = {
        ok: true,
        ...target,
        keyFile: key.path,
        keyBytes: key.key.length,
        tls: { version: s.tls.version, cipher: s.tls.cipher },
        protocolVersion: s.protocolVersion,
        ourProtocolVersion: PROTOCOL_VERSION,
        signOnMs: Math.round(s.signOnMs * 100) / 100,
      };
      if (json) io.stdout(JSON.stringify(result) + "\n");
      else {
        io.stdout(
          `Connected to ${values.server}:${target.port}\n` +
            `  TLS:       ${s.tls.version} ${s.tls.cipher}\n` +
            `  protocol:  ${s.protocolVersion} (ours ${PROTOCOL_VERSION})\n` +
            `  sign-on:   ${result.signOnMs} ms\n` +
            `  key:       ${key.path} (${key.key.length} bytes)\n`,
        );
      }
      return Exit.OK;
    } catch (e) {
      const { failure, why } = classifyFailure(e);
      const code = e instanceof AtriumError ? e.code : undefined;
      return fail(io, json, { ...target, keyFile: key.path, ...(code ? { code } : {}) }, failure, why, (e as Error).message);
    } finally {
      client.close("check done");
    }
  },
};
