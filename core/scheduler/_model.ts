/**
 * The scheduler's working set: the unpacked cluster (nodes, resources, constraints, status)
 * that each phase reads and annotates. Internal to core/scheduler/.
 */
import type { CibElement } from "../cib/model.ts";
import type { Role, ScoreContribution } from "./transition.ts";

/** A node as the scheduler sees it. */
export interface SNode {
  readonly name: string;
  readonly id: string;
  readonly type: "cluster" | "remote" | "guest";
  online: boolean;
  unclean: boolean;
  pending: boolean;
  standby: boolean;
  maintenance: boolean;
  shutdown: boolean;
  /** Seen in the status section. */
  seen: boolean;
  /** Will be fenced in this transition. */
  fence?: "reboot" | "off" | "on";
  /** Node attributes (config instance_attributes + transient attributes + #uname ...). */
  readonly attrs: Map<string, string>;
  readonly utilization: Map<string, number>;
  /** A bundle replica's guest node (runs only that replica's child). */
  bundleNode?: string;
  /** Guest/remote node must be reset (fenced; for guests: container recovered). */
  resetRequired?: boolean;
  /** Remote node fencing is revoked if its connection can be re-established. */
  revocable?: boolean;
  /** Connection (remote) or container (guest) resource id. */
  remoteRsc?: string;
  containerRsc?: string;
  /** Resources assigned to this node so far (tie-break by load). */
  assigned: number;
  /** Remaining utilization capacity while assigning. */
  readonly capacityLeft: Map<string, number>;
}

/** A recorded failure of a resource on a node. */
export interface FailInfo {
  readonly op: string;
  readonly interval: number;
  readonly rc: number;
  readonly onFail: string;
  readonly lastRun: number;
  /** Fatal: ban everywhere (not configured). Hard: ban from the node. */
  readonly severity: "soft" | "hard" | "fatal";
}

/** Configured operation. */
export interface OpConfig {
  readonly name: string;
  readonly interval: number;
  readonly role?: string;
  readonly onFail?: string;
  readonly timeout?: number;
  readonly enabled: boolean;
}

/** Fields shared by every resource variant. */
interface RscBase {
  readonly id: string;
  parent?: Rsc;
  readonly xml: CibElement;
  readonly meta: Map<string, string>;
  priority: number;
  managed: boolean;
  /** target-role (Started when absent). */
  targetRole: Role;
  stickiness: number;
  /** Node name -> allocation score. */
  allowed: Map<string, number>;
  readonly contributions: ScoreContribution[];
  /** Set once assigned (null: assigned nowhere). */
  assigned?: string | null;
  nextRole?: Role;
  processed: boolean;
  orphan: boolean;
}

export interface Primitive extends RscBase {
  readonly kind: "primitive";
  readonly cls: string;
  readonly provider?: string;
  readonly type: string;
  /** Node name -> current role there (active nodes). */
  readonly running: Map<string, Role>;
  /** Nodes where it failed (needs recovery) -> failure. */
  readonly failed: Map<string, FailInfo>;
  /** Nodes where it is in an unknown, partially stopped or blocked state. */
  readonly blockedOn: Set<string>;
  /** Fail-count per node. */
  readonly failcount: Map<string, number>;
  /** Last failure time (s) per node. */
  readonly lastFailure: Map<string, number>;
  /** Probe results seen (node -> known), for discovery. */
  readonly probed: Set<string>;
  readonly ops: OpConfig[];
  migrationThreshold: number;
  failureTimeout: number;
  /** Pending migration (migrate_to done, migrate_from not): source and target. */
  partialMigration?: { source: string; target: string };
  /** Needs a restart on its node (e.g. parameters changed). */
  restartOn: Set<string>;
  /** Guest node this resource launches (meta remote-node). */
  guestNode?: string;
  /** Remote node this connection resource serves. */
  remoteNode?: string;
  /** Container resource (meta container). */
  container?: string;
  /** Clone instance number, when inside a clone. */
  instance?: number;
  /** Part of a bundle: the bundle id and what this primitive is in it. */
  bundle?: { readonly id: string; readonly part: "container" | "ip" | "remote" | "child"; readonly replica: number };
}

export interface Group extends RscBase {
  readonly kind: "group";
  readonly members: Rsc[];
}

export interface Clone extends RscBase {
  readonly kind: "clone";
  readonly promotable: boolean;
  /** The configured child (group or primitive). */
  readonly template: CibElement;
  readonly instances: Rsc[];
  cloneMax: number;
  cloneNodeMax: number;
  promotedMax: number;
  promotedNodeMax: number;
  readonly anonymous: boolean;
  readonly interleave: boolean;
  readonly ordered: boolean;
  readonly notify: boolean;
  /** Instance id separator: ":" for clones, "-" for a bundle's containers. */
  instanceSep?: string;
  /** For a bundle's container clone: the clone of the wrapped resource. */
  bundleChild?: Clone;
  /** For a bundle's child clone: instance i runs only on guest node `${bundleId}-${i}`. */
  bundleOf?: string;
}

