/**
 * Shared helpers of the edit functions: element construction, id checks, sections and
 * name/value pairs. Internal to core/cib/edit/.
 */
import { AtriumError, quote } from "../../errors.ts";
import type { Cib, CibElement, CibNode } from "../model.ts";
import { child, childrenOf, findById, parentOf } from "../query.ts";
import { clusterNodes, type ClusterNode } from "../query_nodes.ts";
import { replaceElement } from "../update.ts";

/** A new element. */
export function el(tag: string, attrs: Record<string, string>, children: CibNode[] = []): CibElement {
  return { tag, attrs, children };
}

const ID_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Throw a TypeError unless `id` is a valid XML id (what Pacemaker's schema accepts). */
export function checkId(id: unknown, what: string): string {
  if (typeof id !== "string" || !ID_RE.test(id) || id.length > 200) {
    throw new TypeError(
      `Cannot use ${what} ${quote(id)}: expected an id starting with a letter or "_", then letters, digits, "_", "." or "-"`,
    );
  }
  return id;
}

const NAME_RE = /^[A-Za-z0-9_.#:-][A-Za-z0-9_.#:@-]*$/;

/** Throw a TypeError unless `name` is a usable attribute or node name. */
export function checkName(name: unknown, what: string): string {
  if (typeof name !== "string" || !NAME_RE.test(name) || name.length > 255) {
    throw new TypeError(
      `Cannot use ${what} ${quote(name)}: expected letters, digits, "_", ".", "-", ":", "#" or "@"`,
    );
  }
  return name;
}

/** Throw a TypeError unless `value` is a string without control characters. */
export function checkValue(value: unknown, what: string): string {
  // deno-lint-ignore no-control-regex
  if (typeof value !== "string" || /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(value) || value.length > 4096) {
    throw new TypeError(`Cannot use ${what} ${quote(value)}: expected a string of printable characters`);
  }
  return value;
}

/** An id not used in the document, derived from `base` (sanitized) with -1, -2 ... appended. */
export function freeId(cib: Cib, base: string): string {
  let b = base.replace(/[^A-Za-z0-9_.-]/g, "_");
  if (!/^[A-Za-z_]/.test(b)) b = `_${b}`;
  if (findById(cib, b) === undefined) return b;
  for (let i = 1; ; i++) if (findById(cib, `${b}-${i}`) === undefined) return `${b}-${i}`;
}

/** Throw `CIB_ID_IN_USE` when an element of the document already has id `id`. */
export function requireFreeId(cib: Cib, id: string, what: string): void {
  const used = findById(cib, id);
  if (used !== undefined) {
    throw new AtriumError("CIB_ID_IN_USE", `Cannot create ${what} ${quote(id)}: the id is already used by a <${used.tag}>`, {
      details: { id, tag: used.tag },
    });
  }
}

/** The order of configuration sections in a Pacemaker CIB. */
const SECTION_ORDER = ["crm_config", "nodes", "resources", "constraints", "fencing-topology", "op_defaults", "rsc_defaults", "alerts", "tags", "acls"];

/**
 * The document with configuration section `name` replaced by `update(current)` (created empty,
 * in Pacemaker's order, when missing). `configuration` itself is created when missing.
 */
export function updateSection(cib: Cib, name: string, update: (section: CibElement) => CibElement): Cib {
  let conf = child(cib, "configuration");
  if (conf === undefined) {
    conf = el("configuration", {}, []) as CibElement<"configuration">;
    cib = { ...cib, children: [conf, ...cib.children] } as Cib;
  }
  const sec = child(conf, name);
  if (sec !== undefined) return replaceElement(cib, sec, update(sec));
  const fresh = update(el(name, {}, []));
  const kids = conf.children.slice();
  const rank = SECTION_ORDER.indexOf(name);
  let at = kids.length;
  for (let i = 0; i < kids.length; i++) {
    const r = SECTION_ORDER.indexOf(kids[i]!.tag);
    if (r > rank) {
      at = i;
      break;
    }
  }
  kids.splice(at, 0, fresh);
  return replaceElement(cib, conf, { tag: conf.tag, attrs: conf.attrs, children: kids });
}

/** The document with `<status>` replaced by `update(current)` (created when missing). */
export function updateStatus(cib: Cib, update: (status: CibElement) => CibElement): Cib {
  const st = child(cib, "status");
  if (st !== undefined) return replaceElement(cib, st, update(st));
  return { ...cib, children: [...cib.children, update(el("status", {}, []))] } as Cib;
}

/**
 * `owner` with nvpair `name` of its first `setTag` set set to `value` (a new set with id `setId`
 * when it has none), or removed when `value` is undefined (an emptied set is removed too).
 * New nvpairs are named `<set id>-<name>` (made unique in `cib`). Returns `owner` itself when
 * nothing changed.
 */
export function setNvPair(
  cib: Cib,
  owner: CibElement,
  setTag: string,
  setId: string,
  name: string,
  value: string | undefined,
): CibElement {
  const sets = childrenOf(owner, setTag).filter((s) => s.attrs["id-ref"] === undefined);
  if (value === undefined) {
    let changed = false;
    const kids = owner.children.flatMap((c): CibNode[] => {
      if (!sets.includes(c as CibElement)) return [c];
      const s = c as CibElement;
      const left = s.children.filter((p) => !(p.tag === "nvpair" && (p as CibElement).attrs.name === name));
      if (left.length === s.children.length) return [c];
      changed = true;
      return left.some((p) => p.tag !== "#text" && p.tag !== "#comment") ? [{ tag: s.tag, attrs: s.attrs, children: left }] : [];
    });
    return changed ? { tag: owner.tag, attrs: owner.attrs, children: kids } : owner;
  }
  for (const s of sets) {
    const pair = childrenOf(s, "nvpair").find((p) => p.attrs.name === name);
    if (pair === undefined) continue;
    const np = { tag: "nvpair", attrs: { ...pair.attrs, value }, children: pair.children };
    const ns = { tag: s.tag, attrs: s.attrs, children: s.children.map((c) => (c === pair ? np : c)) };
    return { tag: owner.tag, attrs: owner.attrs, children: owner.children.map((c) => (c === s ? ns : c)) };
  }
  const first = sets[0];
  if (first !== undefined) {
    const sid = first.attrs.id ?? setId;
    const np = el("nvpair", { id: freeId(cib, `${sid}-${name}`), name, value });
    const ns = { tag: first.tag, attrs: first.attrs, children: [...first.children, np] };
    return { tag: owner.tag, attrs: owner.attrs, children: owner.children.map((c) => (c === first ? ns : c)) };
  }
  const sid = freeId(cib, setId);
  const set = el(setTag, { id: sid }, [el("nvpair", { id: freeId(cib, `${sid}-${name}`), name, value })]);
  return { tag: owner.tag, attrs: owner.attrs, children: [...owner.children, set] };
}

/** Any resource element (primitive, group, clone, master, bundle) with id `id`, or CIB_NOT_FOUND. */
export function requireResource(cib: Cib, id: string, attempt: string): CibElement {
  const r = findResource(cib, id);
  if (r === undefined) {
    throw new AtriumError("CIB_NOT_FOUND", `Cannot ${attempt} resource ${quote(id)}: no resource has that id`, {
      details: { resource: id },
    });
  }
  return r;
}

const RSC_TAGS = new Set(["primitive", "group", "clone", "master", "bundle"]);

/** The resource element with id `id` inside the resources section, if any. */
export function findResource(cib: Cib, id: string): CibElement | undefined {
  const conf = child(cib, "configuration");
  const res = child(conf, "resources");
  if (res === undefined) return undefined;
  const stack: CibElement[] = [res];
  while (stack.length > 0) {
    const e = stack.pop()!;
    for (const c of childrenOf(e)) {
      if (!RSC_TAGS.has(c.tag)) continue;
      if (c.attrs.id === id) return c;
      stack.push(c);
    }
  }
  return undefined;
}

/** The node named `name` (cluster, remote or guest), or CIB_NOT_FOUND listing the known ones. */
export function requireNode(cib: Cib, name: string, attempt: string): ClusterNode {
  const all = clusterNodes(cib);
  const n = all.find((x) => x.name === name);
  if (n === undefined) {
    const known = all.map((x) => x.name).slice(0, 20).join(", ");
    throw new AtriumError(
      "CIB_NOT_FOUND",
      `Cannot ${attempt} node ${quote(name)}: no such node (expected one of: ${known === "" ? "none configured" : known})`,
      { details: { node: name } },
    );
  }
  return n;
}

/** The parent element of `e` in `cib` (undefined for the root). */
export function parent(cib: Cib, e: CibElement): CibElement | undefined {
  return parentOf(cib, e);
}

const SCORE_RE = /^[+-]?(INFINITY|\d{1,7})$/i;

/** Check a score (`INFINITY`, `-INFINITY`, `+INFINITY` or an integer); returns it normalized. */
export function checkScore(score: unknown, what: string): string {
  if (typeof score !== "string" || !SCORE_RE.test(score.trim())) {
    throw new TypeError(`Cannot use ${what} ${quote(score)}: expected an integer, "INFINITY" or "-INFINITY"`);
  }
  const s = score.trim();
  return /INFINITY/i.test(s) ? (s.startsWith("-") ? "-INFINITY" : "INFINITY") : String(Number.parseInt(s, 10));
}
