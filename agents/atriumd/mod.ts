/**
 * atriumd: the cluster node daemon. Runs in the foreground: the CIB (FileStore under
 * `DIR/cib`, CibService), the HTTP control endpoint on 127.0.0.1 (a free port unless
 * `--listen ADDR:PORT`), `DIR/api.json` ({url}) and `DIR/token` (mode 0600) for the CLI.
 * SIGTERM/SIGINT stop it cleanly: the node's resources are stopped first (Pacemaker's shutdown;
 * `ATRIUM_SHUTDOWN_TIMEOUT_MS` bounds the wait, default 120 s). The controller (./_controller.ts)
 * starts where marked below, through `hooks.startController` (main.ts passes the real one,
 * ./_controller.ts); `--no-controller` serves the CIB and the API only.
 *
 * @example
 * ```sh
 * atriumd --state-dir /var/lib/atrium
 * ```
 */
import { hostname } from "node:os";
import process from "node:process";
import { join, resolve } from "node:path";
import { type CommandIo, Exit } from "../_command.ts";
import { formatOptions, parseCommandArgs } from "../../core/cli/parse_args.ts";
import { isAtriumError, quote } from "../../core/errors.ts";
import { loadAuthkey } from "../../core/remote/authkey.ts";
import { FileStore } from "../../core/cib/store/mod.ts";
import { CibService } from "../../core/cib/service/mod.ts";
import { formatCibVersion } from "../../core/cib/codec.ts";
import { addClusterNode, markNodeMember } from "../../core/cib/edit/mod.ts";
import { createApi } from "../../core/api/mod.ts";
import { apiFencing } from "./_fencing.ts";
import { withQuorum } from "./_membership.ts";
import { serveFetch } from "./_http.ts";
import { DEFAULT_STATE_DIR, ensureStateDir, loadOrCreateToken, removeApiInfo, writeApiInfo } from "./_state.ts";

const OPTIONS = {
  "state-dir": { type: "string", description: `State directory (default $ATRIUM_STATE_DIR, else ${DEFAULT_STATE_DIR})` },
  listen: { type: "string", description: "Address and port of the HTTP endpoint (default 127.0.0.1:0, a free port)" },
  "node-name": { type: "string", description: "This node's name (default: the host name)" },
  "no-controller": { type: "boolean", description: "Serve the CIB and the API only: run no resources (maintenance, tests)" },
  help: { type: "boolean", short: "h", description: "Show this help" },
} as const;

const USAGE = `Usage: atriumd [--state-dir DIR] [--listen ADDR:PORT] [--node-name NAME] [--no-controller]\n\n` +
  `Run the Atrium cluster node daemon in the foreground.\n\n${formatOptions(OPTIONS)}\n`;

export { startNodeController } from "./_controller.ts";

/** How the daemon is wired to the outside (tests replace signals). */
export interface AtriumdHooks {
  /** Register a handler for SIGTERM/SIGINT; returns an unregister function. */
  onSignal?(handler: (sig: string) => void): () => void;
  /** Called once serving, with the endpoint's URL. */
  ready?(info: { url: string; stateDir: string }): void;
  /**
   * Start the controller. Called after the CIB is loaded and before the endpoint serves; its
   * `stop()` runs at shutdown before the CIB service closes. The executable (main.ts) passes
   * {@link startNodeController}; without the hook (library use, tests) no resources are run.
   */
  startController?(ctx: ControllerContext): Promise<{ stop(): Promise<void> }>;
}

