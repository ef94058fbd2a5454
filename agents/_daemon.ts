/**
 * The process edge the daemons (atriumd, atrium-remoted) share: SIGTERM/SIGINT are caught from
 * the very start (one that arrives while the daemon starts is kept and handed over as soon as
 * it listens), an unhandled rejection is logged instead of ending the daemon, and the process
 * exits shortly after the daemon's main resolves.
 */
import process from "node:process";
import type { CommandIo } from "./_command.ts";
import { runMain } from "./_process_io.ts";

/** What a daemon's main receives besides argv and io: where to hand its signal handler. */
export interface DaemonSignalHooks {
  /** Install the daemon's signal handler; returns a function that removes it again. */
  onSignal(handler: (sig: string) => void): () => void;
}

/** A daemon's main: resolves to the exit code once it has shut down. */
export type DaemonMain = (argv: string[], io: CommandIo, hooks: DaemonSignalHooks) => Promise<number>;

/**
 * Run daemon `name`'s `main` as this process.
 *
 * @example
 * ```ts
 * runDaemonMain("atriumd", runAtriumd);
 * ```
 */
export function runDaemonMain(name: string, main: DaemonMain): void {
  let pending: string | undefined;
  let handler: ((sig: string) => void) | undefined;
  const onSig = (s: NodeJS.Signals) => {
    if (handler) handler(s);
    else pending ??= s;
  };
  process.on("SIGTERM", onSig);
  process.on("SIGINT", onSig);
  // A daemon must not die of one request's or connection's bug: log and keep serving.
  process.on("unhandledRejection", (e) => {
    process.stderr.write(
      `${new Date().toISOString()} ${name} error: Unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
  });
  const hooks: DaemonSignalHooks = {
    onSignal(h) {
      handler = h;
      if (pending !== undefined) queueMicrotask(() => h(pending!));
      return () => {
        handler = undefined;
      };
    },
  };
  runMain((argv, io) =>
    main(argv, io, hooks).then((code) => {
      // Timers (the executor's, idle connections') must not keep the process alive after shutdown.
      setTimeout(() => process.exit(code), 50).unref();
      return code;
    })
  );
}
