/**
 * Alert configuration as plain data, the parser of the CIB's `<alerts>` section (over a minimal
 * element-tree shape that core/cib's model satisfies), and its resolution into the per-recipient
 * entries Pacemaker 2.1.5 runs.
 * @module
 */

/** Which events an alert (or recipient) receives. */
export interface AlertSelect {
  readonly nodes: boolean;
  readonly fencing: boolean;
  readonly resources: boolean;
  readonly attributes: boolean;
  /** With `attributes`: only these attribute names (absent: all). */
  readonly attributeNames?: readonly string[];
}

/** A recipient: its `value` becomes CRM_alert_recipient; anything set here overrides the alert. */
export interface AlertRecipient {
  readonly id: string;
  readonly value: string;
  /** Instance attributes merged over the alert's. */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly timestampFormat?: string;
  /** The recipient's own select (its attribute names replace the alert's only when it lists some). */
  readonly select?: AlertSelect;
}

/** One `<alert>`. */
export interface AlertConfig {
  readonly id: string;
  /** The agent program. */
  readonly path: string;
  /** meta_attributes `timeout` (default 30000). */
  readonly timeoutMs: number;
  /** meta_attributes `timestamp-format` (default "%H:%M:%S.%06N"). */
  readonly timestampFormat: string;
  /** Instance attributes, passed as environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly recipients: readonly AlertRecipient[];
  /** Absent: nodes, fencing and resources (not attributes), as Pacemaker. */
  readonly select?: AlertSelect;
}

/** One agent run per event: an alert, or one of its recipients, with everything resolved. */
export interface AlertEntry {
  readonly id: string;
  readonly path: string;
  /** The recipient value ("" when the alert has no recipient). */
  readonly recipient: string;
  readonly recipientId?: string;
  readonly timeoutMs: number;
  readonly timestampFormat: string;
  readonly env: Readonly<Record<string, string>>;
  readonly select: AlertSelect;
}

/** Pacemaker's default alert timeout, in ms. */
export const DEFAULT_ALERT_TIMEOUT_MS = 30_000;
/** Pacemaker's default alert timestamp format. */
export const DEFAULT_TIMESTAMP_FORMAT = "%H:%M:%S.%06N";
/** Events an alert receives when it has no `<select>`. */
export const DEFAULT_SELECT: AlertSelect = { nodes: true, fencing: true, resources: true, attributes: false };

/** The element shape the parser reads; core/cib's `CibElement` satisfies it. */
export interface AlertXmlNode {
  readonly tag: string;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly children?: readonly AlertXmlNode[];
}

/**
 * A duration as Pacemaker's crm_get_msec reads it: a number with an optional unit (ms, msec,
 * us, usec, s, sec, m, min, h, hr; none means seconds). Undefined when it does not parse.
 */
export function parseAlertDuration(value: string): number | undefined {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(ms|msec|us|usec|s|sec|m|min|h|hr)?\s*$/i.exec(value);
  if (m === null) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? "s").toLowerCase();
  const factor: Record<string, number> = { ms: 1, msec: 1, us: 0.001, usec: 0.001, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, hr: 3_600_000 };
  return Math.trunc(n * factor[unit]!);
}

function elements(n: AlertXmlNode | undefined, tag: string): AlertXmlNode[] {
  return (n?.children ?? []).filter((c) => c.tag === tag);
}

function attr(n: AlertXmlNode, name: string): string | undefined {
  return n.attrs?.[name];
}

/** Warnings about ignored configuration (alerts without id or path, sets with rules, ...). */
export type AlertWarning = (message: string) => void;

interface Partial0 {
  env?: Record<string, string>;
  timeoutMs?: number;
  timestampFormat?: string;
  select?: AlertSelect;
}

function unpackOwn(el: AlertXmlNode, where: string, warn: AlertWarning): Partial0 {
  const out: Partial0 = {};
  // Instance attributes: the first set only, later nvpairs of a name win (as Pacemaker).
  const inst = elements(el, "instance_attributes")[0];
  if (inst !== undefined) {
    const env: Record<string, string> = {};
    for (const nv of elements(inst, "nvpair")) {
      const name = attr(nv, "name");
      if (name === undefined || name === "") {
        warn(`Ignoring nvpair without a name in ${where}`);
        continue;
      }
      env[name] = attr(nv, "value") ?? "";
    }
    out.env = env;
  }
  // Meta attributes: every set, the first value of a name wins.
  const meta: Record<string, string> = {};
  for (const set of elements(el, "meta_attributes")) {
    if (elements(set, "rule").length > 0) {
      warn(`Ignoring meta_attributes "${attr(set, "id") ?? ""}" of ${where}: rules are not evaluated for alerts`);
      continue;
    }
    for (const nv of elements(set, "nvpair")) {
      const name = attr(nv, "name");
      if (name !== undefined && !(name in meta)) meta[name] = attr(nv, "value") ?? "";
    }
  }
  if (meta["timeout"] !== undefined) {
    const ms = parseAlertDuration(meta["timeout"]);
    if (ms === undefined || ms < 0) warn(`Alert ${where} has invalid timeout "${meta["timeout"]}": using the default ${DEFAULT_ALERT_TIMEOUT_MS}ms`);
    out.timeoutMs = ms === undefined || ms <= 0 ? DEFAULT_ALERT_TIMEOUT_MS : ms;
  }
  if (meta["timestamp-format"] !== undefined) out.timestampFormat = meta["timestamp-format"];
  const select = elements(el, "select")[0];
  if (select !== undefined) {
    const kinds = (select.children ?? []).map((c) => c.tag);
    if (kinds.some((k) => ["select_nodes", "select_fencing", "select_resources", "select_attributes"].includes(k))) {
      const names = elements(elements(select, "select_attributes")[0], "attribute")
        .map((a) => attr(a, "name"))
        .filter((n): n is string => n !== undefined);
      out.select = {
        nodes: kinds.includes("select_nodes"),
        fencing: kinds.includes("select_fencing"),
        resources: kinds.includes("select_resources"),
        attributes: kinds.includes("select_attributes"),
        ...(names.length > 0 ? { attributeNames: names } : {}),
      };
    }
  }
  return out;
}

