// Small CIB builders for scheduler tests.
import { parseCib } from "../../../core/cib/codec.ts";
import type { Cib } from "../../../core/cib/model.ts";

/** A node_state for an online cluster node, with optional lrm history (raw XML). */
export function onlineState(id: string, uname: string, lrm = ""): string {
  return `<node_state id="${id}" uname="${uname}" in_ccm="true" crmd="online" join="member" expected="member">
    <lrm id="${id}"><lrm_resources>${lrm}</lrm_resources></lrm></node_state>`;
}

/** A resource history entry: one op with its result. */
export function op(rsc: string, operation: string, rc: number, callId: number, opts: { interval?: number; expected?: number; status?: number } = {}): string {
  const interval = opts.interval ?? 0;
  const expected = opts.expected ?? (operation === "monitor" && interval === 0 ? 7 : 0);
  return `<lrm_rsc_op id="${rsc}_${operation}_${interval}" operation="${operation}" interval="${interval}" rc-code="${rc}" op-status="${opts.status ?? 0}" call-id="${callId}" transition-key="1:1:${expected}:abc"/>`;
}

/** Wrap lrm_rsc_op entries in an lrm_resource. */
export function lrmRsc(id: string, ops: string, cls = "ocf", type = "Dummy"): string {
  return `<lrm_resource id="${id}" class="${cls}" provider="heartbeat" type="${type}">${ops}</lrm_resource>`;
}

/** Build a CIB from parts. */
export function cib(parts: { options?: Record<string, string>; nodes: string[]; resources: string; constraints?: string; status: string; quorum?: boolean }): Cib {
  const opts = { "stonith-enabled": "false", ...(parts.options ?? {}) };
  const nv = Object.entries(opts).map(([k, v]) => `<nvpair id="o-${k}" name="${k}" value="${v}"/>`).join("");
  const nodes = parts.nodes.map((n, i) => `<node id="${i + 1}" uname="${n}"/>`).join("");
  return parseCib(`<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="${parts.quorum === false ? "0" : "1"}">
  <configuration><crm_config><cluster_property_set id="cib-bootstrap-options">${nv}</cluster_property_set></crm_config>
  <nodes>${nodes}</nodes><resources>${parts.resources}</resources><constraints>${parts.constraints ?? ""}</constraints></configuration>
  <status>${parts.status}</status></cib>`);
}

/** A plain ocf:heartbeat:Dummy primitive. */
export function dummy(id: string, meta: Record<string, string> = {}): string {
  const m = Object.entries(meta).map(([k, v]) => `<nvpair id="${id}-${k}" name="${k}" value="${v}"/>`).join("");
  return `<primitive id="${id}" class="ocf" provider="heartbeat" type="Dummy">${m ? `<meta_attributes id="${id}-meta">${m}</meta_attributes>` : ""}</primitive>`;
}
