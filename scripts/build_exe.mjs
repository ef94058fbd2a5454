// Standalone executables in dist/exe/ for each of atrium, atriumd, atrium-remoted that exists.
//
// Node: a single executable application (SEA). scripts/build.mjs --cjs bundles dist/NAME.cjs;
// `node --experimental-sea-config` turns it into a blob; the blob is injected with postject into
// a copy of this Node binary (process.execPath). The result runs without Node installed.
//
// Deno: `deno compile` needs the denort runtime, which it downloads; offline that fails, so it
// runs only when DENORT_BIN names a local denort binary (deno compile honours DENORT_BIN), and
// otherwise says it is skipped and why.
//
// Usage: node scripts/build_exe.mjs [--out DIR] [--skip-bundle] [--no-deno] [NAME...]
//   NAME...        only these executables (default: all that exist)
//   --out DIR      where the executables go (default dist/exe)
//   --skip-bundle  use the existing dist/NAME.cjs instead of running scripts/build.mjs --cjs
//   --no-deno      do not try deno compile
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const SENTINEL_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ALL = ["atrium", "atriumd", "atrium-remoted"];

function fail(msg) {
  process.stderr.write(`build_exe: ${msg}\n`);
  process.exit(1);
}

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  if (r.error) fail(`Cannot ${what}: ${r.error.message}`);
  if (r.status !== 0) fail(`Cannot ${what}: ${cmd} exited with ${r.status ?? r.signal}`);
}

const { values, positionals } = parseArgs({
  options: {
    out: { type: "string" },
    "skip-bundle": { type: "boolean" },
    "no-deno": { type: "boolean" },
  },
  allowPositionals: true,
});
for (const n of positionals) if (!ALL.includes(n)) fail(`Cannot build executable "${n}": expected one of ${ALL.join(", ")}`);
const wanted = (positionals.length > 0 ? positionals : ALL).filter((n) => existsSync(join(root, "agents", n, "main.ts")));
if (wanted.length === 0) fail("Cannot build executables: none of the requested agents/NAME/main.ts exist");
const out = resolve(root, values.out ?? join("dist", "exe"));
mkdirSync(out, { recursive: true });
const exe = process.platform === "win32" ? ".exe" : "";

if (!values["skip-bundle"]) run(process.execPath, [join(root, "scripts", "build.mjs"), "--cjs"], "bundle the CommonJS builds");

const { inject } = await import("postject");
for (const name of wanted) {
  const t0 = Date.now();
  const main = join(root, "dist", `${name}.cjs`);
  if (!existsSync(main)) fail(`Cannot build ${name}: ${main} is missing (run without --skip-bundle)`);
  const blob = join(out, `${name}.blob`);
  const config = join(out, `${name}.sea-config.json`);
  writeFileSync(config, JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false }, null, 2));
  run(process.execPath, ["--experimental-sea-config", config], `prepare the SEA blob of ${name}`);
  const target = join(out, name + exe);
  rmSync(target, { force: true });
  copyFileSync(process.execPath, target);
  chmodSync(target, 0o755);
  if (process.platform === "darwin") run("codesign", ["--remove-signature", target], `unsign ${target}`);
  await inject(target, "NODE_SEA_BLOB", readFileSync(blob), {
    sentinelFuse: SENTINEL_FUSE,
    ...(process.platform === "darwin" ? { machoSegmentName: "NODE_SEA" } : {}),
  });
  if (process.platform === "darwin") run("codesign", ["--sign", "-", target], `sign ${target}`);
  rmSync(blob, { force: true });
  rmSync(config, { force: true });
  process.stdout.write(`built ${target} (Node single executable, ${Date.now() - t0} ms)\n`);
}

if (values["no-deno"]) {
  process.stdout.write("deno compile: skipped (--no-deno)\n");
} else if (!process.env.DENORT_BIN) {
  process.stdout.write(
    "deno compile: skipped: it downloads the denort runtime, which is unreachable offline; set DENORT_BIN to a local denort binary to build NAME-deno executables\n",
  );
} else if (!existsSync(process.env.DENORT_BIN)) {
  fail(`Cannot run deno compile: DENORT_BIN "${process.env.DENORT_BIN}" does not exist`);
} else {
  const deno = join(root, "node_modules", ".bin", process.platform === "win32" ? "deno.cmd" : "deno");
  for (const name of wanted) {
    const target = join(out, `${name}-deno${exe}`);
    run(deno, ["compile", "--allow-all", "--no-check", "--output", target, join(root, "agents", name, "main.ts")], `deno compile ${name}`);
    process.stdout.write(`built ${target} (deno compile)\n`);
  }
}