/**
 * Parse the CIB's `<alerts>` element (or an element holding `<alert>` children). Alerts without
 * an id or path, and recipients without a value, are skipped with a warning; nothing throws for
 * bad content. Rules in meta_attributes are not evaluated (such sets are skipped with a warning).
 *
 * @example
 * ```ts
 * const alerts = parseAlertsElement(alertsSection, (w) => log.warn(w));
 * notifier.configure(alerts);
 * ```
 */
export function parseAlertsElement(alerts: AlertXmlNode | undefined, warn: AlertWarning = () => {}): AlertConfig[] {
  const out: AlertConfig[] = [];
  for (const el of elements(alerts, "alert")) {
    const id = attr(el, "id");
    const path = attr(el, "path");
    if (id === undefined || id === "" || path === undefined || path === "") {
      warn(`Ignoring invalid alert without id and path (id ${JSON.stringify(id ?? null)})`);
      continue;
    }
    const own = unpackOwn(el, `"${id}"`, warn);
    const recipients: AlertRecipient[] = [];
    for (const r of elements(el, "recipient")) {
      const rid = attr(r, "id") ?? "";
      const value = attr(r, "value");
      if (value === undefined) {
        warn(`Ignoring recipient "${rid}" of alert "${id}": it has no value`);
        continue;
      }
      const rown = unpackOwn(r, `"${id}" recipient "${rid}"`, warn);
      recipients.push({
        id: rid,
        value,
        ...(rown.env !== undefined ? { env: rown.env } : {}),
        ...(rown.timeoutMs !== undefined ? { timeoutMs: rown.timeoutMs } : {}),
        ...(rown.timestampFormat !== undefined ? { timestampFormat: rown.timestampFormat } : {}),
        ...(rown.select !== undefined ? { select: rown.select } : {}),
      });
    }
    out.push({
      id,
      path,
      timeoutMs: own.timeoutMs ?? DEFAULT_ALERT_TIMEOUT_MS,
      timestampFormat: own.timestampFormat ?? DEFAULT_TIMESTAMP_FORMAT,
      env: own.env ?? {},
      recipients,
      ...(own.select !== undefined ? { select: own.select } : {}),
    });
  }
  return out;
}

function mergeSelect(base: AlertSelect, over: AlertSelect | undefined): AlertSelect {
  if (over === undefined) return base;
  // As Pacemaker: a recipient's select replaces the kinds; its attribute names replace the
  // alert's only when it lists some.
  const names = over.attributeNames ?? base.attributeNames;
  return {
    nodes: over.nodes,
    fencing: over.fencing,
    resources: over.resources,
    attributes: over.attributes,
    ...(names !== undefined ? { attributeNames: names } : {}),
  };
}

/**
 * The entries to run, in Pacemaker's order: Pacemaker prepends each entry to its list, so the
 * last recipient of the last alert runs (and takes its sequence number) first.
 */
export function resolveAlertEntries(alerts: readonly AlertConfig[]): AlertEntry[] {
  const out: AlertEntry[] = [];
  for (const a of alerts) {
    const base: AlertEntry = {
      id: a.id,
      path: a.path,
      recipient: "",
      timeoutMs: a.timeoutMs,
      timestampFormat: a.timestampFormat,
      env: a.env,
      select: a.select ?? DEFAULT_SELECT,
    };
    if (a.recipients.length === 0) out.push(base);
    for (const r of a.recipients) {
      out.push({
        ...base,
        recipient: r.value,
        recipientId: r.id,
        timeoutMs: r.timeoutMs ?? a.timeoutMs,
        timestampFormat: r.timestampFormat ?? a.timestampFormat,
        env: { ...a.env, ...(r.env ?? {}) },
        select: mergeSelect(base.select, r.select),
      });
    }
  }
  return out.reverse();
}
