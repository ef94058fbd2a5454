/**
 * The structural walk: applies the schema of each known tag to every element of a CIB and
 * reports issues with an XPath-like location, the value and what was expected. Unknown
 * elements and attributes are accepted (and unknown elements are walked into); `acls` is
 * opaque. This is a structural model of the CIB, not an XSD validator: it accepts every schema
 * version from pacemaker-1.0 to 3.x and `validate-with="none"`.
 */
import * as v from "valibot";
import { quote } from "../../errors.ts";
import type { CibElement, CibNode } from "../model.ts";
import { toleratedChecks } from "./_common.ts";
import { opaqueTags } from "./acls.ts";
import { alertSchemas } from "./alerts.ts";
import { bundleSchemas } from "./bundle.ts";
import { configPropSchemas } from "./config_props.ts";
import { constraintSchemas } from "./constraints.ts";
import { fencingSchemas } from "./fencing.ts";
import { nodeSchemas } from "./nodes.ts";
import { nvsetSchemas } from "./nvsets.ts";
import { metaValueSchemas, remoteParamSchemas, resourceSchemas } from "./resources.ts";
import { ruleSchemas } from "./rules.ts";
import { statusSchemas } from "./status.ts";
import { tagSchemas } from "./tags.ts";

/** One structural problem. */
export interface Issue {
  /** Where: `/cib/configuration/resources/primitive[@id='A']/@class`. */
  readonly path: string;
  /** The offending value, when there is one (absent for a missing attribute). */
  readonly value?: string;
  /** What was expected. */
  readonly expected: string;
  /** One sentence: what is wrong, with the value quoted. */
  readonly message: string;
  /**
   * `error`: Pacemaker would reject or ignore the element (missing id, malformed counter).
   * `warning`: Pacemaker accepts it and falls back to a default (an unknown enumeration word,
   * a malformed boolean or duration); several corpus CIBs do this on purpose.
   */
  readonly severity: "error" | "warning";
}

/** The schema for each known tag. */
export const schemasByTag: ReadonlyMap<string, v.GenericSchema> = new Map<string, v.GenericSchema>(
  Object.entries({
    ...configPropSchemas,
    ...nodeSchemas,
    ...resourceSchemas,
    ...bundleSchemas,
    ...nvsetSchemas,
    ...ruleSchemas,
    ...constraintSchemas,
    ...alertSchemas,
    ...fencingSchemas,
    ...tagSchemas,
    ...statusSchemas,
  }),
);

function xpathLiteral(s: string): string {
  return s.includes("'") ? `"${s}"` : `'${s}'`;
}

function segment(el: CibElement, siblings: readonly CibNode[]): string {
  if (el.attrs.id !== undefined) return `${el.tag}[@id=${xpathLiteral(el.attrs.id)}]`;
  if (el.attrs["id-ref"] !== undefined) return `${el.tag}[@id-ref=${xpathLiteral(el.attrs["id-ref"])}]`;
  let n = 0;
  let pos = 0;
  for (const s of siblings) {
    if (s.tag === el.tag) {
      n++;
      if (s === el) pos = n;
    }
  }
  return n > 1 ? `${el.tag}[${pos}]` : el.tag;
}

function severityOf(issue: v.BaseIssue<unknown>): "error" | "warning" {
  const r = issue.requirement;
  return typeof r === "function" && toleratedChecks.has(r) ? "warning" : "error";
}

function attrIssue(
  path: string,
  attr: string,
  value: string | undefined,
  expected: string,
  severity: Issue["severity"],
): Issue {
  if (value === undefined) {
    return {
      path: `${path}/@${attr}`,
      expected: `attribute "${attr}"`,
      message: `Missing attribute "${attr}"`,
      severity,
    };
  }
  return {
    path: `${path}/@${attr}`,
    value,
    expected,
    message: `Invalid value ${quote(value)} of attribute "${attr}": expected ${expected}`,
    severity,
  };
}

function check(schema: v.GenericSchema, el: CibElement, path: string, out: Issue[]): void {
  const r = v.safeParse(schema, el);
  if (r.success) return;
  for (const issue of r.issues) {
    const keys = (issue.path ?? []).map((p) => (p as { key?: unknown }).key);
    if (keys[0] === "attrs" && typeof keys[1] === "string") {
      const value = el.attrs[keys[1]];
      out.push(attrIssue(path, keys[1], value, issue.message, severityOf(issue)));
    } else if (keys[0] === "attrs") {
      out.push({
        path,
        expected: issue.message,
        message: `Missing ${issue.message}`,
        severity: severityOf(issue),
      });
    } else {
      out.push({
        path,
        expected: issue.expected ?? issue.message,
        message: `Invalid element: ${issue.message}`,
        severity: "error",
      });
    }
  }
}

/** Check the values of nvpairs whose names have a known form (remote and guest settings). */
function checkValues(
  set: CibElement,
  forms: Readonly<Record<string, v.GenericSchema<string>>>,
  path: string,
  out: Issue[],
): void {
  for (const c of set.children) {
    if (c.tag !== "nvpair") continue;
    const p = c as CibElement;
    const name = p.attrs.name;
    const value = p.attrs.value;
    if (name === undefined || value === undefined) continue;
    const form = forms[name.toLowerCase()];
    if (form === undefined) continue;
    const r = v.safeParse(form, value);
    if (!r.success) {
      const expected = r.issues[0].message;
      out.push({
        path: `${path}/${segment(p, set.children)}/@value`,
        value,
        expected,
        message: `Invalid value ${quote(value)} of ${quote(name)}: expected ${expected}`,
        severity: severityOf(r.issues[0]),
      });
    }
  }
}

function isRemoteConnection(el: CibElement): boolean {
  return el.tag === "primitive" && el.attrs.class === "ocf" && el.attrs.provider === "pacemaker" &&
    el.attrs.type === "remote";
}

/**
 * Check a CIB (or any subtree) structurally. Returns the issues found (empty when fine).
 *
 * @example
 * ```ts
 * for (const i of validateStructure(cib)) console.error(`${i.path}: ${i.message}`);
 * ```
 */
export function validateStructure(root: CibElement): Issue[] {
  const out: Issue[] = [];
  function walk(el: CibElement, path: string, parent: CibElement | undefined): void {
    const schema = schemasByTag.get(el.tag);
    if (schema !== undefined) check(schema, el, path, out);
    if (opaqueTags.has(el.tag)) return;
    if (parent !== undefined && (parent.tag === "primitive" || parent.tag === "template")) {
      if (el.tag === "meta_attributes") checkValues(el, metaValueSchemas, path, out);
      if (el.tag === "instance_attributes" && isRemoteConnection(parent)) {
        checkValues(el, remoteParamSchemas, path, out);
      }
    }
    for (const c of el.children) {
      if (c.tag === "#text" || c.tag === "#comment") continue;
      const ce = c as CibElement;
      walk(ce, `${path}/${segment(ce, el.children)}`, el);
    }
  }
  walk(root, `/${root.tag}`, undefined);
  return out;
}
