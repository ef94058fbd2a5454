// Sums vitest JSON reports and prints the plain closing line "N passed, N failed".
import { readFileSync, existsSync } from "node:fs";

let passed = 0, failed = 0, skipped = 0, missing = 0;
for (const f of process.argv.slice(2)) {
  if (!existsSync(f)) { console.log(`no report at ${f} (that run did not finish)`); missing++; continue; }
  const r = JSON.parse(readFileSync(f, "utf8"));
  const p = r.numPassedTests ?? 0, x = r.numFailedTests ?? 0, s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`${f}: ${p} passed, ${x} failed, ${s} skipped`);
  passed += p; failed += x; skipped += s;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || missing > 0 || passed === 0 ? 1 : 0);
