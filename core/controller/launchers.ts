/**
 * Container resources of class `launcher` (`launcher:netns`, `launcher:kvm`, ...): the
 * controller hands their operations to the named {@link GuestLauncher} plugin — start, stop and
 * status as start, stop and monitor — and keeps the handles, which also give a guest's address.
 *
 * @example
 * ```ts
 * const ls = new LauncherResources({ launcher: (n) => registry.launcher(n), context: () => registry.context(), clock, authkey });
 * await ls.executor.exec({ resource: "vm1", agent: { class: "launcher", type: "netns" }, action: "start", ... });
 * ```
 * @module
 */
import type { GuestHandle, GuestLauncher, PluginContext } from "../plugin/types.ts";
import { type Outcome, type SyntheticExecutor, syntheticExecutor } from "./_synthetic.ts";
import type { ControllerClock, OpRequest } from "./types.ts";

/** Options of {@link LauncherResources}. */
export interface LauncherResourcesOptions {
  readonly launcher: (name: string) => GuestLauncher | undefined;
  readonly clock: ControllerClock;
  /** The guest node name of a container resource (its meta remote-node). */
  readonly guestNode: (resource: string) => string | undefined;
  readonly authkey?: Uint8Array;
  /** The context handed to launcher hooks (default: a silent one). */
  readonly context?: () => PluginContext;
}

const SILENT: PluginContext = {
  log: { debug() {}, info() {}, warn() {}, error() {} },
  signal: new AbortController().signal,
  runtime: typeof (globalThis as { Deno?: unknown }).Deno !== "undefined" ? "deno" : "node",
};

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** See the module documentation. */
export class LauncherResources {
  readonly #o: LauncherResourcesOptions;
  readonly #handles = new Map<string, GuestHandle>();
  readonly executor: SyntheticExecutor;

  constructor(opts: LauncherResourcesOptions) {
    this.#o = opts;
    this.executor = syntheticExecutor((req) => this.#handle(req), opts.clock);
  }

  /** The handle of a running container (persist it to `recover` after a restart). */
  handle(resource: string): GuestHandle | undefined {
    return this.#handles.get(resource);
  }

  /** Adopt a handle (after a restart) when its launcher re-attaches to it. */
  async recover(handle: GuestHandle): Promise<boolean> {
    const l = this.#o.launcher(handle.launcher);
    if (!l) return false;
    const ok = await l.recover(handle, this.#ctx());
    if (ok) this.#handles.set(handle.resource, handle);
    return ok;
  }

  /** Where the guest of container `resource` listens, if it is running. */
  async address(resource: string): Promise<{ host: string; port: number } | undefined> {
    const h = this.#handles.get(resource);
    const l = h ? this.#o.launcher(h.launcher) : undefined;
    if (!h || !l) return undefined;
    return await l.address(h, this.#ctx());
  }

  #ctx(): PluginContext {
    return this.#o.context?.() ?? SILENT;
  }

  async #handle(req: OpRequest): Promise<Outcome> {
    const l = this.#o.launcher(req.agent.type);
    if (!l) return { rc: 5, status: "not_installed", reason: `no guest launcher named "${req.agent.type}"` };
    const h = this.#handles.get(req.resource);
    try {
      switch (req.action) {
        case "start": {
          if (h && (await l.status(h, this.#ctx())) === "running") return { rc: 0, status: "done" };
          const key = this.#o.authkey;
          if (!key) return { rc: 6, status: "error", reason: "no remote authkey to give the guest" };
          const node = this.#o.guestNode(req.resource) ?? req.resource;
          const handle = await l.start({ resource: req.resource, node, params: req.params, authkey: key, timeoutMs: req.timeoutMs }, this.#ctx());
          this.#handles.set(req.resource, handle);
          return { rc: 0, status: "done" };
        }
        case "stop": {
          if (!h) return { rc: 0, status: "done" };
          await l.stop(h, { timeoutMs: req.timeoutMs, force: false }, this.#ctx());
          this.#handles.delete(req.resource);
          return { rc: 0, status: "done" };
        }
        case "monitor": {
          if (!h) return { rc: 7, status: "done" };
          const s = await l.status(h, this.#ctx());
          if (s === "running") return { rc: 0, status: "done" };
          if (s === "stopped") return { rc: 7, status: "done" };
          return { rc: 1, status: "done", reason: `guest container is ${s}` };
        }
        default:
          return { rc: 3, status: "not_supported", reason: `"${req.action}" is not supported by launcher "${l.name}"` };
      }
    } catch (e) {
      return { rc: 1, status: "error", reason: message(e) };
    }
  }
}
