import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCib } from "../../../../core/cib/codec.ts";
import { verifyCib } from "../../../../core/cib/validate/mod.ts";

function fixture(name: string) {
  const path = fileURLToPath(new URL(`../../../fixtures/verify/${name}`, import.meta.url));
  return verifyCib(parseCib(readFileSync(path, "utf8")));
}

describe("remote and guest rules (crafted CIBs in test/fixtures/verify)", () => {
  it("accepts the valid base CIB (remote connection, guest, group, clone)", () => {
    expect(fixture("valid.xml")).toEqual([]);
  });

  const cases: [string, string, string, string | null][] = [
    ["remote_node_clash_resource.xml", "REMOTE_NODE_NAME_CLASH", "/cib/configuration/resources/primitive[@id='vm1']/meta_attributes[@id='vm1-meta']/nvpair[@name='remote-node']", "httpd"],
    ["remote_node_clash_node.xml", "REMOTE_NODE_NAME_CLASH", "/cib/configuration/resources/primitive[@id='vm1']/meta_attributes[@id='vm1-meta']/nvpair[@name='remote-node']", "node2"],
    ["remote_connection_clash_node.xml", "REMOTE_NODE_NAME_CLASH", "/cib/configuration/resources/primitive[@id='node2']/@id", "node2"],
    ["remote_connection_in_group.xml", "REMOTE_CONNECTION_IN_GROUP", "/cib/configuration/resources/group[@id='web']/primitive[@id='remote1']", "remote1"],
    ["remote_connection_in_colocation.xml", "REMOTE_CONNECTION_IN_CONSTRAINT", "/cib/configuration/constraints/rsc_colocation[@id='web-with-remote1']/@with-rsc", "remote1"],
    ["remote_connection_in_order.xml", "REMOTE_CONNECTION_IN_CONSTRAINT", "/cib/configuration/constraints/rsc_order[@id='remote1-then-web']/@first", "remote1"],
    ["remote_connection_in_set.xml", "REMOTE_CONNECTION_IN_CONSTRAINT", "/cib/configuration/constraints/rsc_order[@id='set-order']/resource_set[@id='set-order-0']/resource_ref[@id='remote1']/@id", "remote1"],
    ["remote_port_invalid.xml", "INVALID_PORT", "/cib/configuration/resources/primitive[@id='vm1']/meta_attributes[@id='vm1-meta']/nvpair[@name='remote-port']", "99999"],
    ["remote_connection_port_invalid.xml", "INVALID_PORT", "/cib/configuration/resources/primitive[@id='remote1']/instance_attributes[@id='remote1-params']/nvpair[@name='port']", "0"],
    ["remote_connect_timeout_invalid.xml", "INVALID_DURATION", "/cib/configuration/resources/primitive[@id='vm1']/meta_attributes[@id='vm1-meta']/nvpair[@name='remote-connect-timeout']", "soon"],
    ["guest_container_group.xml", "GUEST_CONTAINER_NOT_PRIMITIVE", "/cib/configuration/resources/group[@id='web']/meta_attributes[@id='web-meta']/nvpair[@name='remote-node']", "guest1"],
    ["guest_container_cloned.xml", "GUEST_CONTAINER_CLONED", "/cib/configuration/resources/clone[@id='ping-clone']/primitive[@id='ping']/meta_attributes[@id='ping-meta']/nvpair[@name='remote-node']", "guest1"],
    ["unknown_reference.xml", "UNKNOWN_REFERENCE", "/cib/configuration/constraints/rsc_order[@id='ping-then-web']/@then", "wbe"],
    ["duplicate_id.xml", "DUPLICATE_ID", "/cib/configuration/resources/group[@id='web']/primitive[@id='ip']/@id", "ip"],
    ["duplicate_operation.xml", "DUPLICATE_OPERATION", "/cib/configuration/resources/primitive[@id='vm1']/operations/op[@id='vm1-monitor-10000ms']", "vm1-monitor-10000ms"],
  ];
  for (const [file, code, location, value] of cases) {
    it(`${file}: exactly one ${code} error at its location`, () => {
      const findings = fixture(file);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ severity: "error", code, location, value });
      expect(findings[0]!.message).not.toMatch(/\.$/);
      expect(findings[0]!.expected.length).toBeGreaterThan(0);
    });
  }

  it("the remote-port finding says what was expected", () => {
    const [f] = fixture("remote_port_invalid.xml");
    expect(f!.message).toBe('Value "99999" is not a port');
    expect(f!.expected).toBe("an integer 1-65535");
  });
});
