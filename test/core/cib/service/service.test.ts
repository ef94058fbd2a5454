import { describe, expect, it } from "vitest";
import { CibService, type CibChangeEvent } from "../../../../core/cib/service/mod.ts";
import { MemoryStore } from "../../../../core/cib/store/mod.ts";
import { cibVersion } from "../../../../core/cib/codec.ts";
import { child, findById, nodes } from "../../../../core/cib/query.ts";
import { createResource, markNodeMember, setProperty } from "../../../../core/cib/edit/mod.ts";
import { appendChild, replaceElement, withAttrs } from "../../../../core/cib/update.ts";
import { isAtriumError } from "../../../../core/errors.ts";
import type { Cib } from "../../../../core/cib/model.ts";

async function fresh(): Promise<{ svc: CibService; store: MemoryStore }> {
  const store = new MemoryStore();
  const svc = await CibService.open(store, { nodeName: "node1" });
  return { svc, store };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isAtriumError(e) ? e.code : (e as Error).name;
  }
  return "none";
}

describe("CibService", () => {
  it("bootstraps an empty store with the local node at version 0.1.0", async () => {
    const { svc, store } = await fresh();
    expect(nodes(svc.get()).map((n) => n.attrs.uname)).toEqual(["node1"]);
    expect(svc.version()).toEqual({ adminEpoch: 0, epoch: 1, numUpdates: 0 });
    expect((await store.read())?.version).toEqual(svc.version());
  });

  it("reloads what it wrote", async () => {
    const { svc, store } = await fresh();
    await svc.apply((c) => createResource(c, { id: "d", agent: "ocf:pacemaker:Dummy" }));
    const again = await CibService.open(store);
    expect(findById(again.get(), "d")).toBeDefined();
    expect(again.version()).toEqual(svc.version());
  });

  it("bumps epoch for configuration changes and num_updates for status changes", async () => {
    const { svc } = await fresh();
    const events: CibChangeEvent[] = [];
    svc.onChange((e) => events.push(e));
    const r1 = await svc.apply((c) => createResource(c, { id: "d", agent: "ocf:pacemaker:Dummy" }));
    expect(r1.kind).toBe("configuration");
    expect(r1.version).toEqual({ adminEpoch: 0, epoch: 2, numUpdates: 0 });
    const r2 = await svc.apply((c) => markNodeMember(c, "node1"));
    expect(r2.kind).toBe("status");
    expect(r2.version).toEqual({ adminEpoch: 0, epoch: 2, numUpdates: 1 });
    const r3 = await svc.apply((c) => setProperty(c, "stonith-enabled", "false"));
    expect(r3.version).toEqual({ adminEpoch: 0, epoch: 3, numUpdates: 0 });
    expect(cibVersion(svc.get())).toEqual(r3.version);
    expect(events.map((e) => e.kind)).toEqual(["configuration", "status", "configuration"]);
    const r4 = await svc.apply((c) => c);
    expect(r4.kind).toBe("none");
    expect(events.length).toBe(3);
  });

  it("a rejected update leaves the stored CIB and its version as they were", async () => {
    const { svc, store } = await fresh();
    await svc.apply((c) => createResource(c, { id: "d", agent: "ocf:pacemaker:Dummy" }));
    const before = await store.read();
    const events: unknown[] = [];
    svc.onChange((e) => events.push(e));
    // An order naming a resource that does not exist is a verifier error.
    const bad = (c: Cib): Cib => {
      const sec = child(child(c, "configuration"), "constraints")!;
      return replaceElement(c, sec, appendChild(sec, { tag: "rsc_order", attrs: { id: "o", first: "d", then: "ghost" }, children: [] }));
    };
    expect(await codeOf(svc.apply(bad))).toBe("CIB_INVALID");
    expect(await codeOf(svc.apply((c) => createResource(c, { id: "d", agent: "ocf:pacemaker:Dummy" })))).toBe("CIB_ID_IN_USE");
    expect(await codeOf(svc.apply((c) => createResource(c, { id: "e", agent: "nope" })))).toBe("TypeError");
    expect(await codeOf(svc.apply(() => { throw new Error("boom"); }))).toBe("Error");
    const after = await store.read();
    expect(after).toEqual(before);
    expect(svc.version()).toEqual(before!.version);
    expect((await store.history()).length).toBe(2);
    expect(events).toEqual([]);
  });

  it("refuses a stale expected version with CIB_VERSION_CONFLICT and changes nothing", async () => {
    const { svc, store } = await fresh();
    const v0 = svc.version();
    await svc.apply((c) => setProperty(c, "stonith-enabled", "false"), { expected: v0 });
    const v1 = svc.version();
    expect(await codeOf(svc.apply((c) => setProperty(c, "no-quorum-policy", "ignore"), { expected: v0 }))).toBe("CIB_VERSION_CONFLICT");
    expect(svc.version()).toEqual(v1);
    expect((await store.read())!.version).toEqual(v1);
  });

  it("reports warnings without refusing, and allows editing a CIB that already had an error", async () => {
    const store = new MemoryStore();
    const xml = `<cib admin_epoch="0" epoch="5" num_updates="2" validate-with="pacemaker-3.9"><configuration><crm_config/><nodes><node id="1" uname="n1"/></nodes><resources><primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/></resources><constraints><rsc_order id="o" first="a" then="ghost"/></constraints></configuration><status/></cib>`;
    await store.write(xml, { expected: null, next: { adminEpoch: 0, epoch: 5, numUpdates: 2 } });
    const svc = await CibService.open(store);
    const r = await svc.apply((c) => createResource(c, { id: "b", agent: "ocf:pacemaker:Dummy" }));
    expect(r.version).toEqual({ adminEpoch: 0, epoch: 6, numUpdates: 0 });
    expect(r.warnings.some((w) => w.code === "NO_FENCING_DEVICE")).toBe(true);
  });

  it("runs edits one at a time, in call order, and a throwing listener does not break updates", async () => {
    const { svc } = await fresh();
    svc.onChange(() => { throw new Error("listener"); });
    const rs = await Promise.all(["a", "b", "c"].map((id) => svc.apply((c) => createResource(c, { id, agent: "ocf:pacemaker:Dummy" }))));
    expect(rs.map((r) => r.version.epoch)).toEqual([2, 3, 4]);
  });

  it("refuses to load a stored CIB with structural errors", async () => {
    const store = new MemoryStore();
    await store.write(`<cib epoch="1"><configuration><resources><primitive class="ocf" type="Dummy"/></resources></configuration><status/></cib>`, { expected: null, next: { adminEpoch: 0, epoch: 1, numUpdates: 0 } });
    expect(await codeOf(CibService.open(store))).toBe("CIB_INVALID");
  });

  it("refuses updates after close", async () => {
    const { svc } = await fresh();
    await svc.close();
    expect(await codeOf(svc.apply((c) => withAttrs(c, {})))).toBe("CIB_SERVICE_CLOSED");
  });
});
