import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCib } from "../../../../core/cib/codec.ts";
import { verifyCib } from "../../../../core/cib/validate/mod.ts";

// The valid fixture has cluster nodes node1/node2, remote node remote1 (connection "remote1")
// and guest guest1 (container vm1). Each test swaps in a status section.
const valid = readFileSync(fileURLToPath(new URL("../../../fixtures/verify/valid.xml", import.meta.url)), "utf8");

function fenced(status: string, constraints = ""): (string | null)[] {
  const xml = valid.replace(/<status>[\s\S]*<\/status>/, `<status>${status}</status>`)
    .replace("</constraints>", `${constraints}</constraints>`);
  return verifyCib(parseCib(xml)).filter((f) => f.code === "NODE_NEEDS_FENCING").map((f) => f.value).sort();
}

const op = (rsc: string, name: string, rc: number, call: number, interval = 0, target = 0) =>
  `<lrm_rsc_op id="${rsc}_${name}_${interval}" operation="${name}" call-id="${call}" rc-code="${rc}" op-status="0" interval="${interval}" transition-key="1:1:${target}:x"/>`;
const lrm = (rsc: string, ops: string, cls = `class="ocf" provider="pacemaker" type="remote"`) =>
  `<lrm_resource id="${rsc}" ${cls}>${ops}</lrm_resource>`;
const node = (id: string, uname: string, body = "", attrs = `in_ccm="true" crmd="online" join="member" expected="member"`) =>
  `<node_state id="${id}" uname="${uname}" ${attrs}><lrm id="${id}"><lrm_resources>${body}</lrm_resources></lrm></node_state>`;
const remoteWithDummy = `<node_state id="remote1" uname="remote1" remote_node="true"><lrm id="remote1"><lrm_resources>${
  lrm("httpd", op("httpd", "start", 0, 3), `class="ocf" provider="heartbeat" type="apache"`)}</lrm_resources></lrm></node_state>`;

describe("fencing prediction for remote nodes", () => {
  it("accepts a running remote connection", () => {
    expect(fenced(node("1", "node1", lrm("remote1", op("remote1", "start", 0, 2))) + node("2", "node2") + remoteWithDummy)).toEqual([]);
  });
  it("fences a remote node whose connection's recurring monitor failed", () => {
    const ops = op("remote1", "start", 0, 2) + op("remote1", "monitor", 7, 3, 30000);
    expect(fenced(node("1", "node1", lrm("remote1", ops)) + node("2", "node2") + remoteWithDummy)).toEqual(["remote1"]);
  });
  it("does not fence it again when it was already fenced", () => {
    const ops = op("remote1", "start", 0, 2) + op("remote1", "monitor", 1, 3, 30000);
    const already = `<node_state id="remote1" uname="remote1" remote_node="true" node_fenced="1"/>`;
    expect(fenced(node("1", "node1", lrm("remote1", ops)) + node("2", "node2") + already)).toEqual([]);
  });
  it("fences the host and the remote node when the connection cannot move off the lost host", () => {
    const lost = `in_ccm="false" crmd="offline" join="down" expected="member"`;
    const status = node("1", "node1", lrm("remote1", op("remote1", "start", 0, 2)), lost) + node("2", "node2") + remoteWithDummy;
    expect(fenced(status)).toEqual(["node1"]);
    expect(fenced(status, `<rsc_location id="ban" rsc="remote1" node="node2" score="-INFINITY"/>`)).toEqual(["node1", "remote1"]);
  });
  it("fences every node of an empty status, the remote node too (its connection cannot start)", () => {
    expect(fenced("")).toEqual(["node1", "node2", "remote1"]);
  });
  it("never reports a guest node (it is recovered through its container)", () => {
    const guestGone = node("1", "node1", lrm("vm1", op("vm1", "start", 0, 2), `class="ocf" provider="heartbeat" type="VirtualDomain"`)) +
      node("2", "node2") +
      `<node_state id="guest1" uname="guest1" remote_node="true"><lrm id="guest1"><lrm_resources>${
        lrm("ip", op("ip", "monitor", 1, 4, 10000), `class="ocf" provider="heartbeat" type="IPaddr2"`)}</lrm_resources></lrm></node_state>`;
    expect(fenced(guestGone)).toEqual([]);
  });
});
