/**
 * The plugin API: the four contribution kinds and what a plugin module exports.
 *
 * A plugin is a module whose default export is `definePlugin({...})`. The registry accepts a
 * plugin only if one of its `apiVersions` is one the host supports ({@link PLUGIN_API_VERSION}),
 * picks one winner by name for resource classes, launchers and fence agents, and fans out to
 * every notifier. Plugins use only this module (`atrium/plugin-api`); they never touch the CIB.
 */

/** The plugin API version this host implements. */
export const PLUGIN_API_VERSION = 1;
/** Every API version this host can load. */
export const SUPPORTED_API_VERSIONS: readonly number[] = [1];

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** What the host hands every hook. */
export interface PluginContext {
  readonly log: Logger;
  /** Aborted when the host shuts the plugin down (or, per call, when the call is cancelled). */
  readonly signal: AbortSignal;
  readonly runtime: "node" | "deno";
  /** Bytes of agent output to keep per stream (the executor's cap; default 10 MiB). */
  readonly outputCapBytes?: number;
  /** Grace between SIGTERM and SIGKILL when an agent's process group is killed, in ms. */
  readonly killGraceMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Resource classes (one winner by name: "ocf", "lsb", "systemd", ...)

/** OCF result codes (the exit codes of OCF agents; other classes map onto them). */
export const OcfRc = {
  OK: 0,
  ERR_GENERIC: 1,
  ERR_ARGS: 2,
  ERR_UNIMPLEMENTED: 3,
  ERR_PERM: 4,
  ERR_INSTALLED: 5,
  ERR_CONFIGURED: 6,
  NOT_RUNNING: 7,
  RUNNING_PROMOTED: 8,
  FAILED_PROMOTED: 9,
  DEGRADED: 190,
  DEGRADED_PROMOTED: 191,
} as const;
export type OcfRcCode = (typeof OcfRc)[keyof typeof OcfRc];

/**
 * How an operation ended, apart from the agent's rc (Pacemaker's execution status).
 * `done`: the agent ran and exited (its rc says how it went); `timeout`: killed at its timeout;
 * `cancelled`: a recurring op was cancelled; `not_installed`: no such agent;
 * `error`: could not run at all (the `reason` says why); `not_supported`: the class cannot do it.
 */
export type ExecStatus = "done" | "timeout" | "cancelled" | "not_installed" | "error" | "not_supported";

export interface AgentRef {
  readonly class: string;
  readonly provider?: string;
  readonly type: string;
}

export type OperationName =
  | "start" | "stop" | "monitor" | "promote" | "demote" | "notify" | "reload" | "reload-agent"
  | "migrate_to" | "migrate_from" | "meta-data" | "validate-all" | (string & {});

export interface OperationRequest {
  /** The resource id (OCF_RESOURCE_INSTANCE). */
  readonly resource: string;
  readonly agent: AgentRef;
  readonly action: OperationName;
  /** 0 for one-shot operations; the executor, not the class, schedules recurring ones. */
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Instance attributes (OCF_RESKEY_<name>). */
  readonly params: Readonly<Record<string, string>>;
  /** Meta attributes and operation meta (OCF_RESKEY_CRM_meta_<name>), e.g. notify variables. */
  readonly meta: Readonly<Record<string, string>>;
  /** Extra environment (e.g. OCF_CHECK_LEVEL). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface OperationResult {
  /** OCF-style rc. Meaningful when `status` is "done". */
  readonly rc: number;
  readonly status: ExecStatus;
  /** A short human reason (first line of stderr, "timed out after 20000ms", ...). */
  readonly reason?: string;
  /** Agent output, capped by the executor. */
  readonly stdout?: string;
  readonly stderr?: string;
  /** Wall time of the run in ms. */
  readonly durationMs?: number;
}

export interface ParameterMetadata {
  readonly name: string;
  readonly required: boolean;
  readonly unique: boolean;
  readonly reloadable: boolean;
  readonly type?: string;
  readonly default?: string;
  readonly shortdesc?: string;
}
export interface ActionMetadata {
  readonly name: string;
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  readonly depth?: number;
  readonly role?: string;
  /** Fence agents: `automatic="1"` (or the deprecated `required="1"`) on the `on` action, i.e. unfencing. */
  readonly automatic?: boolean;
  /** Fence agents: `on_target="1"`, the action must run on the target node itself. */
  readonly onTarget?: boolean;
}
export interface AgentMetadata {
  readonly agent: AgentRef;
  readonly version?: string;
  readonly shortdesc?: string;
  readonly parameters: readonly ParameterMetadata[];
  readonly actions: readonly ActionMetadata[];
  /** The raw XML as the agent printed it. */
  readonly xml?: string;
}

export interface ResourceClass {
  readonly name: string;
  /** Providers this class knows (OCF only). */
  listProviders?(ctx: PluginContext): Promise<string[]>;
  listAgents(ctx: PluginContext, provider?: string): Promise<AgentRef[]>;
  metadata(agent: AgentRef, ctx: PluginContext): Promise<AgentMetadata>;
  /** Run one operation to completion. Never throws for agent failures: returns a result. */
  exec(op: OperationRequest, ctx: PluginContext): Promise<OperationResult>;
}

// ---------------------------------------------------------------------------------------------
// Guest launchers (one winner by name: "netns", "kvm", "xen", "lxc")

export interface LauncherCapabilities {
  readonly migrate: boolean;
  readonly console: boolean;
}

export interface GuestSpec {
  /** The container resource id. */
  readonly resource: string;
  /** The guest node name (meta remote-node). */
  readonly node: string;
  /** Instance attributes of the container primitive. */
  readonly params: Readonly<Record<string, string>>;
  /** The key the guest's executor must use (never logged). */
  readonly authkey: Uint8Array;
  readonly timeoutMs: number;
}

/** Opaque to the host; persisted so that `recover` can re-attach after a restart. */
export interface GuestHandle {
  readonly launcher: string;
  readonly resource: string;
  readonly node: string;
  readonly state: Readonly<Record<string, unknown>>;
}

export type GuestStatus = "running" | "stopped" | "failed" | "unknown";

export interface GuestLauncher {
  readonly name: string;
  readonly capabilities: LauncherCapabilities;
  start(spec: GuestSpec, ctx: PluginContext): Promise<GuestHandle>;
  stop(handle: GuestHandle, opts: { timeoutMs: number; force: boolean }, ctx: PluginContext): Promise<void>;
  status(handle: GuestHandle, ctx: PluginContext): Promise<GuestStatus>;
  /** Where the guest's executor listens, used unless `remote-addr` is set. */
  address(handle: GuestHandle, ctx: PluginContext): Promise<{ host: string; port: number }>;
  /** Re-attach to a guest after a host restart; false if it is gone. */
  recover(handle: GuestHandle, ctx: PluginContext): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Fence agents (one winner by name, e.g. "fence_dummy")

export type FenceAction = "off" | "on" | "reboot" | "status" | "list" | "monitor" | "metadata";

export interface FenceRequest {
  readonly action: FenceAction;
  /** The node (or plug, after pcmk_host_map) to act on; absent for list/monitor/metadata. */
  readonly target?: string;
  /** The target's cluster node id, when known (fence agents get it as `nodeid`). */
  readonly targetNodeId?: string;
  readonly params: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export interface FenceResult {
  /** 0 success; for status, 2 means "off"; anything else failed. */
  readonly rc: number;
  readonly status: ExecStatus;
  readonly reason?: string;
  readonly output?: string;
}

export interface FenceAgent {
  readonly name: string;
  metadata(ctx: PluginContext): Promise<AgentMetadata>;
  run(req: FenceRequest, ctx: PluginContext): Promise<FenceResult>;
}

/** Lists fence agent names a plugin can serve (a bridge like fence-agents serves many). */
export interface FenceAgentProvider {
  readonly name: string;
  list(ctx: PluginContext): Promise<string[]>;
  get(agent: string, ctx: PluginContext): Promise<FenceAgent | undefined>;
}

// ---------------------------------------------------------------------------------------------
// Notifiers (fan-out, best effort, never blocking the controller)

export type ClusterEventKind = "node" | "fencing" | "resource" | "attribute";

export interface ClusterEvent {
  readonly kind: ClusterEventKind;
  /** Monotonic sequence number assigned by the host. */
  readonly sequence: number;
  /** ISO 8601 time with microseconds where known. */
  readonly timestamp: string;
  readonly node?: string;
  readonly resource?: string;
  readonly task?: string;
  readonly interval?: number;
  readonly rc?: number;
  readonly status?: string;
  readonly desc?: string;
  readonly targetRc?: number;
  readonly attribute?: { readonly name: string; readonly value?: string };
  readonly nodeId?: string;
  /** Resource events: how long the operation ran, in ms (CRM_alert_exec_time). */
  readonly execTimeMs?: number;
}

export interface Notifier {
  readonly name: string;
  accepts?(event: ClusterEvent): boolean;
  notify(event: ClusterEvent, ctx: PluginContext): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// The plugin module

export interface PluginDefinition {
  readonly name: string;
  readonly version: string;
  /** The plugin API versions this plugin was written for. */
  readonly apiVersions: readonly number[];
  /** Called once with the plugin's configuration; may return a teardown. */
  setup?(config: unknown, ctx: PluginContext): Promise<void | (() => Promise<void>)>;
  readonly resourceClasses?: readonly ResourceClass[];
  readonly launchers?: readonly GuestLauncher[];
  readonly fenceAgents?: readonly (FenceAgent | FenceAgentProvider)[];
  readonly notifiers?: readonly Notifier[];
}
