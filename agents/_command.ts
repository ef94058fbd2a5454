/**
 * The shape of a CLI sub-command. Commands write through `io` and return an exit code, so tests
 * run them in-process; only each executable's `main.ts` touches `process`.
 */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Environment variables (a copy; commands never mutate the process environment). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The directory relative paths are resolved against. */
  readonly cwd: string;
}

export interface Command {
  /** The words that select it, e.g. ["cib", "export"]. */
  readonly path: readonly string[];
  /** One line for `atrium --help`. */
  readonly summary: string;
  /** `args` are the words after the command's path. Returns the exit code. */
  run(args: readonly string[], io: CommandIo): Promise<number>;
}

/** Exit codes shared by the executables (sysexits-style, as Pacemaker's tools use). */
export const Exit = {
  OK: 0,
  ERROR: 1,
  USAGE: 64,
  DATAERR: 65,
  NOINPUT: 66,
  UNAVAILABLE: 69,
  SOFTWARE: 70,
  /** crm_verify exits 78 (CRM_EX_CONFIG) for an invalid configuration. */
  CONFIG: 78,
} as const;
