/**
 * The runtime edge of the executables: process argv, streams and exit. Node and Deno both
 * provide `node:process`.
 */
import process from "node:process";
import type { CommandIo } from "./_command.ts";

export function processIo(): CommandIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    env: { ...process.env },
    cwd: process.cwd(),
  };
}

/** Run `main` and exit with its code once stdout has drained. */
export function runMain(main: (argv: string[], io: CommandIo) => Promise<number>): void {
  main(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
