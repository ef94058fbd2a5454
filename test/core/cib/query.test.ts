import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCib } from "../../../core/cib/codec.ts";
import {
  acls,
  alerts,
  bundles,
  child,
  childrenOf,
  clones,
  clusterNodes,
  clusterProperties,
  configuration,
  constraints,
  fencingLevels,
  findAllById,
  findById,
  groups,
  guestNodeMeta,
  lrmResources,
  lrmRscOps,
  nodes,
  nodeState,
  nodeStates,
  nvPairs,
  nvSets,
  nvValues,
  ops,
  primitives,
  recipients,
  remoteConnectionParams,
  resourceRefs,
  resources,
  resourceSets,
  rscDefaults,
  section,
  status,
  tagRefs,
  tags,
  templateOf,
  templates,
  transientAttributes,
  walkResources,
} from "../../../core/cib/query.ts";
import type { Primitive } from "../../../core/cib/model.ts";
import { validateStructure } from "../../../core/cib/schema/mod.ts";

const xml = readFileSync(new URL("../../fixtures/cib/remote_guest.xml", import.meta.url), "utf8");
const cib = parseCib(xml);

describe("query helpers", () => {
  it("child(), childrenOf() and section() navigate the tree", () => {
    expect(child(cib, "configuration")).toBe(configuration(cib));
    expect(status(cib)?.tag).toBe("status");
    expect(section(cib, "resources")?.tag).toBe("resources");
    expect(section(cib, "op_defaults")).toBeUndefined();
    expect(childrenOf(section(cib, "nodes"), "node").map((n) => n.attrs.id)).toEqual(["1", "2", "remote1"]);
    expect(childrenOf(undefined, "x")).toEqual([]);
    expect(nodes(cib).map((n) => n.attrs.uname)).toEqual(["node1", "node2", "remote1"]);
    expect(alerts(cib).map((a) => a.attrs.path)).toEqual(["/usr/share/pacemaker/alerts/alert_file.sh"]);
    expect(recipients(alerts(cib)[0]!).map((r) => r.attrs.value)).toEqual(["/var/log/alerts.log"]);
    expect(fencingLevels(cib).map((l) => [l.attrs.target ?? l.attrs["target-pattern"], l.attrs.devices]))
      .toEqual([
        ["node1", "fence1,fence2"],
        ["remote.*", "fence3"],
      ]);
    expect(childrenOf(acls(cib)).map((e) => e.tag)).toEqual(["acl_role"]);
    expect(validateStructure(cib)).toEqual([]);
  });

  it("clusterProperties() puts cib-bootstrap-options first, then by score", () => {
    const p = clusterProperties(cib);
    expect(p.get("stonith-enabled")).toBe("false");
    expect(p.get("no-quorum-policy")).toBe("ignore");
  });

  it("resources helpers walk primitives, groups, clones, bundles and templates", () => {
    expect(resources(cib).map((r) => r.attrs.id)).toEqual(["remote1", "vm1", "grp", "cl", "httpd-bundle"]);
    expect(primitives(cib).map((r) => r.attrs.id)).toEqual([
      "remote1",
      "vm1",
      "vm2",
      "dummy",
      "cloned",
      "httpd",
    ]);
    expect(groups(cib).map((r) => r.attrs.id)).toEqual(["grp"]);
    expect(clones(cib).map((r) => r.attrs.id)).toEqual(["cl"]);
    expect(bundles(cib).map((r) => r.attrs.id)).toEqual(["httpd-bundle"]);
    expect(templates(cib).map((r) => r.attrs.id)).toEqual(["tmpl"]);
    const dummy = walkResources(cib).find((v) => v.resource.attrs.id === "dummy");
    expect(dummy?.ancestors.map((a) => a.attrs.id)).toEqual(["grp"]);
    const p = { tag: "primitive", attrs: { id: "p", template: "tmpl" }, children: [] } as Primitive;
    expect(templateOf(cib, p)?.attrs.type).toBe("Dummy");
  });

  it("nvSets(), nvPairs() and nvValues() resolve id-refs and order sets by score", () => {
    const dummy = findById(cib, "dummy", "primitive")!;
    expect(nvPairs(dummy, "meta_attributes").map((p) => p.attrs.value)).toEqual(["Stopped", "Started"]);
    expect(nvValues(dummy, "meta_attributes").get("target-role")).toBe("Started");
    // id-ref to a set of another tag resolves to nothing, as in Pacemaker
    expect(nvSets(dummy, "instance_attributes", { cib })).toEqual([]);
    expect(rscDefaults(cib).get("resource-stickiness")).toBe("100");
  });

  it("id-refs resolve without { cib } for elements reached from the document, and fail loudly otherwise", () => {
    const fresh = parseCib(xml);
    const vm1 = primitives(fresh).find((p) => p.attrs.id === "vm1")!;
    expect(ops(vm1).map((o) => o.attrs.interval)).toEqual(["10s", "10s"]);
    const orphan = parseCib(
      `<cib><configuration><resources><primitive id="p" class="lsb" type="x">` +
        `<operations id-ref="o"/></primitive></resources></configuration></cib>`,
    );
    // Reached by hand (not through the document helpers), so the document is unknown.
    const p = child(child(child(orphan, "configuration"), "resources"), "primitive")!;
    expect(() => ops(p)).toThrow(TypeError);
    expect(() => ops(p)).toThrow(/Cannot resolve id-ref "o" of <operations>/);
    expect(ops(p, { cib: orphan })).toEqual([]);
  });

  it("ops() resolves operations and op id-refs", () => {
    const vm1 = findById(cib, "vm1")!;
    expect(ops(vm1, { cib }).map((o) => o.attrs.id)).toEqual(["shared-mon", "shared-mon"]);
    expect(ops(findById(cib, "cloned")!)).toEqual([]);
  });

  it("constraints(), resourceSets() and resourceRefs() read constraints", () => {
    expect(constraints(cib).map((c) => c.attrs.id)).toEqual(["loc1", "ord1", "col1"]);
    expect(constraints(cib, "rsc_colocation").map((c) => c.attrs["with-rsc"])).toEqual(["vm1"]);
    const ord = constraints(cib, "rsc_order")[0]!;
    expect(resourceSets(ord).flatMap(resourceRefs)).toEqual(["vm1", "dummy"]);
    expect(tags(cib).map((t) => tagRefs(t))).toEqual([["vm1", "dummy"]]);
  });

  it("findById() prefers document order and filters by tag", () => {
    expect(findById(cib, "1")?.tag).toBe("node");
    expect(findById(cib, "1", "node_state")?.tag).toBe("node_state");
    expect(findAllById(cib, "1").map((e) => e.tag)).toEqual([
      "node",
      "node_state",
      "transient_attributes",
      "lrm",
    ]);
    expect(findById(cib, "nope")).toBeUndefined();
  });

  it("status helpers read node states, history and transient attributes", () => {
    expect(nodeStates(cib).map((n) => n.attrs.uname)).toEqual(["node1"]);
    const ns = nodeState(cib, "node1")!;
    expect(nodeState(cib, "1")).toBe(ns);
    expect(lrmResources(ns).map((r) => r.attrs.id)).toEqual(["dummy"]);
    expect(lrmRscOps(lrmResources(ns)[0]!).map((o) => o.attrs["rc-code"])).toEqual(["0"]);
    expect(transientAttributes(ns).get("attr")).toBe("v1");
  });

  it("clusterNodes() lists cluster, remote and guest nodes with their kind", () => {
    expect(clusterNodes(cib).map((n) => [n.name, n.kind, n.connection, n.container])).toEqual([
      ["node1", "cluster", undefined, undefined],
      ["node2", "cluster", undefined, undefined],
      ["remote1", "remote", "remote1", undefined],
      ["guest1", "container", "guest1", "vm1"],
      ["guest2", "container", "guest2", "vm2"],
      ["httpd-bundle-0", "container", "httpd-bundle-0", "httpd-bundle-podman-0"],
      ["httpd-bundle-1", "container", "httpd-bundle-1", "httpd-bundle-podman-1"],
    ]);
    expect(clusterNodes(cib)[2]!.entry?.attrs.type).toBe("remote");
    // Bundles make guest nodes only with a primitive and an IP range or control port.
    const b = parseCib(
      readFileSync(new URL("../../fixtures/cib/bundle_no_network.xml", import.meta.url), "utf8"),
    );
    expect(clusterNodes(b).map((n) => [n.name, n.container, n.bundle])).toEqual([
      ["b2-0", "b2-docker-0", "b2"],
      ["b2-1", "b2-docker-1", "b2"],
    ]);
    expect(guestNodeMeta(findById(cib, "vm1")!)).toEqual({
      remoteNode: "guest1",
      remoteAddr: "192.0.2.20",
      remotePort: "3121",
      remoteConnectTimeout: "30s",
      remoteAllowMigrate: "true",
    });
    expect(guestNodeMeta(findById(cib, "dummy")!)).toBeUndefined();
    expect(remoteConnectionParams(findById(cib, "remote1", "primitive")!)).toEqual({
      server: "192.0.2.10",
      port: "3122",
      reconnectInterval: "60s",
    });
  });
});
