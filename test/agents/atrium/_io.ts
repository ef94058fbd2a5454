/** The capturing CommandIo the CLI suites share (not a test file itself). */
import type { CommandIo } from "../../../agents/_command.ts";

/** A CommandIo with environment `env` and working directory `cwd` that keeps what is written. */
export function captureIo(env: Record<string, string>, cwd: string): CommandIo & { out: string; err: string } {
  const o = {
    out: "",
    err: "",
    env,
    cwd,
    stdout(t: string) {
      o.out += t;
    },
    stderr(t: string) {
      o.err += t;
    },
  };
  return o;
}
