/**
 * `createResource`: add a primitive to the resources section, as `pcs resource create` does
 * (ids of the generated sets and operations follow pcs: `ID-instance_attributes`,
 * `ID-meta_attributes`, `ID-NAME-interval-INTERVAL`).
 */
import type { Cib, CibElement } from "../model.ts";
import { checkId, checkName, checkValue, el, freeId, requireFreeId, updateSection } from "./_util.ts";
import { quote } from "../../errors.ts";

/** A resource agent: `class:provider:type` or `class:type`, parsed. */
export interface AgentSpec {
  readonly class: string;
  readonly provider?: string;
  readonly type: string;
}

/** One operation of a new resource: `name`, `interval` and any other `op` attributes. */
export interface OpSpec {
  readonly name: string;
  readonly interval?: string;
  readonly [attr: string]: string | undefined;
}

/** What {@link createResource} creates. */
export interface CreateResourceSpec {
  readonly id: string;
  /** `class:provider:type` or `class:type` (e.g. `ocf:pacemaker:Dummy`, `systemd:nginx`, `launcher:netns`). */
  readonly agent: string;
  /** Instance attributes (agent parameters). */
  readonly params?: Readonly<Record<string, string>>;
  /** Meta attributes (`target-role`, `remote-node`, ...). */
  readonly meta?: Readonly<Record<string, string>>;
  readonly ops?: readonly OpSpec[];
}

const CLASS_RE = /^[a-z][a-z0-9_-]*$/;
const TYPE_RE = /^[A-Za-z0-9_][A-Za-z0-9_.@+-]*$/;
/** Classes that take a provider (only OCF, as in Pacemaker). */
const WITH_PROVIDER = new Set(["ocf"]);

/**
 * Parse an agent spec. `ocf` needs a provider, other classes (lsb, systemd, service, stonith,
 * and Atrium's `launcher`) must not have one.
 *
 * @throws {TypeError} naming the spec and the expected form
 * @example
 * ```ts
 * parseAgentSpec("ocf:heartbeat:IPaddr2"); // { class: "ocf", provider: "heartbeat", type: "IPaddr2" }
 * parseAgentSpec("launcher:netns");        // { class: "launcher", type: "netns" }
 * ```
 */
export function parseAgentSpec(spec: string): AgentSpec {
  const bad = (why: string): TypeError =>
    new TypeError(`Cannot use resource agent ${quote(spec)}: ${why}`);
  if (typeof spec !== "string") throw bad('expected "class:provider:type" or "class:type"');
  const parts = spec.split(":");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === "")) {
    throw bad('expected "class:provider:type" or "class:type"');
  }
  const [cls, a, b] = parts as [string, string, string | undefined];
  if (!CLASS_RE.test(cls)) throw bad(`class ${quote(cls)} is not a class name (expected lower-case letters and digits)`);
  const provider = b === undefined ? undefined : a;
  const type = b === undefined ? a : b;
  if (WITH_PROVIDER.has(cls) && provider === undefined) throw bad(`class "${cls}" needs a provider ("${cls}:PROVIDER:TYPE")`);
  if (!WITH_PROVIDER.has(cls) && provider !== undefined) throw bad(`class ${quote(cls)} takes no provider (expected "${cls}:TYPE")`);
  if (provider !== undefined && !TYPE_RE.test(provider)) throw bad(`provider ${quote(provider)} is not a valid name`);
  if (!TYPE_RE.test(type)) throw bad(`type ${quote(type)} is not a valid agent name`);
  return provider === undefined ? { class: cls, type } : { class: cls, provider, type };
}

/** The `class:provider:type` (or `class:type`) text of a primitive, as used in status output. */
export function formatAgentSpec(a: { readonly class?: string; readonly provider?: string; readonly type?: string }): string {
  return [a.class ?? "?", ...(a.provider !== undefined ? [a.provider] : []), a.type ?? "?"].join(":");
}

const INTERVAL_RE = /^(\d+(ms|msec|s|sec|m|min|h|hr)?|P[0-9YMWDTHS.]+)$/i;

function nvset(cib: Cib, tag: string, id: string, values: Readonly<Record<string, string>>, what: string): CibElement {
  const sid = freeId(cib, id);
  const pairs = Object.entries(values).map(([k, v]) =>
    el("nvpair", { id: `${sid}-${checkName(k, `${what} name`)}`, name: k, value: checkValue(v, `${what} ${quote(k)} value`) })
  );
  return el(tag, { id: sid }, pairs);
}

function opEl(cib: Cib, rsc: string, op: OpSpec, i: number, used: Set<string>): CibElement {
  if (op === null || typeof op !== "object") throw new TypeError(`Cannot use operation #${i + 1} of resource ${quote(rsc)}: expected an object with a name`);
  const name = checkName(op.name, `operation #${i + 1} name of resource ${quote(rsc)}`);
  const interval = op.interval ?? "0s";
  if (typeof interval !== "string" || !INTERVAL_RE.test(interval)) {
    throw new TypeError(`Cannot use interval ${quote(interval)} of operation ${quote(name)} of resource ${quote(rsc)}: expected a duration such as "10s" or "1min"`);
  }
  let id = `${rsc}-${name}-interval-${interval}`;
  id = id.replace(/[^A-Za-z0-9_.-]/g, "_");
  let n = 1;
  const base = id;
  while (used.has(id)) id = `${base}-${n++}`;
  used.add(id);
  id = freeId(cib, id);
  const attrs: Record<string, string> = { id, name, interval };
  for (const [k, v] of Object.entries(op)) {
    if (k === "name" || k === "interval" || v === undefined) continue;
    if (k === "id") throw new TypeError(`Cannot set attribute "id" of operation ${quote(name)}: ids are generated`);
    attrs[checkName(k, `attribute name of operation ${quote(name)}`)] = checkValue(v, `operation ${quote(name)} attribute ${quote(k)}`);
  }
  return el("op", attrs);
}

/**
 * A new document with primitive `spec.id` appended to the resources section.
 *
 * @throws {TypeError} for a bad id, agent spec, name or value
 * @throws {AtriumError} `CIB_ID_IN_USE` when the id is taken by any element
 * @example
 * ```ts
 * const next = createResource(cib, { id: "web", agent: "ocf:heartbeat:apache", params: { configfile: "/etc/apache2.conf" },
 *   ops: [{ name: "monitor", interval: "10s" }] });
 * ```
 */
export function createResource(cib: Cib, spec: CreateResourceSpec): Cib {
  const id = checkId(spec?.id, "resource id");
  const agent = parseAgentSpec(spec.agent);
  requireFreeId(cib, id, "resource");
  const children: CibElement[] = [];
  const attrs: Record<string, string> = { id, class: agent.class };
  if (agent.provider !== undefined) attrs.provider = agent.provider;
  attrs.type = agent.type;
  if (spec.params !== undefined && Object.keys(spec.params).length > 0) {
    children.push(nvset(cib, "instance_attributes", `${id}-instance_attributes`, spec.params, "parameter"));
  }
  if (spec.meta !== undefined && Object.keys(spec.meta).length > 0) {
    children.push(nvset(cib, "meta_attributes", `${id}-meta_attributes`, spec.meta, "meta attribute"));
  }
  if (spec.ops !== undefined && spec.ops.length > 0) {
    const used = new Set<string>();
    children.push(el("operations", {}, spec.ops.map((o, i) => opEl(cib, id, o, i, used))));
  }
  const prim = el("primitive", attrs, children);
  return updateSection(cib, "resources", (s) => ({ tag: s.tag, attrs: s.attrs, children: [...s.children, prim] }));
}
