/** Shared fixtures of the controller suites: small CIBs and an in-memory CibAccess. */
import { parseCib } from "../../../core/cib/mod.ts";
import type { Cib } from "../../../core/cib/model.ts";
import type { CibAccess } from "../../../core/controller/mod.ts";

/** A one-node CIB with `rscs` (id -> extra primitive XML) of class ocf:pacemaker:Dummy. */
export function dummyCib(ids: readonly string[], opts: { monitor?: number; startTimeout?: string; node?: string; extraConfig?: string; props?: string; status?: string } = {}): Cib {
  const node = opts.node ?? "node1";
  const mon = opts.monitor ?? 10000;
  const prims = ids.map((id) => `
      <primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy">
        <instance_attributes id="${id}-ia"><nvpair id="${id}-ia-state" name="state" value="/tmp/${id}.state"/></instance_attributes>
        <operations><op id="${id}-mon" name="monitor" interval="${mon}ms" timeout="20s"/>${opts.startTimeout ? `<op id="${id}-start" name="start" interval="0" timeout="${opts.startTimeout}"/>` : ""}</operations>
      </primitive>`).join("");
  return parseCib(`<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.9" crm_feature_set="3.16.1" have-quorum="1">
  <configuration>
    <crm_config><cluster_property_set id="cib-bootstrap-options">
      <nvpair id="o1" name="stonith-enabled" value="false"/>${opts.props ?? ""}
    </cluster_property_set></crm_config>
    <nodes><node id="1" uname="${node}"/></nodes>
    <resources>${prims}${opts.extraConfig ?? ""}
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="${node}" in_ccm="true" crmd="online" join="member" expected="member" crm-debug-origin="test">${opts.status ?? ""}</node_state>
  </status>
</cib>`);
}

/** An in-memory CibAccess that counts writes and notifies listeners synchronously. */
export class MemoryCib implements CibAccess {
  cib: Cib;
  writes = 0;
  readonly #listeners = new Set<() => void>();
  constructor(cib: Cib) {
    this.cib = cib;
  }
  get(): Cib {
    return this.cib;
  }
  apply(edit: (cib: Cib) => Cib): Promise<unknown> {
    const next = edit(this.cib);
    if (next !== this.cib) {
      this.cib = next;
      this.writes++;
      for (const l of [...this.#listeners]) l();
    }
    return Promise.resolve();
  }
  onChange(cb: () => void): () => void {
    this.#listeners.add(cb);
    return () => void this.#listeners.delete(cb);
  }
  /** Replace the CIB from outside (a configuration change). */
  set(cib: Cib): void {
    this.cib = cib;
    for (const l of [...this.#listeners]) l();
  }
}
