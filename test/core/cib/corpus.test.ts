/**
 * Every CIB of the scheduler conformance corpus parses into the model, has no structural
 * issues, and round-trips (tree-equal after parse -> serialize -> parse; same elements and
 * attributes in the same order by an independent saxes walk).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SaxesParser } from "saxes";
import { describe, expect, it } from "vitest";
import { cibVersion, parseCib, serializeCib } from "../../../core/cib/codec.ts";
import { validateStructure } from "../../../core/cib/schema/mod.ts";

const casesDir = fileURLToPath(new URL("../../../../shared/conformance/scheduler/cases/", import.meta.url));
const present = existsSync(casesDir);
if (!present) console.log(`corpus.test.ts: skipped, ${casesDir} is absent`);

/** An independent walk: one line per element, tag plus attributes in order. */
function elementSequence(xml: string): string[] {
  const out: string[] = [];
  const p = new SaxesParser({ xmlns: false, position: false });
  p.on("opentag", (t) => {
    out.push(
      t.name + "\u0000" + Object.entries(t.attributes).map(([k, v]) => `${k}=${String(v)}`).join("\u0001"),
    );
  });
  p.write(xml).close();
  return out;
}

describe.skipIf(!present)("conformance corpus CIBs", () => {
  it("every corpus cib.xml parses, is structurally valid and round-trips", () => {
    const names = readdirSync(casesDir).filter((n) => existsSync(`${casesDir}${n}/cib.xml`)).sort();
    let count = 0;
    const problems: string[] = [];
    const warnings: string[] = [];
    for (const name of names) {
      const xml = readFileSync(`${casesDir}${name}/cib.xml`, "utf8");
      const cib = parseCib(xml, { fileName: `${name}/cib.xml` });
      cibVersion(cib);
      for (const issue of validateStructure(cib)) {
        (issue.severity === "error" ? problems : warnings).push(`${name}: ${issue.path}: ${issue.message}`);
      }
      const text = serializeCib(cib);
      const again = parseCib(text);
      expect(again, name).toEqual(cib);
      const compact = serializeCib(cib, { pretty: false });
      expect(parseCib(compact), name).toEqual(cib);
      expect(elementSequence(text), name).toEqual(elementSequence(xml));
      count++;
    }
    console.log(
      `corpus.test.ts: ${count} corpus CIBs parsed, validated and round-tripped (${warnings.length} warnings)`,
    );
    expect(problems.slice(0, 20)).toEqual([]);
    // Only the cases that carry bad values on purpose (Pacemaker falls back to defaults) warn.
    expect([...new Set(warnings.map((w) => w.split(":")[0]))].sort()).toEqual([
      "colocation-influence",
      "intervals",
      "order-wrong-kind",
    ]);
    expect(count).toBeGreaterThanOrEqual(639);
  });
});
