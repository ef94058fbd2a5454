/** Plugin contexts and loggers the registry hands to hooks. */
import { currentRuntime } from "../runtime.ts";
import type { Logger, PluginContext } from "./types.ts";

/** A logger that drops everything (the registry's default). */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

/** A logger that adds `fields` to every record written through it. */
export function childLogger(log: Logger, fields: Record<string, unknown>): Logger {
  return {
    debug: (msg, f) => log.debug(msg, { ...fields, ...f }),
    info: (msg, f) => log.info(msg, { ...fields, ...f }),
    warn: (msg, f) => log.warn(msg, { ...fields, ...f }),
    error: (msg, f) => log.error(msg, { ...fields, ...f }),
  };
}

/** A context whose signal aborts when any of `signals` does. */
export function makeContext(log: Logger, ...signals: AbortSignal[]): PluginContext {
  const signal = signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
  return Object.freeze({ log, signal, runtime: currentRuntime() });
}
