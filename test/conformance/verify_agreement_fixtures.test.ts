// The crafted CIBs of test/fixtures/verify against live crm_verify 2.1.5 (skipped when it is
// not installed). Atrium rejects some of them on purpose where crm_verify does not: the
// remote/guest rules (those configurations do not work), and XML that is not well-formed
// (libxml2 recovers from it, Atrium refuses it with exit 65).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCib } from "../../core/cib/codec.ts";
import { verifyCib } from "../../core/cib/validate/mod.ts";

const dir = fileURLToPath(new URL("../fixtures/verify/", import.meta.url));

/** Fixtures crm_verify 2.1.5 accepts but Atrium rejects, and why. */
const ATRIUM_ONLY: Record<string, string> = {
  "guest_container_cloned.xml": "remote-node on a cloned primitive",
  "guest_container_group.xml": "remote-node on a group",
  "remote_connect_timeout_invalid.xml": "remote-connect-timeout is not a duration",
  "remote_connection_clash_node.xml": "connection id equals a cluster node name",
  "remote_connection_in_colocation.xml": "connection resource in a colocation",
  "remote_connection_in_group.xml": "connection resource in a group",
  "remote_connection_in_order.xml": "connection resource in an order",
  "remote_connection_in_set.xml": "connection resource in an ordered set",
  "remote_connection_port_invalid.xml": "port 0",
  "remote_node_clash_node.xml": "guest name equals a cluster node name",
  "remote_node_clash_resource.xml": "guest name equals a resource id",
  "remote_port_invalid.xml": "remote-port 99999",
  "not_well_formed.xml": "mismatched closing tag (libxml2 recovers)",
};

function crmVerify(file: string): number | undefined {
  try {
    execFileSync("crm_verify", ["-x", file], { stdio: "ignore" });
    return 0;
  } catch (e) {
    const status = (e as { status?: number | null }).status;
    return typeof status === "number" ? status : undefined;
  }
}

function haveCrmVerify(): boolean {
  try {
    execFileSync("crm_verify", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const live = haveCrmVerify();
if (!live) console.log("verify_agreement_fixtures: skipped, crm_verify is not installed");

describe.skipIf(!live)("crafted CIBs: atrium verify against crm_verify 2.1.5", () => {
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".xml")).sort()) {
    it(name, () => {
      const theirs = crmVerify(`${dir}${name}`);
      let ours: number;
      try {
        ours = verifyCib(parseCib(readFileSync(`${dir}${name}`, "utf8"))).length > 0 ? 78 : 0;
      } catch {
        ours = 65;
      }
      if (ATRIUM_ONLY[name] !== undefined) {
        expect(theirs, `crm_verify now rejects ${name}; move it out of ATRIUM_ONLY`).toBe(0);
        expect(ours).not.toBe(0);
      } else {
        expect(ours).toBe(theirs);
      }
    });
  }
});
