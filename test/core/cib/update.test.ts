import { describe, expect, it } from "vitest";
import { parseCib, serializeCib } from "../../../core/cib/codec.ts";
import { findById, section } from "../../../core/cib/query.ts";
import {
  appendChild,
  appendChildById,
  removeById,
  removeElement,
  replaceById,
  replaceElement,
  withAttrs,
} from "../../../core/cib/update.ts";
import { isAtriumError } from "../../../core/errors.ts";
import type { CibElement } from "../../../core/cib/model.ts";

const cib = parseCib(
  `<cib epoch="1"><configuration><resources><primitive id="a" class="ocf"/><primitive id="b"/></resources>` +
    `<constraints><rsc_location id="l" rsc="a"/></constraints></configuration><status/></cib>`,
);
const before = serializeCib(cib);

describe("immutable updates", () => {
  it("replaceById() returns a new tree sharing unchanged subtrees", () => {
    const a = findById(cib, "a")!;
    const next = replaceById(cib, "a", withAttrs(a, { class: "lsb", type: "x" }));
    expect(findById(next, "a")?.attrs).toEqual({ id: "a", class: "lsb", type: "x" });
    expect(findById(next, "b")).toBe(findById(cib, "b"));
    expect(section(next, "constraints")).toBe(section(cib, "constraints"));
    expect(next.children[1]).toBe(cib.children[1]);
    expect(serializeCib(cib)).toBe(before);
  });

  it("removeById() and appendChildById() edit one place", () => {
    const removed = removeById(cib, "b");
    expect(findById(removed, "b")).toBeUndefined();
    const el: CibElement = { tag: "primitive", attrs: { id: "c" }, children: [] };
    const added = appendChildById(cib, "l", el);
    expect(findById(added, "l")?.children).toEqual([el]);
    expect(serializeCib(cib)).toBe(before);
  });

  it("replaceById() and removeById() throw CIB_NOT_FOUND for an unknown id", () => {
    for (const f of [() => replaceById(cib, "zz", cib), () => removeById(cib, "zz")]) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(isAtriumError(err, "CIB_NOT_FOUND")).toBe(true);
      expect((err as Error).message).toMatch(
        /^Cannot (replace|remove) element "zz": no element has that id$/,
      );
    }
  });

  it("appendChild(), replaceElement() and removeElement() work by identity", () => {
    const res = section(cib, "resources")!;
    const res2 = appendChild(res, { tag: "#comment", text: "x" });
    expect(res2.children.length).toBe(3);
    expect(res.children.length).toBe(2);
    const next = replaceElement(cib, res, res2);
    expect(section(next, "resources")).toBe(res2);
    const without = removeElement(cib, res);
    expect(section(without, "resources")).toBeUndefined();
    expect(() => removeElement(cib, cib)).toThrow(RangeError);
    expect(() => replaceElement(cib, res2, res)).toThrow(RangeError);
  });
});

describe("withAttrs()", () => {
  it("withAttrs() sets in place, appends, removes, and treats __proto__ as a plain name", () => {
    const el = { tag: "op", attrs: { id: "o", name: "monitor", interval: "10s" }, children: [] };
    const next = withAttrs(el, { name: "start", interval: undefined, timeout: "20s", ["__proto__"]: "x" });
    expect(Object.keys(next.attrs)).toEqual(["id", "name", "timeout", "__proto__"]);
    expect(Object.getPrototypeOf(next.attrs)).toBe(Object.prototype);
    expect(el.attrs).toEqual({ id: "o", name: "monitor", interval: "10s" });
  });
});