/** What the controller gets from the daemon. */
export interface ControllerContext {
  /** The CIB service (get(), apply(edit), onChange(listener)). */
  readonly service: CibService;
  /** This node's name. */
  readonly nodeName: string;
  /** The remote authkey, when one was found (for remote and guest connections). */
  readonly authkey: Uint8Array | undefined;
  /** One log line. */
  readonly log: (level: "debug" | "info" | "warn" | "error", line: string) => void;
  /** The daemon's state directory. */
  readonly stateDir: string;
  /** The daemon's environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Parse `ADDR:PORT` (`[v6]:PORT` too). */
export function parseListen(text: string): { hostname: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new TypeError(`Cannot use --listen ${quote(text)}: expected ADDR:PORT such as 127.0.0.1:7070 (port 0 picks a free one)`);
  return { hostname: (m[1] ?? m[2])!, port };
}

/** Log lines to stderr; debug lines only with `ATRIUM_DEBUG=1`. */
function logger(io: CommandIo): ControllerContext["log"] {
  const debug = /^(1|true|yes|on)$/i.test(io.env.ATRIUM_DEBUG ?? "");
  return (level, line) => {
    if (level === "debug" && !debug) return;
    io.stderr(`${new Date().toISOString()} atriumd ${level}: ${line}\n`);
  };
}

/** Run the daemon until a signal; returns the exit code. */
export async function runAtriumd(argv: readonly string[], io: CommandIo, hooks: AtriumdHooks = {}): Promise<number> {
  const { values } = parseCommandArgs(argv, OPTIONS, { command: "atriumd", allowPositionals: false });
  if (values.help === true) {
    io.stdout(USAGE);
    return Exit.OK;
  }
  const log = logger(io);
  const stateDir = resolve(io.cwd, values["state-dir"] ?? io.env.ATRIUM_STATE_DIR ?? DEFAULT_STATE_DIR);
  const listen = parseListen(values.listen ?? "127.0.0.1:0");
  const nodeName = values["node-name"] ?? hostname().split(".")[0] ?? "localhost";

  // The authkey is only held for guest and remote connections (the controller's, later).
  let authkey: Uint8Array | undefined;
  try {
    authkey = loadAuthkey({ env: io.env }).key;
  } catch (e) {
    log("warn", `No remote authkey: ${e instanceof Error ? e.message : String(e)}; remote and guest nodes cannot be reached until one exists`);
  }

  let service: CibService;
  try {
    await ensureStateDir(stateDir);
    const store = await FileStore.open(join(stateDir, "cib"), { onListenerError: (e) => log("error", `CIB watcher failed: ${String(e)}`) });
    try {
      service = await CibService.open(store, { nodeName, onListenerError: (e) => log("error", `CIB change listener failed: ${String(e)}`) });
    } catch (e) {
      await store.close();
      throw e;
    }
  } catch (e) {
    const code = isAtriumError(e) ? ` [${e.code}]` : (e as { code?: string }).code !== undefined ? ` [${(e as { code?: string }).code}]` : "";
    io.stderr(`atriumd: Cannot open the CIB in state dir ${quote(stateDir)}: ${e instanceof Error ? e.message : String(e)}${code}\n`);
    return Exit.UNAVAILABLE;
  }

  // Membership stand-in until the cluster layer exists: the local node is known (added when
  // the CIB was made for another name), up and a member.
  try {
    await service.apply((cib) => addClusterNode(cib, nodeName));
    await service.apply((cib) => markNodeMember(cib, nodeName));
    await service.apply((cib) => withQuorum(cib));
  } catch (e) {
    log("warn", `Cannot record node ${quote(nodeName)} as a member: ${e instanceof Error ? e.message : String(e)}`);
  }
  // Nodes added or removed later change the vote count.
  const offQuorum = service.onChange(() => {
    if (withQuorum(service.get()) === service.get()) return;
    service.apply((cib) => withQuorum(cib)).catch((e) => log("warn", `Cannot record quorum: ${e instanceof Error ? e.message : String(e)}`));
  });

  // ---------------------------------------------------------------------------------------
  // CONTROLLER: the controller starts here (through hooks.startController until core/controller
  // has an entry point to call directly). It gets the CIB service (get(), apply(), onChange()
  // to re-schedule), this node's name and the authkey, and is stopped at shutdown below,
  // before the CIB service closes.
  let controller: { stop(): Promise<void> } | undefined;
  if (values["no-controller"] !== true && hooks.startController !== undefined) {
    try {
      controller = await hooks.startController({ service, nodeName, authkey, log, stateDir, env: io.env });
    } catch (e) {
      io.stderr(`atriumd: Cannot start the controller: ${e instanceof Error ? e.message : String(e)}\n`);
      await service.close();
      return Exit.SOFTWARE;
    }
  }
  // ---------------------------------------------------------------------------------------

  const { token } = await loadOrCreateToken(stateDir);
  const app = createApi({ service, token, log: (line) => log("info", line), ...apiFencing(controller) });
  let server;
  try {
    server = await serveFetch((r) => app.fetch(r), { ...listen, onError: (e) => log("error", `HTTP handler failed: ${String(e)}`) });
  } catch (e) {
    io.stderr(`atriumd: Cannot listen on ${quote(`${listen.hostname}:${listen.port}`)}: ${e instanceof Error ? e.message : String(e)}\n`);
    await service.close();
    return Exit.UNAVAILABLE;
  }
  await writeApiInfo(stateDir, { url: server.url, pid: process.pid, node: nodeName });
  log("info", `Ready: node ${quote(nodeName)}, CIB ${formatCibVersion(service.version())}, API ${server.url}, state dir ${quote(stateDir)}`);
  hooks.ready?.({ url: server.url, stateDir });

  const sig = await new Promise<string>((res) => {
    const off = hooks.onSignal?.((s) => {
      off?.();
      res(s);
    });
  });
  log("info", `Received ${sig}: shutting down`);
  await removeApiInfo(stateDir).catch(() => {});
  await server.close();
  if (controller !== undefined) {
    try {
      await controller.stop();
    } catch (e) {
      log("error", `The controller did not stop cleanly: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  try {
    offQuorum();
    await service.apply((cib) => markNodeMember(cib, nodeName, false));
  } catch {
    // the node may have been removed from the CIB; nothing to record then
  }
  await service.close();
  log("info", "Stopped");
  return Exit.OK;
}
