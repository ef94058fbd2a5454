/**
 * The membership stand-in until a cluster layer exists: this daemon is the only member it
 * knows of, so the partition has quorum exactly when the configuration has no more than one
 * cluster node (more than half of the votes, one vote per cluster node, as corosync counts
 * them). The result is the CIB's `have-quorum` attribute, which the scheduler reads.
 *
 * @example
 * ```ts
 * await service.apply((cib) => withQuorum(cib));
 * ```
 */
import type { Cib } from "../../core/cib/model.ts";
import { clusterNodes } from "../../core/cib/query_nodes.ts";
import { nodeStates } from "../../core/cib/query_status.ts";

/** Whether the members recorded in the status section hold more than half of the cluster nodes' votes. */
export function hasQuorum(cib: Cib): boolean {
  const nodes = clusterNodes(cib).filter((n) => n.kind === "cluster");
  if (nodes.length === 0) return false;
  const names = new Set(nodes.map((n) => n.name));
  const members =
    nodeStates(cib).filter((s) =>
      names.has(s.attrs.uname ?? "") && s.attrs.in_ccm === "true" && s.attrs.crmd === "online"
    ).length;
  return members * 2 > nodes.length;
}

/** `cib` with `have-quorum` set from {@link hasQuorum} (the same document when it already is). */
export function withQuorum(cib: Cib): Cib {
  const want = hasQuorum(cib) ? "1" : "0";
  if (cib.attrs["have-quorum"] === want) return cib;
  return { ...cib, attrs: { ...cib.attrs, "have-quorum": want } } as Cib;
}
