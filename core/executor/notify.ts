/**
 * Clone notification meta attributes, named and formatted as Pacemaker 2.1.5 names them
 * (lib/pengine/pe_notif.c). The executor passes them to agents as OCF_RESKEY_CRM_meta_<name>.
 * @module
 */

/** One clone instance on one node. */
export interface NotifyEntry {
  readonly resource: string;
  readonly node?: string;
}

/** What a notification is about. */
export interface NotifyInfo {
  readonly type: "pre" | "post";
  /** The action being notified: "start", "stop", "promote", "demote". */
  readonly operation: string;
  readonly start?: readonly NotifyEntry[];
  readonly stop?: readonly NotifyEntry[];
  readonly promote?: readonly NotifyEntry[];
  readonly demote?: readonly NotifyEntry[];
  readonly active?: readonly NotifyEntry[];
  readonly inactive?: readonly NotifyEntry[];
  readonly promoted?: readonly NotifyEntry[];
  readonly unpromoted?: readonly NotifyEntry[];
  /** Nodes the clone may run on (notify_available_uname). */
  readonly availableNodes?: readonly string[];
  /** Every cluster node (notify_all_uname). */
  readonly allNodes?: readonly string[];
  /** Hosts of those nodes, only for container-attribute-target=host (notify_all_hosts). */
  readonly allHosts?: readonly string[];
}

/** Pacemaker's list form: words joined by one space; an empty list is a single space. */
function words(list: readonly string[]): string {
  return list.length === 0 ? " " : list.join(" ");
}

function lists(entries: readonly NotifyEntry[] | undefined, withNodes: boolean): [string, string] {
  const sorted = [...(entries ?? [])].sort((a, b) =>
    a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : (a.node ?? "").localeCompare(b.node ?? "")
  );
  const rsc: string[] = [];
  const nodes: string[] = [];
  let last: string | undefined;
  for (const e of sorted) {
    if (withNodes && e.node === undefined) continue;
    if (e.resource === last) continue;
    last = e.resource;
    rsc.push(e.resource);
    if (withNodes && e.node !== undefined) nodes.push(e.node);
  }
  return [words(rsc), words(nodes)];
}

/**
 * Build the notify meta attributes (without the CRM_meta_ prefix): notify_type,
 * notify_operation, notify_key_type, notify_key_operation, notify_{start,stop,promote,demote,
 * active,unpromoted,promoted}_{resource,uname} plus the deprecated slave/master aliases,
 * notify_inactive_resource, notify_available_uname, notify_all_uname (and notify_all_hosts).
 * Lists are sorted by instance, de-duplicated, space-separated; empty lists are " ".
 *
 * @example
 * ```ts
 * const meta = notifyMeta({ type: "pre", operation: "start", start: [{ resource: "db:1", node: "n2" }] });
 * meta.notify_start_uname; // "n2"
 * executor.exec({ resource: "db:0", action: "notify", timeoutMs: 20_000, meta });
 * ```
 */
export function notifyMeta(info: NotifyInfo): Record<string, string> {
  const meta: Record<string, string> = {
    notify_type: info.type,
    notify_operation: info.operation,
    notify_key_type: info.type,
    notify_key_operation: info.operation,
  };
  for (const kind of ["stop", "start", "demote", "promote", "active"] as const) {
    const [r, n] = lists(info[kind], true);
    meta[`notify_${kind}_resource`] = r;
    meta[`notify_${kind}_uname`] = n;
  }
  const [ur, un] = lists(info.unpromoted, true);
  meta["notify_unpromoted_resource"] = meta["notify_slave_resource"] = ur;
  meta["notify_unpromoted_uname"] = meta["notify_slave_uname"] = un;
  const [pr, pn] = lists(info.promoted, true);
  meta["notify_promoted_resource"] = meta["notify_master_resource"] = pr;
  meta["notify_promoted_uname"] = meta["notify_master_uname"] = pn;
  meta["notify_inactive_resource"] = lists(info.inactive, false)[0];
  meta["notify_available_uname"] = words([...(info.availableNodes ?? [])].sort());
  meta["notify_all_uname"] = words([...(info.allNodes ?? [])]);
  if (info.allHosts !== undefined) meta["notify_all_hosts"] = words([...info.allHosts]);
  return meta;
}
