/**
 * Argument checks for executor requests (bad input changes nothing).
 * @module
 */
import { quote } from "../errors.ts";
import { DEFAULT_OUTPUT_CAP_BYTES } from "./spawn.ts";
import type { ExecRequest, ExecutorOptions, ResourceSpec } from "./types.ts";

function isStringRecord(v: unknown): boolean {
  if (v === undefined) return true;
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  return Object.values(v as Record<string, unknown>).every((x) => typeof x === "string");
}

function nonNegInt(what: string, v: unknown, ctx: string): void {
  if (v === undefined) return;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new RangeError(`Cannot ${ctx}: ${what} ${quote(v)} must be a non-negative integer`);
  }
}

/** Throws TypeError/RangeError for a malformed resource spec. */
export function validateSpec(spec: ResourceSpec): void {
  if (spec === null || typeof spec !== "object") throw new TypeError("Cannot register resource: expected an object");
  if (typeof spec.id !== "string" || spec.id === "") {
    throw new TypeError(`Cannot register resource ${quote(spec.id)}: id must be a non-empty string`);
  }
  const a = spec.agent;
  if (a === null || typeof a !== "object" || typeof a.class !== "string" || a.class === "" ||
    typeof a.type !== "string" || a.type === "" || (a.provider !== undefined && typeof a.provider !== "string")) {
    throw new TypeError(`Cannot register resource ${quote(spec.id)}: agent must have a class and a type`);
  }
  if (!isStringRecord(spec.params) || !isStringRecord(spec.meta)) {
    throw new TypeError(`Cannot register resource ${quote(spec.id)}: params and meta must map names to strings`);
  }
}

/** Throws TypeError/RangeError for a malformed exec request. */
export function validateRequest(req: ExecRequest): void {
  if (req === null || typeof req !== "object") throw new TypeError("Cannot run operation: expected an object");
  const ctx = `run ${quote(req.action)} on ${quote(req.resource)}`;
  if (typeof req.resource !== "string" || req.resource === "") throw new TypeError(`Cannot ${ctx}: resource must be a non-empty string`);
  if (typeof req.action !== "string" || !/^[A-Za-z0-9_.-]+$/.test(req.action)) {
    throw new TypeError(`Cannot ${ctx}: action must be a name like "monitor"`);
  }
  if (typeof req.timeoutMs !== "number" || !Number.isInteger(req.timeoutMs) || req.timeoutMs <= 0) {
    throw new RangeError(`Cannot ${ctx}: timeoutMs ${quote(req.timeoutMs)} must be a positive integer`);
  }
  nonNegInt("intervalMs", req.intervalMs, ctx);
  nonNegInt("startDelayMs", req.startDelayMs, ctx);
  nonNegInt("depth", req.depth, ctx);
  if (req.callId !== undefined && (!Number.isInteger(req.callId) || req.callId <= 0)) {
    throw new RangeError(`Cannot ${ctx}: callId ${quote(req.callId)} must be a positive integer`);
  }
  if (req.userdata !== undefined && typeof req.userdata !== "string") throw new TypeError(`Cannot ${ctx}: userdata must be a string`);
  if (!isStringRecord(req.params) || !isStringRecord(req.meta) || !isStringRecord(req.env)) {
    throw new TypeError(`Cannot ${ctx}: params, meta and env must map names to strings`);
  }
}

/** Checks executor options; returns the concurrency bound and output cap with defaults applied. */
export function validateOptions(options: ExecutorOptions): { maxConcurrent: number; outputCapBytes: number } {
  if (typeof options?.resolveClass !== "function") {
    throw new TypeError('Cannot create executor: option "resolveClass" must be a function');
  }
  const max = options.maxConcurrent ?? 64;
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`Cannot create executor: maxConcurrent ${quote(max)} must be a positive integer`);
  }
  const cap = options.outputCapBytes ?? DEFAULT_OUTPUT_CAP_BYTES;
  if (!Number.isInteger(cap) || cap < 0) {
    throw new RangeError(`Cannot create executor: outputCapBytes ${quote(cap)} must be a non-negative integer`);
  }
  return { maxConcurrent: max, outputCapBytes: cap };
}
