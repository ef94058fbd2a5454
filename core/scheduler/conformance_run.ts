/**
 * Run the scheduler over the conformance corpus in-process (used by `npm run conformance` and
 * the ratchet test). Reads the corpus from disk through `node:fs`, so it is a tool entry, not
 * part of the pure scheduler.
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { parseCib } from "../cib/codec.ts";
import { schedule } from "./mod.ts";
import { compareConformance, toConformance } from "./conformance.ts";

/** One case's verdict. */
export interface CaseResult {
  readonly name: string;
  readonly pass: boolean;
  readonly finalPass: boolean;
  readonly problems: readonly string[];
  /** Set when the scheduler threw. */
  readonly crash?: string;
  readonly ms: number;
}

/** Rates per tag: final-placement passes, full passes, total. */
export type TagRates = Record<string, { final: number; pass: number; total: number }>;

/** Run every case under `casesDir` (optionally only `only`). */
export function runCorpus(casesDir: string, only?: ReadonlySet<string>): { results: CaseResult[]; perTag: TagRates } {
  const names = readdirSync(casesDir).filter((n) => existsSync(join(casesDir, n, "expected.json"))).sort()
    .filter((n) => !only || only.has(n));
  const indexPath = join(dirname(casesDir.replace(/\/+$/, "")), "index.json");
  const tagsOf: Record<string, string[]> = {};
  if (existsSync(indexPath)) {
    for (const e of JSON.parse(readFileSync(indexPath, "utf8")) as { name: string; tags?: string[] }[]) tagsOf[e.name] = e.tags ?? [];
  }
  const results: CaseResult[] = [];
  for (const name of names) {
    const dir = join(casesDir, name);
    const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as { meta?: { now?: string } };
    const t0 = performance.now();
    try {
      const cib = parseCib(readFileSync(join(dir, "cib.xml"), "utf8"));
      const now = expected.meta?.now;
      const t = schedule(cib, now ? { now } : {});
      const v = compareConformance(expected as never, toConformance(t) as never);
      results.push({ name, ...v, ms: performance.now() - t0 });
    } catch (e) {
      const msg = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e);
      results.push({ name, pass: false, finalPass: false, problems: [`crash: ${msg.split("\n")[0]}`], crash: msg, ms: performance.now() - t0 });
    }
  }
  const perTag: TagRates = {};
  for (const r of results) {
    for (const tag of ["all", ...(tagsOf[r.name] ?? ["untagged"])]) {
      const x = perTag[tag] ?? (perTag[tag] = { final: 0, pass: 0, total: 0 });
      x.total++;
      if (r.pass) x.pass++;
      if (r.finalPass) x.final++;
    }
  }
  return { results, perTag };
}
