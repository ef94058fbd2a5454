// Ratchet: atrium's verifier must keep agreeing with crm_verify 2.1.5 (accept/reject) on the
// scheduler corpus at least as often as the recorded floor. The reference results are in
// crm_verify_results.json (recorded by `node scripts/verify_agreement.mjs --record`); when
// crm_verify is installed a small sample is re-run live to check that file is still right.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCib } from "../../core/cib/codec.ts";
import { verifyCib } from "../../core/cib/validate/mod.ts";

/** Agreement floor (share of cases); raise it when agreement improves. */
const FLOOR = 0.998;

const casesDir = fileURLToPath(new URL("../../../shared/conformance/scheduler/cases/", import.meta.url));
const saved = JSON.parse(
  readFileSync(fileURLToPath(new URL("./crm_verify_results.json", import.meta.url)), "utf8"),
) as Record<string, { rc: number; messages: string[] }>;
const haveCorpus = existsSync(casesDir);
if (!haveCorpus) console.log(`verify_agreement: skipped, corpus not found at ${casesDir}`);

function haveCrmVerify(): boolean {
  try {
    execFileSync("crm_verify", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!haveCorpus)("verify agreement with crm_verify 2.1.5", () => {
  it(`agrees on accept/reject for at least ${FLOOR * 100}% of the corpus`, () => {
    const names = readdirSync(casesDir).filter((n) => existsSync(`${casesDir}${n}/cib.xml`)).sort();
    expect(names.length).toBe(Object.keys(saved).length);
    let agree = 0;
    const diffs: string[] = [];
    for (const n of names) {
      const findings = verifyCib(parseCib(readFileSync(`${casesDir}${n}/cib.xml`, "utf8")));
      const ref = saved[n];
      expect(ref, `no saved crm_verify result for ${n}`).toBeDefined();
      if ((ref!.rc !== 0) === (findings.length > 0)) agree++;
      else diffs.push(`${n} (crm_verify rc=${ref!.rc}, atrium ${findings.length} finding(s))`);
    }
    const rate = agree / names.length;
    console.log(`verify agreement: ${agree}/${names.length} = ${(rate * 100).toFixed(2)}%; disagreements: ${diffs.join(", ")}`);
    expect(rate).toBeGreaterThanOrEqual(FLOOR);
  });

  it.skipIf(!haveCrmVerify())("the saved results match live crm_verify on a sample", () => {
    const sample = ["594", "order-wrong-kind", "ticket-promoted-1", "clone-require-all-1", "1484", "remote-recover"];
    for (const n of sample) {
      let rc = 0;
      try {
        execFileSync("crm_verify", ["-x", `${casesDir}${n}/cib.xml`], { stdio: "ignore" });
      } catch (e) {
        rc = (e as { status?: number }).status ?? -1;
      }
      expect(rc, n).toBe(saved[n]!.rc);
    }
  });
});
