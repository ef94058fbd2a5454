/**
 * The plugin registry: validates plugin definitions, negotiates the API version, runs `setup`,
 * and combines contributions with one rule per kind — one winner by name for resource classes,
 * launchers and fence agents (a second contribution of a taken name is refused with
 * `PLUGIN_CONFLICT` naming both plugins), fan-out to every notifier. Everything handed out is
 * wrapped so a plugin's failure surfaces as an `AtriumError` carrying `plugin` and `hook`.
 *
 * @example
 * ```ts
 * const registry = new Registry({ log });
 * await registry.register(await loadPlugin("./my-plugin.js", { baseDir }), { config: {} });
 * const ocf = registry.resourceClass("ocf");
 * registry.notifyAll(event);     // returns at once; deliveries are queued per notifier
 * await registry.close();        // runs the plugins' teardowns
 * ```
 */
import { AtriumError, quote } from "../errors.ts";
import { childLogger, makeContext, silentLogger } from "./_context.ts";
import { NotifierLane } from "./_fanout.ts";
import { checkApiVersions, describeValue, validateDefinition } from "./_schema.ts";
import {
  callHook,
  type ContributionKind,
  isFenceAgentProvider,
  wrapFenceAgent,
  wrapFenceAgentProvider,
  wrapLauncher,
  wrapResourceClass,
} from "./_wrap.ts";
import type { LoadedPlugin } from "./loader.ts";
import type {
  ClusterEvent,
  FenceAgent,
  FenceAgentProvider,
  GuestLauncher,
  Logger,
  PluginContext,
  PluginDefinition,
  ResourceClass,
} from "./types.ts";
import { SUPPORTED_API_VERSIONS } from "./types.ts";

/** Options of a {@link Registry}. */
export interface RegistryOptions {
  /** Where the registry and plugins log (plugins get a child tagged with their name). */
  readonly log?: Logger;
  /** Receives every failure the registry catches instead of throwing (notifiers, teardowns). */
  readonly onError?: (err: AtriumError) => void;
  /** The API versions to accept; defaults to {@link SUPPORTED_API_VERSIONS}. */
  readonly supportedApiVersions?: readonly number[];
  /** Most events waiting per notifier before the oldest is dropped (default 1000). */
  readonly notifyQueueLimit?: number;
  /** How long one notifier delivery may run (default 30000 ms). */
  readonly notifyTimeoutMs?: number;
}

/** Options of {@link Registry.register}. */
export interface RegisterOptions {
  /** Where the plugin came from (path, package, `builtin:ocf`), for messages. */
  readonly source?: string;
  /** Passed to the plugin's `setup`. */
  readonly config?: unknown;
}

/** What the registry knows of a registered plugin. */
export interface PluginInfo {
  readonly name: string;
  readonly version: string;
  /** The API version negotiated (the highest both sides support). */
  readonly apiVersion: number;
  readonly source: string;
  readonly resourceClasses: readonly string[];
  readonly launchers: readonly string[];
  readonly fenceAgents: readonly string[];
  readonly fenceAgentProviders: readonly string[];
  readonly notifiers: readonly string[];
}

type Kind = ContributionKind | "plugin";

