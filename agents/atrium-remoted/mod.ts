/**
 * atrium-remoted: the remote executor daemon (what `pacemaker-remoted` is). Listens for
 * TLS-PSK connections on PCMK_remote_address / PCMK_remote_port (default `::` dual stack,
 * 3121), runs operations through the executor (OCF class), and on SIGTERM asks the cluster to
 * move its resources off (IPC-proxy `shutdown_req`), waiting a bounded time before exiting.
 *
 * @example
 * ```sh
 * PCMK_authkey_location=/etc/pacemaker/authkey atrium-remoted --port 3121
 * ```
 */
import { type CommandIo, Exit } from "../_command.ts";
import { formatOptions, parseCommandArgs } from "../../core/cli/parse_args.ts";
import { isAtriumError } from "../../core/errors.ts";
import { loadAuthkey } from "../../core/remote/authkey.ts";
import { type RemoteExecutorBackend, type RemoteLog, RemoteServer } from "../../core/remote/mod.ts";
import { executorBackend } from "./_executor_backend.ts";

const OPTIONS = {
  address: { type: "string", description: "Address to listen on (default $PCMK_remote_address, else :: dual stack)" },
  port: { type: "string", short: "p", description: "TCP port (default $PCMK_remote_port, else 3121)" },
  authkey: { type: "string", description: "Key file (default $PCMK_authkey_location, /etc/pacemaker/authkey, /etc/corosync/authkey)" },
  "handshake-timeout": { type: "string", description: "Drop clients not signed on after this many ms (default 10000)" },
  "shutdown-timeout": { type: "string", description: "On SIGTERM, wait at most this many ms for the cluster (default 30000)" },
  "max-payload": { type: "string", description: "Largest message accepted, bytes (default 16 MiB)" },
  verbose: { type: "boolean", short: "V", description: "Log debug lines too" },
  trace: { type: "boolean", description: "Log every protocol message (debug; implies --verbose)" },
  help: { type: "boolean", short: "h", description: "Show this help" },
} as const;

/** How the daemon is wired to the outside (tests replace signals and the backend). */
export interface RemotedHooks {
  /** Register a handler for SIGTERM/SIGINT; returns an unregister function. */
  onSignal?(handler: (sig: string) => void): () => void;
  backend?: RemoteExecutorBackend;
  /** Called once listening. */
  ready?(addr: { address: string; port: number }, server: RemoteServer): void;
}

function num(v: string | undefined, name: string, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  if (!/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new TypeError(`Cannot use --${name} "${v}": expected an integer ${min}..${max}`);
  }
  return Number(v);
}

/** Make a logger writing one stamped line per call to stderr. */
export function lineLogger(io: CommandIo, verbose: boolean): RemoteLog {
  return (level, line) => {
    if (level === "debug" && !verbose) return;
    io.stderr(`${new Date().toISOString()} atrium-remoted ${level}: ${line}\n`);
  };
}

/** Resolve the port as Pacemaker does: invalid values fall back to 3121 with a warning. */
export function remotePort(flag: string | undefined, env: string | undefined, log: RemoteLog): number {
  const v = flag ?? env;
  if (v === undefined || v === "") return 3121;
  if (/^[0-9]+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535) return Number(v);
  if (flag !== undefined) throw new TypeError(`Cannot use --port "${flag}": expected an integer 1..65535`);
  log("warn", `Ignoring PCMK_remote_port "${v}": expected an integer 1..65535; using 3121`);
  return 3121;
}

/** Run the daemon until a signal ends it; resolves the exit code. */
export async function runRemoted(argv: readonly string[], io: CommandIo, hooks: RemotedHooks = {}): Promise<number> {
  let values;
  try {
    values = parseCommandArgs(argv, OPTIONS, { command: "atrium-remoted", allowPositionals: false }).values;
  } catch (e) {
    io.stderr(`${(e as Error).message}\n`);
    return Exit.USAGE;
  }
  if (values.help) {
    io.stdout(`Usage: atrium-remoted [options]\n\nThe Pacemaker-compatible remote executor daemon (TLS-PSK, port 3121).\n\n${formatOptions(OPTIONS)}\n`);
    return Exit.OK;
  }
  const log = lineLogger(io, values.verbose === true || values.trace === true);
  let port: number, handshakeMs: number, shutdownMs: number, maxPayload: number;
  try {
    port = remotePort(values.port, io.env["PCMK_remote_port"], log);
    handshakeMs = num(values["handshake-timeout"], "handshake-timeout", 10_000, 1, 3_600_000);
    shutdownMs = num(values["shutdown-timeout"], "shutdown-timeout", 30_000, 0, 3_600_000);
    maxPayload = num(values["max-payload"], "max-payload", 16 * 1024 * 1024, 1024, 1 << 30);
  } catch (e) {
    io.stderr(`${(e as Error).message}\n`);
    return Exit.USAGE;
  }
  let key;
  try {
    key = loadAuthkey({ ...(values.authkey !== undefined ? { explicit: values.authkey } : {}), env: io.env });
  } catch (e) {
    log("error", `${(e as Error).message}; refusing to start without a key`);
    return Exit.NOINPUT;
  }
  for (const s of key.skipped) log("warn", `Skipped authkey "${s.path}": ${s.reason}`);
  log("info", `Read the authkey from "${key.path}" (${key.key.length} bytes)`);
  const authkey = key.key;
  const backend = hooks.backend ?? executorBackend({ log });
  const server = new RemoteServer({ backend, key: () => authkey, handshakeTimeoutMs: handshakeMs, maxPayload, log, trace: values.trace === true });
  const host = values.address ?? io.env["PCMK_remote_address"] ?? "::";
  let addr;
  try {
    addr = await server.listen({ host, port });
  } catch (e) {
    log("error", (e as Error).message);
    await backend.close?.();
    return isAtriumError(e) ? Exit.UNAVAILABLE : Exit.SOFTWARE;
  }
  log("info", `Listening on ${addr.address.includes(":") ? `[${addr.address}]` : addr.address}:${addr.port} (TLS-PSK)`);
  hooks.ready?.(addr, server);
  const sig = await new Promise<string>((resolve) => {
    const off = hooks.onSignal?.((s) => {
      off?.();
      resolve(s);
    });
  });
  log("info", `Received ${sig}: shutting down`);
  const outcome = await server.shutdown({ timeoutMs: shutdownMs });
  const why = {
    "no-provider": "no cluster connection to notify",
    nack: "the cluster refused to move resources (shutdown_nack)",
    released: "the cluster moved resources off and disconnected",
    timeout: `the cluster did not release this node within ${shutdownMs} ms`,
  }[outcome];
  log("info", `Exiting: ${why}`);
  await server.close();
  return outcome === "timeout" ? Exit.ERROR : Exit.OK;
}
