#!/usr/bin/env node
// Agreement of `atrium verify` with crm_verify 2.1.5 over the scheduler corpus.
//
//   node scripts/verify_agreement.mjs [--cases DIR] [--no-live] [--record] [--catalogue]
//                                     [--json-out FILE] [--quiet]
//
// Atrium's verifier runs in-process (core/cib/validate bundled with esbuild). The reference is
// test/conformance/crm_verify_results.json ({case: {rc, messages}}, recorded with
// `crm_verify -x CIB -VV`, i.e. errors and warnings); when crm_verify is installed the cases
// are also re-run live (skip with --no-live). A case agrees when both accept (rc 0 / no
// findings) or both reject (rc 78 / at least one finding). --record rewrites the results file
// from live crm_verify runs. --catalogue prints the kinds of messages that make crm_verify
// reject a CIB (the scheduler function that logs them), how many cases each occurs in, and
// the Atrium code that corresponds; each case is also compared kind by kind.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const casesDir = resolve(opt("--cases") ?? join(root, "..", "shared", "conformance", "scheduler", "cases"));
const resultsFile = join(root, "test", "conformance", "crm_verify_results.json");
const quiet = args.includes("--quiet");

if (!existsSync(casesDir)) {
  console.log(`verify:agreement: corpus not found at ${casesDir}; nothing to compare`);
  process.exit(0);
}