export interface Bundle extends RscBase {
  readonly kind: "bundle";
  readonly replicas: Rsc[];
}

export type Rsc = Primitive | Group | Clone | Bundle;

/** An unpacked colocation between two resources. */
export interface Colocation {
  readonly id: string;
  readonly dependent: Rsc;
  readonly primary: Rsc;
  readonly score: number;
  readonly dependentRole?: Role;
  readonly primaryRole?: Role;
  readonly nodeAttribute: string;
  readonly influence: boolean;
}

/** An unpacked ordering between two resource actions. */
export interface Ordering {
  readonly id: string;
  readonly first: Rsc;
  readonly firstAction: string;
  readonly then: Rsc;
  readonly thenAction: string;
  readonly kind: "Mandatory" | "Optional" | "Serialize";
  readonly symmetrical: boolean;
  /** For sets with require-all=false: any one of `alternatives` satisfies the ordering. */
  readonly alternatives?: readonly Rsc[];
  /** require-all=false on a clone first: any one instance satisfies the ordering. */
  readonly anyInstance?: boolean;
}

/** A location preference of a resource for one node. */
export interface LocationEntry {
  readonly rsc: Rsc;
  readonly node: string;
  readonly score: number;
  readonly role?: Role;
  readonly source: string;
  /** resource-discovery=never/exclusive on this entry. */
  readonly discovery?: string;
}

/** A ticket dependency. */
export interface TicketDep {
  readonly rsc: Rsc;
  readonly ticket: string;
  readonly lossPolicy: string;
  readonly role?: Role;
}

/** Cluster-wide options (crm_config). */
export interface ClusterOptions {
  readonly symmetric: boolean;
  readonly stonithEnabled: boolean;
  readonly stonithAction: "reboot" | "off";
  readonly noQuorumPolicy: "stop" | "freeze" | "ignore" | "demote" | "suicide";
  readonly haveQuorum: boolean;
  readonly maintenanceMode: boolean;
  readonly stopOrphanResources: boolean;
  readonly startupFencing: boolean;
  readonly placementStrategy: string;
  readonly stopAllResources: boolean;
  readonly concurrentFencing: boolean;
  readonly shutdownLock: boolean;
  /** shutdown-lock-limit in seconds (0: locks never expire). */
  readonly shutdownLockLimit?: number;
  readonly nodeHealthStrategy: string;
  /** Scores of the node health colours for the strategy (red, yellow, green). */
  readonly nodeHealth: { readonly red: number; readonly yellow: number; readonly green: number };
}

/** The whole working set. */
export interface WorkingSet {
  readonly now: Date;
  readonly options: ClusterOptions;
  readonly rscDefaults: Map<string, string>;
  /** The rsc_defaults meta_attributes sets (rules may depend on the resource agent). */
  readonly rscDefaultSets: readonly CibElement[];
  readonly opDefaults: Map<string, string>;
  readonly nodes: Map<string, SNode>;
  /** Top-level resources in configuration order. */
  readonly resources: Rsc[];
  /** Every resource by id (instances by instance id, primitives of clones by bare id too). */
  readonly byId: Map<string, Rsc>;
  readonly colocations: Colocation[];
  readonly orderings: Ordering[];
  readonly locations: LocationEntry[];
  readonly ticketDeps: TicketDep[];
  readonly ids: Map<string, CibElement>;
  readonly warnings: string[];
  readonly tickets: Map<string, { granted: boolean; standby: boolean }>;
  readonly dcName?: string;
}

/** Every primitive below `r` (itself when primitive). */
export function primitivesOf(r: Rsc, out: Primitive[] = []): Primitive[] {
  switch (r.kind) {
    case "primitive": out.push(r); break;
    case "group": for (const m of r.members) primitivesOf(m, out); break;
    case "clone": for (const i of r.instances) primitivesOf(i, out); break;
    case "bundle": for (const i of r.replicas) primitivesOf(i, out); break;
  }
  return out;
}

/** The top-level ancestor of a resource. */
export function topOf(r: Rsc): Rsc {
  let x = r;
  while (x.parent) x = x.parent;
  return x;
}

/** The nearest clone ancestor, if any. */
export function cloneOf(r: Rsc): Clone | undefined {
  for (let x: Rsc | undefined = r.parent; x; x = x.parent) if (x.kind === "clone") return x;
  return undefined;
}
