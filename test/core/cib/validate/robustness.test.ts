import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCib } from "../../../../core/cib/codec.ts";
import type { CibElement, CibNode } from "../../../../core/cib/model.ts";
import { verifyCib } from "../../../../core/cib/validate/mod.ts";

const base = parseCib(readFileSync(fileURLToPath(new URL("../../../fixtures/verify/valid.xml", import.meta.url)), "utf8"));

/** Every element of `root` with its path of child indexes. */
function elements(root: CibElement, path: number[] = [], out: [CibElement, number[]][] = []): [CibElement, number[]][] {
  out.push([root, path]);
  root.children.forEach((c, i) => {
    if (c.tag !== "#text" && c.tag !== "#comment") elements(c as CibElement, [...path, i], out);
  });
  return out;
}

/** A copy of `root` with the element at `path` replaced by `f(element)`. */
function replaceAt(root: CibElement, path: number[], f: (e: CibElement) => CibElement): CibElement {
  if (path.length === 0) return f(root);
  const [i, ...rest] = path;
  const children = root.children.map((c, j): CibNode => (j === i ? replaceAt(c as CibElement, rest, f) : c));
  return { ...root, children };
}

describe("verifyCib never throws on damaged CIBs", () => {
  it("handles an empty cib and a cib without sections", () => {
    expect(() => verifyCib(parseCib("<cib/>"))).not.toThrow();
    expect(() => verifyCib(parseCib("<cib><configuration/><status/></cib>"))).not.toThrow();
  });

  it("handles every element losing its attributes, its children, or both", () => {
    let runs = 0;
    for (const [, path] of elements(base)) {
      for (const damage of [
        (e: CibElement): CibElement => ({ ...e, attrs: {} }),
        (e: CibElement): CibElement => ({ ...e, children: [] }),
        (e: CibElement): CibElement => ({ ...e, attrs: { id: "x", name: "", value: "", "id-ref": "nowhere" }, children: [] }),
      ]) {
        const damaged = replaceAt(base, path, damage);
        expect(() => verifyCib(damaged), `damaged at ${path.join(".")}`).not.toThrow();
        runs++;
      }
    }
    expect(runs).toBeGreaterThan(90);
  });

  it("reports garbage values instead of failing on them", () => {
    const xml = `<cib validate-with="pacemaker-99.0"><configuration><crm_config><cluster_property_set id="c">
      <nvpair id="a" name="stonith-enabled" value="perhaps"/><nvpair id="b" name="cluster-delay" value="-"/>
      </cluster_property_set></crm_config><nodes><node/></nodes><resources><primitive/><clone id="c1"/>
      <primitive id="p" class="ocf" provider="pacemaker" type="remote"><operations><op id="o" name="monitor" interval="x"/></operations></primitive>
      </resources><constraints><rsc_order/><rsc_ticket id="t"/></constraints></configuration>
      <status><node_state id="1"/><node_state uname="p"><lrm><lrm_resources><lrm_resource><lrm_rsc_op call-id="zz" rc-code="zz"/></lrm_resource></lrm_resources></lrm></node_state></status></cib>`;
    const codes = verifyCib(parseCib(xml)).map((f) => f.code);
    expect(codes).toEqual(expect.arrayContaining(["UNKNOWN_SCHEMA", "INVALID_CLUSTER_OPTION", "MISSING_ID", "EMPTY_CLONE", "INVALID_INTERVAL"]));
  });
});