/** The plugin registry (see the module documentation). */
export class Registry {
  readonly #log: Logger;
  readonly #report: (err: AtriumError) => void;
  readonly #supported: readonly number[];
  readonly #queueLimit: number;
  readonly #timeoutMs: number;
  readonly #shutdown = new AbortController();
  readonly #plugins = new Map<string, PluginInfo>();
  readonly #owners = new Map<string, string>(); // "kind\0name" -> plugin
  readonly #resourceClasses = new Map<string, ResourceClass>();
  readonly #launchers = new Map<string, GuestLauncher>();
  readonly #fenceAgents = new Map<string, FenceAgent>();
  readonly #fenceProviders: { plugin: string; provider: FenceAgentProvider }[] = [];
  readonly #lanes: NotifierLane[] = [];
  readonly #teardowns: { plugin: string; run: () => Promise<void> }[] = [];
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(opts: RegistryOptions = {}) {
    this.#log = opts.log ?? silentLogger;
    const onError = opts.onError;
    this.#report = (err) => {
      try {
        if (onError) onError(err);
        else this.#log.error(err.message, { code: err.code, plugin: err.plugin, hook: err.hook });
      } catch {
        // A failing error sink must not take the caller down.
      }
    };
    this.#supported = opts.supportedApiVersions ?? SUPPORTED_API_VERSIONS;
    this.#queueLimit = positive(opts.notifyQueueLimit ?? 1000, "notifyQueueLimit");
    this.#timeoutMs = positive(opts.notifyTimeoutMs ?? 30_000, "notifyTimeoutMs");
  }

  /**
   * Validate and register a plugin: its default export (or a {@link LoadedPlugin} from the
   * loader). Nothing is registered unless validation, the API check, the name checks and
   * `setup` all pass. Registrations run one at a time.
   */
  register(plugin: unknown, opts: RegisterOptions = {}): Promise<PluginInfo> {
    const run = this.#chain.then(() => this.#register(plugin, opts));
    this.#chain = run.catch(() => {});
    return run;
  }

  async #register(plugin: unknown, opts: RegisterOptions): Promise<PluginInfo> {
    let def: unknown = plugin;
    let source = opts.source;
    if (isLoaded(plugin)) {
      def = plugin.definition;
      source ??= plugin.source;
    }
    source ??= typeof (def as { name?: unknown })?.name === "string" ? `inline:${(def as { name: string }).name}` : "inline";
    const d = validateDefinition(def, source);
    if (this.#closed) {
      throw new AtriumError("REGISTRY_CLOSED", `Cannot register plugin ${quote(d.name)}: the registry is closed`, {
        plugin: d.name,
        hook: "register",
      });
    }
    const apiVersion = checkApiVersions(d, this.#supported);
    const claims = this.#claims(d);
    for (const [kind, name] of claims) this.#checkFree(d.name, kind, name);
    this.#checkUniqueWithin(d.name, claims);

    const teardown = await this.#setup(d, opts.config);
    for (const [kind, name] of claims) this.#owners.set(`${kind}\0${name}`, d.name);
    if (teardown) this.#teardowns.push({ plugin: d.name, run: teardown });
    const info = this.#commit(d, source, apiVersion);
    this.#log.info(`Registered plugin ${quote(d.name)} ${d.version}`, { plugin: d.name, source });
    return info;
  }

  #claims(d: PluginDefinition): [Kind, string][] {
    const out: [Kind, string][] = [["plugin", d.name]];
    for (const rc of d.resourceClasses ?? []) out.push(["resource class", rc.name]);
    for (const l of d.launchers ?? []) out.push(["launcher", l.name]);
    for (const f of d.fenceAgents ?? []) {
      out.push([isFenceAgentProvider(f) ? "fence agent provider" : "fence agent", f.name]);
    }
    return out;
  }

  #checkFree(plugin: string, kind: Kind, name: string): void {
    const owner = this.#owners.get(`${kind}\0${name}`);
    if (owner === undefined) return;
    throw conflict(plugin, owner, kind, name);
  }

  #checkUniqueWithin(plugin: string, claims: [Kind, string][]): void {
    const seen = new Set<string>();
    for (const [kind, name] of claims) {
      const key = `${kind}\0${name}`;
      if (seen.has(key)) throw conflict(plugin, plugin, kind, name);
      seen.add(key);
    }
  }

  async #setup(d: PluginDefinition, config: unknown): Promise<(() => Promise<void>) | undefined> {
    if (!d.setup) return undefined;
    const setup = d.setup;
    let r: unknown;
    try {
      r = await callHook(d.name, "setup", undefined, () => setup.call(d, config, this.#context(d.name)));
    } catch (e) {
      const cause = e instanceof AtriumError && e.cause !== undefined ? e.cause : e;
      throw new AtriumError(
        "PLUGIN_SETUP_FAILED",
        `Cannot set up plugin ${quote(d.name)}: ${cause instanceof Error ? cause.message : String(cause)}`,
        { plugin: d.name, hook: "setup", cause },
      );
    }
    if (r === undefined) return undefined;
    if (typeof r !== "function") {
      throw new AtriumError(
        "PLUGIN_SETUP_FAILED",
        `Cannot set up plugin ${quote(d.name)}: setup returned ${describeValue(r)}, expected a teardown function or nothing`,
        { plugin: d.name, hook: "setup" },
      );
    }
    const fn = r as () => unknown;
    return async () => {
      await callHook(d.name, "teardown", undefined, () => fn());
    };
  }

  #commit(d: PluginDefinition, source: string, apiVersion: number): PluginInfo {
    const info: PluginInfo = Object.freeze({
      name: d.name,
      version: d.version,
      apiVersion,
      source,
      resourceClasses: (d.resourceClasses ?? []).map((x) => x.name),
      launchers: (d.launchers ?? []).map((x) => x.name),
      fenceAgents: (d.fenceAgents ?? []).filter((x) => !isFenceAgentProvider(x)).map((x) => x.name),
      fenceAgentProviders: (d.fenceAgents ?? []).filter(isFenceAgentProvider).map((x) => x.name),
      notifiers: (d.notifiers ?? []).map((x) => x.name),
    });
    this.#plugins.set(d.name, info);
    for (const rc of d.resourceClasses ?? []) this.#resourceClasses.set(rc.name, wrapResourceClass(d.name, rc));
    for (const l of d.launchers ?? []) this.#launchers.set(l.name, wrapLauncher(d.name, l));
    for (const f of d.fenceAgents ?? []) {
      if (isFenceAgentProvider(f)) {
        this.#fenceProviders.push({ plugin: d.name, provider: wrapFenceAgentProvider(d.name, f) });
      } else this.#fenceAgents.set(f.name, wrapFenceAgent(d.name, f));
    }
    const log = childLogger(this.#log, { plugin: d.name });
    for (const n of d.notifiers ?? []) {
      this.#lanes.push(
        new NotifierLane(d.name, n, {
          queueLimit: this.#queueLimit,
          timeoutMs: this.#timeoutMs,
          report: this.#report,
          context: (signal) => makeContext(log, this.#shutdown.signal, signal),
        }),
      );
    }
    return info;
  }

  #context(plugin: string): PluginContext {
    return makeContext(childLogger(this.#log, { plugin }), this.#shutdown.signal);
  }

  /**
   * A context for calling a plugin's hooks: the registry's logger, a signal that aborts on
   * `close()` or when `signal` (a per-call cancellation) does.
   */
  context(signal?: AbortSignal): PluginContext {
    return signal ? makeContext(this.#log, this.#shutdown.signal, signal) : makeContext(this.#log, this.#shutdown.signal);
  }

  /** The resource class registered under `name` (the CIB `class`), wrapped. */
  resourceClass(name: string): ResourceClass | undefined {
    return this.#resourceClasses.get(name);
  }

  /** Names of the registered resource classes, sorted. */
  resourceClassNames(): string[] {
    return [...this.#resourceClasses.keys()].sort();
  }

  /** The guest launcher registered under `name`, wrapped. */
  launcher(name: string): GuestLauncher | undefined {
    return this.#launchers.get(name);
  }

  /** Names of the registered launchers, sorted. */
  launcherNames(): string[] {
    return [...this.#launchers.keys()].sort();
  }

  /**
   * The fence agent `name`: a plugin's own agent of that name wins; otherwise the providers are
   * asked in registration order and the first that serves it wins.
   */
  async fenceAgent(name: string, ctx: PluginContext = this.context()): Promise<FenceAgent | undefined> {
    const own = this.#fenceAgents.get(name);
    if (own) return own;
    for (const { provider } of this.#fenceProviders) {
      const a = await provider.get(name, ctx);
      if (a) return a;
    }
    return undefined;
  }

  /** Every fence agent name served (own agents and providers' lists), sorted, without repeats. */
  async fenceAgentNames(ctx: PluginContext = this.context()): Promise<string[]> {
    const names = new Set(this.#fenceAgents.keys());
    for (const { provider } of this.#fenceProviders) for (const n of await provider.list(ctx)) names.add(n);
    return [...names].sort();
  }

  /** The notifiers, in registration order, as `{plugin, name}`. */
  notifiers(): { plugin: string; name: string }[] {
    return this.#lanes.map((l) => ({ plugin: l.plugin, name: l.notifier.name }));
  }

  /**
   * Offer `event` to every notifier whose `accepts` (if any) returns true. Returns at once with
   * the number of deliveries queued; failures go to `onError` (or the log), never to the caller.
   */
  notifyAll(event: ClusterEvent): number {
    let queued = 0;
    for (const lane of this.#lanes) if (lane.offer(event)) queued++;
    return queued;
  }

  /** Resolves once every queued notifier delivery has finished. */
  async idle(): Promise<void> {
    await Promise.all(this.#lanes.map((l) => l.idle()));
  }

  /** What is registered, in registration order. */
  plugins(): PluginInfo[] {
    return [...this.#plugins.values()];
  }

  /**
   * Stop taking events, let queued deliveries finish (each is bounded by the notify timeout),
   * abort the plugins' signal and run the teardowns, last registered first. Teardown failures
   * are reported and returned, never thrown. Calling it again does nothing.
   */
  async close(): Promise<AtriumError[]> {
    if (this.#closed) return [];
    this.#closed = true;
    await this.#chain;
    for (const l of this.#lanes) l.close();
    await this.idle();
    this.#shutdown.abort();
    const errors: AtriumError[] = [];
    for (const t of [...this.#teardowns].reverse()) {
      try {
        await t.run();
      } catch (e) {
        const err = e instanceof AtriumError ? e : new AtriumError("PLUGIN_HOOK_FAILED", String(e), { plugin: t.plugin, hook: "teardown" });
        errors.push(err);
        this.#report(err);
      }
    }
    return errors;
  }
}

function conflict(plugin: string, owner: string, kind: Kind, name: string): AtriumError {
  const by = owner === plugin ? "it already provides one of that name" : `plugin ${quote(owner)} already provides it`;
  return new AtriumError(
    "PLUGIN_CONFLICT",
    `Cannot register ${kind} ${quote(name)} of plugin ${quote(plugin)}: ${by}`,
    { plugin, hook: "register", details: { kind, name, existing: owner } },
  );
}

function isLoaded(x: unknown): x is LoadedPlugin {
  return typeof x === "object" && x !== null && (x as { kind?: unknown }).kind === "atrium-loaded-plugin";
}

function positive(n: number, what: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`Cannot create registry: ${what} ${quote(n)} must be a positive number`);
  return n;
}
