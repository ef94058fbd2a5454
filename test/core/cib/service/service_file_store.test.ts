import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CibService } from "../../../../core/cib/service/mod.ts";
import { FileStore } from "../../../../core/cib/store/mod.ts";
import { createResource, removeNode } from "../../../../core/cib/edit/mod.ts";
import { isAtriumError } from "../../../../core/errors.ts";

const dir = mkdtempSync(join(tmpdir(), "cib-service-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("CibService over a FileStore", () => {
  it("keeps the files untouched when an update is refused, and persists accepted ones", async () => {
    const store = await FileStore.open(join(dir, "cib"));
    const svc = await CibService.open(store, { nodeName: "n1" });
    await svc.apply((c) => createResource(c, { id: "d", agent: "ocf:pacemaker:Dummy", ops: [{ name: "monitor", interval: "10s" }] }));
    const files = readdirSync(join(dir, "cib")).sort();
    const current = readFileSync(join(dir, "cib", "cib.xml"), "utf8");
    // An op with the same name and interval twice is a verifier error.
    let code = "";
    try {
      await svc.apply((c) => createResource(c, { id: "e", agent: "ocf:pacemaker:Dummy", ops: [{ name: "monitor", interval: "10s" }, { name: "monitor", interval: "10s" }] }));
    } catch (e) {
      code = isAtriumError(e) ? e.code : String(e);
    }
    expect(code).toBe("CIB_INVALID");
    try {
      await svc.apply((c) => removeNode(c, "ghost"));
    } catch (e) {
      code = isAtriumError(e) ? e.code : String(e);
    }
    expect(code).toBe("CIB_NOT_FOUND");
    expect(readdirSync(join(dir, "cib")).sort()).toEqual(files);
    expect(readFileSync(join(dir, "cib", "cib.xml"), "utf8")).toBe(current);
    const version = svc.version();
    await svc.close();
    const again = await CibService.open(await FileStore.open(join(dir, "cib")));
    expect(again.version()).toEqual(version);
    expect(again.xml()).toContain('<primitive id="d"');
    expect(again.xml()).not.toContain('id="e"');
    await again.close();
  });
});
