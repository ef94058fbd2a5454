import { describe, expect, it } from "vitest";
import { notifyMeta } from "../../../core/executor/mod.ts";

describe("notifyMeta()", () => {
  it("names, sorts and de-duplicates notify lists as Pacemaker does", () => {
    const m = notifyMeta({
      type: "pre",
      operation: "promote",
      promote: [{ resource: "db:1", node: "n2" }],
      active: [{ resource: "db:1", node: "n2" }, { resource: "db:0", node: "n1" }, { resource: "db:0", node: "n1" }],
      unpromoted: [{ resource: "db:0", node: "n1" }, { resource: "db:1", node: "n2" }],
      inactive: [{ resource: "db:2" }],
      availableNodes: ["n2", "n1"],
      allNodes: ["n1", "n2", "n3"],
    });
    expect(m).toMatchObject({
      notify_type: "pre",
      notify_operation: "promote",
      notify_promote_resource: "db:1",
      notify_promote_uname: "n2",
      notify_active_resource: "db:0 db:1",
      notify_active_uname: "n1 n2",
      notify_unpromoted_resource: "db:0 db:1",
      notify_slave_resource: "db:0 db:1",
      notify_promoted_resource: " ",
      notify_master_uname: " ",
      notify_start_resource: " ",
      notify_stop_uname: " ",
      notify_inactive_resource: "db:2",
      notify_available_uname: "n1 n2",
      notify_all_uname: "n1 n2 n3",
    });
    expect(m).not.toHaveProperty("notify_all_hosts");
  });
});
