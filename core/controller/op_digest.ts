/**
 * The operation digest Pacemaker 2.1.5 records as `op-digest`: the MD5 of the sorted
 * `<parameters .../>` element of the operation's instance attributes, without `CRM_meta_*`
 * attributes (recurring operations keep `CRM_meta_timeout`), written as `" <parameters .../>\n"`.
 * The empty parameter set gives `f2317cad3d54cec5d7d7aa7d0bf35cf8`, as in Pacemaker's CIBs.
 *
 * @example
 * ```ts
 * opDigest({}, 0, 20000); // "f2317cad3d54cec5d7d7aa7d0bf35cf8"
 * ```
 * @module
 */
import { createHash } from "node:crypto";

const DROPPED = new Set(["id", "crm_feature_set", "op-digest", "on_node", "on_node_uuid", "pcmk_external_ip"]);

function escapeAttr(v: string): string {
  return v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The digest of an operation's parameters (see the module documentation). */
export function opDigest(params: Readonly<Record<string, string>>, intervalMs: number, timeoutMs: number): string {
  const attrs = new Map<string, string>();
  for (const [k, v] of Object.entries(params)) {
    if (k.startsWith("CRM_meta_") || DROPPED.has(k)) continue;
    attrs.set(k, v);
  }
  if (intervalMs > 0) attrs.set("CRM_meta_timeout", String(timeoutMs));
  const names = [...attrs.keys()].sort();
  const text = names.length === 0
    ? " <parameters/>\n"
    : ` <parameters ${names.map((n) => `${n}="${escapeAttr(attrs.get(n)!)}"`).join(" ")}/>\n`;
  return createHash("md5").update(text).digest("hex");
}
