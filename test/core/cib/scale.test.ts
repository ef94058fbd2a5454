/**
 * A CIB with 10,000 resources (shaped like ../shared/bench/gen-cib.mjs output, generated here)
 * parses, indexes and serializes quickly. The bound is generous (the machine is shared); the
 * measured numbers are printed.
 */
import { describe, expect, it } from "vitest";
import { parseCib, serializeCib } from "../../../core/cib/codec.ts";
import { findById, primitives } from "../../../core/cib/query.ts";

function bigCib(resources: number): string {
  const out: string[] = [`<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.9">`];
  out.push(`<configuration><crm_config/><nodes>`);
  for (let n = 1; n <= 16; n++) out.push(`<node id="${n}" uname="node${n}"/>`);
  out.push(`</nodes><resources>`);
  for (let i = 1; i <= resources; i++) {
    out.push(
      `<primitive id="rsc${i}" class="ocf" provider="pacemaker" type="Dummy">` +
        `<instance_attributes id="rsc${i}-ia"><nvpair id="rsc${i}-ia-f" name="fake" value="${i}"/></instance_attributes>` +
        `<operations><op id="rsc${i}-mon" name="monitor" interval="30s" timeout="20s"/></operations></primitive>`,
    );
  }
  out.push(`</resources><constraints>`);
  for (let i = 1; i <= resources; i += 3) {
    out.push(`<rsc_location id="loc${i}" rsc="rsc${i}" node="node${1 + (i % 16)}" score="100"/>`);
  }
  out.push(`</constraints></configuration><status/></cib>`);
  return out.join("\n");
}

describe("scale", () => {
  it("parseCib() handles a 10,000-resource CIB quickly", () => {
    const xml = bigCib(10_000);
    const t0 = performance.now();
    const cib = parseCib(xml);
    const t1 = performance.now();
    expect(findById(cib, "rsc9999-mon")?.attrs.interval).toBe("30s");
    const t2 = performance.now();
    const text = serializeCib(cib);
    const t3 = performance.now();
    expect(primitives(cib)).toHaveLength(10_000);
    console.log(
      `scale.test.ts: ${(xml.length / 1e6).toFixed(1)} MB: parse ${(t1 - t0).toFixed(0)} ms, ` +
        `index ${(t2 - t1).toFixed(0)} ms, serialize ${(t3 - t2).toFixed(0)} ms`,
    );
    expect(text.length).toBeGreaterThan(xml.length);
    expect(t1 - t0).toBeLessThan(5_000);
  });
});
