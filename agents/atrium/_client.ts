/**
 * The CLI's HTTP client for atriumd: finds the daemon through `DIR/api.json` and `DIR/token`
 * (DIR from `ATRIUM_STATE_DIR`, default /var/lib/atrium), sends JSON, turns problem documents
 * into one-line messages. A daemon that is not running gets a message naming the state dir
 * and what to start. The token is never printed.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { CommandIo } from "../_command.ts";
import { Exit } from "../_command.ts";

/** The default state directory (as atriumd's). */
export const DEFAULT_STATE_DIR = "/var/lib/atrium";

/** A failure to reach the daemon or a refused request, with the exit code to use. */
export class ClientError extends Error {
  override readonly name = "ClientError";
  readonly exitCode: number;
  readonly code: string | undefined;
  constructor(message: string, exitCode: number, code?: string) {
    super(message);
    this.exitCode = exitCode;
    this.code = code;
  }
}

/** The state directory the CLI uses. */
export function stateDir(io: CommandIo): string {
  return resolve(io.cwd, io.env.ATRIUM_STATE_DIR ?? DEFAULT_STATE_DIR);
}

function notRunning(dir: string, why: string): ClientError {
  return new ClientError(
    `Cannot reach atriumd for state dir "${dir}": ${why}. Start it with "atriumd --state-dir ${dir}" (or set ATRIUM_STATE_DIR to the state dir of the running daemon)`,
    Exit.UNAVAILABLE,
    "DAEMON_NOT_RUNNING",
  );
}

/** A connection to atriumd. */
export interface ApiClient {
  readonly url: string;
  /** Send a request; resolves the parsed JSON (or text) of a 2xx answer, throws ClientError otherwise. */
  call(method: string, path: string, body?: unknown): Promise<unknown>;
}

/** Find the daemon of the CLI's state directory. */
export async function connect(io: CommandIo): Promise<ApiClient> {
  const dir = stateDir(io);
  let url: string;
  let token: string;
  try {
    const info = JSON.parse(await readFile(join(dir, "api.json"), "utf8")) as { url?: unknown };
    if (typeof info.url !== "string" || !/^https?:\/\//.test(info.url)) throw new Error("no url");
    url = info.url;
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw notRunning(dir, code === "ENOENT" ? "it is not running (no api.json)" : "its api.json is unreadable");
  }
  try {
    token = (await readFile(join(dir, "token"), "utf8")).trim();
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new ClientError(
      code === "EACCES" ? `Cannot read the API token in "${dir}": permission denied (run as the daemon's user or root)` : `Cannot read the API token in "${dir}": ${code ?? "unreadable"}`,
      Exit.NOINPUT,
      "TOKEN_UNREADABLE",
    );
  }
  return {
    url,
    async call(method, path, body) {
      let res: Response;
      try {
        res = await fetch(url + path, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
      } catch {
        throw notRunning(dir, `nothing answers at ${url}`);
      }
      const text = await res.text();
      const type = res.headers.get("content-type") ?? "";
      if (!res.ok) {
        let detail = `HTTP ${res.status}`;
        let code: string | undefined;
        try {
          const p = JSON.parse(text) as { detail?: string; code?: string };
          detail = p.detail ?? detail;
          code = p.code;
        } catch {
          // not a problem document
        }
        throw new ClientError(detail, res.status === 401 ? Exit.NOINPUT : Exit.ERROR, code);
      }
      return /json/.test(type) ? JSON.parse(text) : text;
    },
  };
}

/** Run `fn` with a client; ClientErrors become a message on stderr and their exit code. */
export async function withClient(io: CommandIo, command: string, fn: (c: ApiClient) => Promise<number>): Promise<number> {
  try {
    return await fn(await connect(io));
  } catch (e) {
    if (e instanceof ClientError) {
      io.stderr(`${command}: ${e.message}${e.code !== undefined ? ` [${e.code}]` : ""}\n`);
      return e.exitCode;
    }
    throw e;
  }
}

/** Send an update and report it: the new CIB version on stdout, warnings on stderr. */
export async function sendUpdate(io: CommandIo, c: ApiClient, method: string, path: string, body?: unknown): Promise<void> {
  const r = (await c.call(method, path, body)) as { version?: string; change?: string; warnings?: string[] };
  for (const w of r.warnings ?? []) io.stderr(`warning: ${w}\n`);
  io.stdout(r.change === "none" ? `No change (CIB version ${r.version})\n` : `Done (CIB version ${r.version})\n`);
}
