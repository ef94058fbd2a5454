/**
 * The controller's `fence` callback in atriumd. A guest node is fenced by recovering its
 * container, which the same transition stops and starts again (Pacemaker makes a guest's
 * fencing a pseudo-action implied by the container's stop), so its fencing is confirmed here.
 * Cluster and remote nodes go to the fencer with the devices of the current CIB.
 *
 * @example
 * ```ts
 * const fence = fenceAdapter({ service, registry, nodeName, log });
 * const ctl = new Controller({ ..., fence });
 * ```
 */
import type { Cib } from "../../core/cib/model.ts";
import { clusterNodes } from "../../core/cib/query_nodes.ts";
import { Fencer, readFencerConfig } from "../../core/fencer/mod.ts";
import type { Registry } from "../../core/plugin/registry.ts";
import type { Logger } from "../../core/plugin/types.ts";

/** Options of {@link fenceAdapter}. */
export interface FenceAdapterOptions {
  readonly service: { get(): Cib };
  readonly registry: Registry;
  readonly nodeName: string;
  readonly log: Logger;
}

/** The `fence(node, op)` callback (see the module documentation); never rejects. */
export function fenceAdapter(o: FenceAdapterOptions): (node: string, op: "reboot" | "off" | "on") => Promise<boolean> {
  const fencer = new Fencer({ agents: o.registry, localNode: o.nodeName, log: o.log, onEvent: (e) => o.registry.notifyAll(e) });
  return async (node, op) => {
    const cib = o.service.get();
    const target = clusterNodes(cib).find((n) => n.name === node);
    if (target?.kind === "container") {
      o.log.info(`Guest node ${node} is fenced by recovering its container "${target.container ?? "?"}"`);
      return true;
    }
    try {
      fencer.configure(readFencerConfig(cib, { localNode: o.nodeName }));
      const r = await fencer.fence(node, op, { kind: target?.kind === "remote" ? "remote" : "cluster", reason: "scheduler" });
      if (!r.ok) o.log.warn(`Fencing ${node} (${op}) failed`);
      return r.ok;
    } catch (e) {
      o.log.warn(`Cannot fence ${node} (${op}): ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  };
}
