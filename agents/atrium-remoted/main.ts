#!/usr/bin/env node
import process from "node:process";
import { runDaemonMain } from "../_daemon.ts";
import { runRemoted } from "./mod.ts";

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

runDaemonMain("atrium-remoted", runRemoted);