function haveCrmVerify() {
  try {
    execFileSync("crm_verify", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function runCrmVerify(cib) {
  return new Promise((res) => {
    execFile("crm_verify", ["-x", cib, "-VV"], { env: { ...process.env, LC_ALL: "C" } }, (err, stdout, stderr) => {
      const rc = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      const messages = (stdout + stderr).split("\n").map((l) => l.trim()).filter((l) => l !== "");
      res({ rc, messages });
    });
  });
}

async function runAll(names, fn, parallel = 2) {
  const out = {};
  let i = 0;
  const worker = async () => {
    while (i < names.length) {
      const n = names[i++];
      out[n] = await fn(n);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}

async function loadVerifier() {
  const dir = mkdtempSync(join(tmpdir(), "atrium-verify-"));
  const entry = join(dir, "entry.ts");
  writeFileSync(entry, [
    `export { parseCib } from ${JSON.stringify(join(root, "core/cib/codec.ts"))};`,
    `export { verifyCib } from ${JSON.stringify(join(root, "core/cib/validate/mod.ts"))};`,
  ].join("\n"));
  const outfile = join(dir, "verifier.mjs");
  await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "node", outfile, logLevel: "error" });
  const mod = await import(pathToFileURL(outfile).href);
  rmSync(dir, { recursive: true, force: true });
  return mod;
}

const names = readdirSync(casesDir).filter((n) => existsSync(join(casesDir, n, "cib.xml"))).sort();
const live = !args.includes("--no-live") && haveCrmVerify();

if (args.includes("--record")) {
  if (!live) {
    console.error("verify:agreement: --record needs crm_verify");
    process.exit(69);
  }
  const res = await runAll(names, (n) => runCrmVerify(join(casesDir, n, "cib.xml")));
  const sorted = Object.fromEntries(names.map((n) => [n, res[n]]));
  writeFileSync(resultsFile, JSON.stringify(sorted, null, 1) + "\n");
  console.log(`recorded ${names.length} cases in ${resultsFile}`);
}

const saved = JSON.parse(readFileSync(resultsFile, "utf8"));
const { parseCib, verifyCib } = await loadVerifier();

const ours = {};
for (const n of names) {
  try {
    ours[n] = verifyCib(parseCib(readFileSync(join(casesDir, n, "cib.xml"), "utf8")));
  } catch (e) {
    ours[n] = [{ severity: "error", code: "EXCEPTION", location: "/cib", value: null, expected: "", message: String(e) }];
  }
}

const relevant = (m) => !/^crm_verify:/.test(m);

// crm_verify's messages that set its "config error/warning" flags, by the function logging
// them (pcmk__config_err/_warn, pe_err/pe_warn), and the Atrium codes that report the same.
const KINDS = {
  schedule_fencing: ["NODE_NEEDS_FENCING"],
  schedule_fencing_and_shutdowns: ["NODE_NEEDS_FENCING"],
  is_op_dup: ["DUPLICATE_OPERATION"],
  process_rsc_state: ["ACTIVE_ORPHAN"],
  get_minimum_first_instances: ["DEPRECATED_REQUIRE_ALL"],
  set_group_flag: ["DEPRECATED_GROUP_META"],
  pe__unpack_resource: ["DEPRECATED_RESTART_TYPE"],
  unpack_operation_on_fail: ["ON_FAIL_NOT_ALLOWED"],
  unpack_node_state: ["UNKNOWN_NODE_STATE"],
  unpack_config: ["DEPRECATED_VALUE", "DEPRECATED_OPTION", "SUICIDE_NEEDS_FENCING"],
  pe_get_failcount: ["FAILURE_TIMEOUT_IGNORED"],
  pe__force_anon: ["CLONE_CANNOT_BE_UNIQUE"],
  unpack_colocation_tags: ["UNKNOWN_REFERENCE", "COLOCATION_OF_TAGS"],
  find_constraint_tag: ["UNKNOWN_REFERENCE"],
  unpack_resources: ["NO_FENCING_DEVICE"],
  get_target_role: ["TARGET_ROLE_NOT_PROMOTABLE", "INVALID_TARGET_ROLE"],
  unpack_requires: ["REQUIRES_FENCING_DISABLED", "REQUIRES_UNFENCING_IGNORED", "INVALID_REQUIRES"],
  unpack_influence: ["INVALID_BOOLEAN"],
  get_ordering_symmetry: ["SYMMETRICAL_SERIALIZE"],
  get_ordering_type: ["INVALID_ORDER_KIND"],
  unpack_operation: ["ON_FAIL_NEEDS_FENCING"],
  schema: ["SCHEMA_VALIDATION_DISABLED"],
};
// Logged at warning/error level but without setting the flags (plain crm_warn/crm_err or
// pe_proc_*): they never make crm_verify reject a CIB.
const NOT_FLAGGING = new Set([
  "unpack_rsc_op_failure", "pcmk__threshold_reached", "scan_ll", "determine_online_status", "pe_fence_node",
  "cluster_status", "can_run_instance", "update_resource_action_runnable", "ordering_is_invalid",
  "distribute_children", "pcmk__create_graph", "pcmk__primitive_create_actions", "check_recoverable",
  "unpack_rsc_op", "action_for_ordering", "unpack_transient_attributes", "assign_best_node",
]);

/** The flagging message kinds of one crm_verify result. */
function kindsOf(result) {
  const out = new Set();
  for (const m of result.messages) {
    if (m.startsWith("Schema validation of configuration is disabled")) { out.add("schema"); continue; }
    const mm = /^\((\w+)\) \t(\w+): (.*)$/.exec(m);
    if (mm === null || NOT_FLAGGING.has(mm[1])) continue;
    if (mm[1] === "unpack_config" && mm[3].startsWith("Blind faith")) continue;
    if (mm[1] === "unpack_node_state" && mm[3].startsWith("Ignoring malformed")) continue;
    out.add(mm[1]);
  }
  return out;
}
function compare(label, ref) {
  let agree = 0;
  const diffs = [];
  for (const n of names) {
    const r = ref[n];
    if (r === undefined) continue;
    const theirs = r.rc !== 0;
    const mine = ours[n].length > 0;
    if (theirs === mine) agree++;
    else diffs.push(n);
  }
  const total = names.filter((n) => ref[n] !== undefined).length;
  console.log(`${label}: agreement ${agree}/${total} = ${(100 * agree / total).toFixed(2)}%`);
  if (!quiet) {
    for (const n of diffs) {
      const r = ref[n];
      console.log(`\n  ${n}: crm_verify rc=${r.rc}, atrium ${ours[n].length} finding(s)`);
      for (const m of r.messages.filter(relevant).slice(0, 6)) console.log(`    crm_verify: ${m}`);
      for (const f of ours[n].slice(0, 6)) console.log(`    atrium:     ${f.severity} ${f.code} ${f.location}: ${f.message}`);
    }
  }
  return { agree, total, rate: agree / total, disagreements: diffs };
}

const summary = { saved: compare("saved crm_verify results", saved) };

// Kind by kind: does Atrium report each kind crm_verify flags, and nothing crm_verify does not?
{
  const perKind = {};
  let exact = 0;
  for (const n of names) {
    const kinds = kindsOf(saved[n]);
    const codes = new Set(ours[n].map((f) => f.code));
    let same = true;
    for (const k of kinds) {
      const hit = (KINDS[k] ?? []).some((c) => codes.has(c));
      (perKind[k] ??= { cases: 0, matched: 0, examples: [] }).cases++;
      if (hit) perKind[k].matched++;
      else { same = false; if (perKind[k].examples.length < 5) perKind[k].examples.push(n); }
    }
    const expected = new Set([...kinds].flatMap((k) => KINDS[k] ?? []));
    for (const c of codes) {
      if (expected.has(c)) continue;
      same = false;
      (perKind[`atrium-only:${c}`] ??= { cases: 0, matched: 0, examples: [] }).cases++;
      if (perKind[`atrium-only:${c}`].examples.length < 5) perKind[`atrium-only:${c}`].examples.push(n);
    }
    if (same) exact++;
  }
  console.log(`same kinds of findings as crm_verify: ${exact}/${names.length} = ${(100 * exact / names.length).toFixed(2)}%`);
  if (args.includes("--catalogue")) {
    console.log("\ncases  matched  crm_verify kind (function) -> atrium code(s)   [examples not matched]");
    for (const [k, v] of Object.entries(perKind).sort((a, b) => b[1].cases - a[1].cases)) {
      const codes = k.startsWith("atrium-only:") ? "" : ` -> ${(KINDS[k] ?? ["(none)"]).join("|")}`;
      console.log(`${String(v.cases).padStart(5)}  ${String(v.matched).padStart(7)}  ${k}${codes}  ${v.examples.length ? "[" + v.examples.join(" ") + "]" : ""}`);
    }
  }
  summary.kinds = { exact, total: names.length, perKind };
}

// The nodes crm_verify schedules for fencing (or finds unclean but cannot fence) against
// Atrium's NODE_NEEDS_FENCING findings.
{
  let same = 0;
  let total = 0;
  const diffs = [];
  for (const n of names) {
    const theirs = new Set();
    for (const m of saved[n].messages) {
      const x = /Scheduling node (\S+) for fencing|Node (\S+) is unclean but cannot be fenced/.exec(m);
      if (x) theirs.add(x[1] ?? x[2]);
    }
    const mine = new Set(ours[n].filter((f) => f.code === "NODE_NEEDS_FENCING").map((f) => f.value));
    if (theirs.size === 0 && mine.size === 0) continue;
    total++;
    if (theirs.size === mine.size && [...theirs].every((x) => mine.has(x))) same++;
    else diffs.push(`${n} (crm_verify: ${[...theirs].join(",") || "-"}; atrium: ${[...mine].join(",") || "-"})`);
  }
  console.log(`same nodes to fence as crm_verify: ${same}/${total} cases with fencing${diffs.length ? ": differs in " + diffs.join(", ") : ""}`);
  summary.fencing = { same, total, diffs };
}
if (live) {
  const res = await runAll(names, (n) => runCrmVerify(join(casesDir, n, "cib.xml")));
  summary.live = compare("live crm_verify", res);
}
const jsonOut = opt("--json-out");
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(summary, null, 1) + "\n");
