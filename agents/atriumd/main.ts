#!/usr/bin/env node
import process from "node:process";
import { runMain } from "../_process_io.ts";
import { runAtriumd } from "./mod.ts";

// Catch SIGTERM/SIGINT from the very start (one arriving while starting is handled once ready).
let pending: string | undefined;
let handler: ((sig: string) => void) | undefined;
const onSig = (s: NodeJS.Signals) => {
  if (handler) handler(s);
  else pending ??= s;
};
process.on("SIGTERM", onSig);
process.on("SIGINT", onSig);
// A daemon must not die of one request's bug: log and keep serving.
process.on("unhandledRejection", (e) => {
  process.stderr.write(`${new Date().toISOString()} atriumd error: Unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
});

runMain((argv, io) =>
  runAtriumd(argv, io, {
    onSignal(h) {
      handler = h;
      if (pending !== undefined) queueMicrotask(() => h(pending!));
      return () => {
        handler = undefined;
      };
    },
  }).then((code) => {
    setTimeout(() => process.exit(code), 50).unref();
    return code;
  })
);
