/**
 * Check alert configuration handed over as plain data (plugin configuration, JSON), filling in
 * Pacemaker's defaults. Throws `TypeError` naming the field path and the bad value.
 * @module
 */
import { type AlertConfig, type AlertRecipient, type AlertSelect, DEFAULT_ALERT_TIMEOUT_MS, DEFAULT_TIMESTAMP_FORMAT } from "./config.ts";

function fail(path: string, value: unknown, expected: string): never {
  throw new TypeError(`Cannot configure alerts: ${path} is ${JSON.stringify(value) ?? String(value)}, expected ${expected}`);
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(path, v, "an object");
  return v as Record<string, unknown>;
}

function str(v: unknown, path: string, nonEmpty = true): string {
  if (typeof v !== "string" || (nonEmpty && v === "")) fail(path, v, nonEmpty ? "a non-empty string" : "a string");
  return v;
}

function optTimeout(v: unknown, path: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) fail(path, v, "a positive number of ms");
  return v;
}

function env(v: unknown, path: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  const o = obj(v, path);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) {
    if (k === "" || k.includes("=")) fail(`${path} key`, k, "an environment variable name");
    out[k] = str(x, `${path}.${k}`, false);
  }
  return out;
}

function select(v: unknown, path: string): AlertSelect | undefined {
  if (v === undefined) return undefined;
  const o = obj(v, path);
  const flag = (k: string): boolean => {
    const x = o[k];
    if (x === undefined) return false;
    if (typeof x !== "boolean") fail(`${path}.${k}`, x, "a boolean");
    return x;
  };
  let names: string[] | undefined;
  if (o["attributeNames"] !== undefined) {
    if (!Array.isArray(o["attributeNames"])) fail(`${path}.attributeNames`, o["attributeNames"], "an array of names");
    names = (o["attributeNames"] as unknown[]).map((n, i) => str(n, `${path}.attributeNames[${i}]`));
  }
  return {
    nodes: flag("nodes"),
    fencing: flag("fencing"),
    resources: flag("resources"),
    attributes: flag("attributes"),
    ...(names !== undefined && names.length > 0 ? { attributeNames: names } : {}),
  };
}

/**
 * Validate a list of alerts given as plain data. `timeoutMs`, `timestampFormat`, `env` and
 * `recipients` may be omitted (Pacemaker's defaults apply).
 *
 * @example
 * ```ts
 * validateAlertConfigs([{ id: "a", path: "/usr/local/bin/alert.sh", recipients: [{ id: "r", value: "/var/log/a" }] }]);
 * ```
 */
export function validateAlertConfigs(value: unknown, path = "alerts"): AlertConfig[] {
  if (!Array.isArray(value)) fail(path, value, "an array of alerts");
  const seen = new Set<string>();
  return value.map((a, i) => {
    const p = `${path}[${i}]`;
    const o = obj(a, p);
    const id = str(o["id"], `${p}.id`);
    if (seen.has(id)) fail(`${p}.id`, id, "an id not used by another alert");
    seen.add(id);
    const recipientsRaw = o["recipients"] ?? [];
    if (!Array.isArray(recipientsRaw)) fail(`${p}.recipients`, recipientsRaw, "an array");
    const recipients: AlertRecipient[] = (recipientsRaw as unknown[]).map((r, j) => {
      const rp = `${p}.recipients[${j}]`;
      const ro = obj(r, rp);
      const rEnv = env(ro["env"], `${rp}.env`);
      const rTimeout = optTimeout(ro["timeoutMs"], `${rp}.timeoutMs`);
      const rSelect = select(ro["select"], `${rp}.select`);
      return {
        id: ro["id"] === undefined ? `${id}-recipient-${j}` : str(ro["id"], `${rp}.id`),
        value: str(ro["value"], `${rp}.value`, false),
        ...(rEnv !== undefined ? { env: rEnv } : {}),
        ...(rTimeout !== undefined ? { timeoutMs: rTimeout } : {}),
        ...(ro["timestampFormat"] !== undefined ? { timestampFormat: str(ro["timestampFormat"], `${rp}.timestampFormat`, false) } : {}),
        ...(rSelect !== undefined ? { select: rSelect } : {}),
      };
    });
    const sel = select(o["select"], `${p}.select`);
    return {
      id,
      path: str(o["path"], `${p}.path`),
      timeoutMs: optTimeout(o["timeoutMs"], `${p}.timeoutMs`) ?? DEFAULT_ALERT_TIMEOUT_MS,
      timestampFormat: o["timestampFormat"] === undefined
        ? DEFAULT_TIMESTAMP_FORMAT
        : str(o["timestampFormat"], `${p}.timestampFormat`, false),
      env: env(o["env"], `${p}.env`) ?? {},
      recipients,
      ...(sel !== undefined ? { select: sel } : {}),
    };
  });
}
