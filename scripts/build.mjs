// Bundles each executable in agents/ into dist/NAME.mjs with esbuild (ESM, Node >= 20).
// Also writes dist/NAME.cjs (CommonJS), which build_exe.mjs turns into a single executable.
import { build } from "esbuild";
import { existsSync, chmodSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const agents = ["atrium", "atriumd", "atrium-remoted"];
const formats = process.argv.includes("--cjs") ? ["esm", "cjs"] : ["esm"];
mkdirSync(join(root, "dist"), { recursive: true });

for (const name of agents) {
  const entry = join(root, "agents", name, "main.ts");
  if (!existsSync(entry)) continue;
  for (const format of formats) {
    const outfile = join(root, "dist", `${name}.${format === "esm" ? "mjs" : "cjs"}`);
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: "node",
      target: "node20",
      format,
      sourcemap: format === "esm" ? "linked" : false,
      legalComments: "none",
      logLevel: "warning",
      banner: format === "esm"
        ? { js: "import { createRequire as __atriumCreateRequire } from 'node:module'; const require = __atriumCreateRequire(import.meta.url);" }
        : {},
    });
    if (format === "esm") chmodSync(outfile, 0o755);
  }
}
