#!/usr/bin/env node
import process from "node:process";
import { runMain } from "../_process_io.ts";
import { runRemoted } from "./mod.ts";

// Catch SIGTERM/SIGINT from the very start (a signal that arrives while starting is kept and
// handled as soon as the daemon is listening).
let pending: string | undefined;
let handler: ((sig: string) => void) | undefined;
const onSig = (s: NodeJS.Signals) => {
  if (handler) handler(s);
  else pending ??= s;
};
process.on("SIGTERM", onSig);
process.on("SIGINT", onSig);
// A TLS failure of one connection emitted before its handler is attached (core/tls-psk can
// emit 'error' on the socket right as the handshake resolves, when the peer sends a bad
// record in the same segment as its Finished) must not take the daemon down: log it.
process.on("uncaughtException", (e) => {
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("TLS_")) {
    process.stderr.write(`${new Date().toISOString()} atrium-remoted warn: Connection dropped: ${e.message} (${code})\n`);
    return;
  }
  process.stderr.write(`${new Date().toISOString()} atrium-remoted error: ${e.stack ?? e.message}\n`);
  process.exit(70);
});
// A daemon must not die of one connection's bug: log and keep serving.
process.on("unhandledRejection", (e) => {
  process.stderr.write(`${new Date().toISOString()} atrium-remoted error: Unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
});

runMain((argv, io) =>
  runRemoted(argv, io, {
    onSignal(h) {
      handler = h;
      if (pending !== undefined) queueMicrotask(() => h(pending!));
      return () => {
        handler = undefined;
      };
    },
  }).then((code) => {
    // Timers of the executor must not keep the process alive after shutdown.
    setTimeout(() => process.exit(code), 50).unref();
    return code;
  })
);
