import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runAtrium } from "../../../agents/atrium/mod.ts";
import { parseCib } from "../../../core/cib/codec.ts";
import { captureIo } from "./_io.ts";

const fixtures = fileURLToPath(new URL("../../fixtures/cib/", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "atrium-cib-export-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(argv: string[], cwd = fixtures) {
  const o = captureIo({}, cwd);
  const code = await runAtrium(argv, o);
  return { code, stdout: o.out, stderr: o.err };
}

describe("atrium cib export", () => {
  it("atrium cib export writes pretty XML equal to the input as a model", async () => {
    const r = await run(["cib", "export", "--xml-file", "remote_guest.xml"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.startsWith(`<cib admin_epoch="1" epoch="12" num_updates="3"`)).toBe(true);
    expect(r.stdout).toContain(`\n      <!-- a remote node and a guest node -->\n`);
    const { readFileSync } = await import("node:fs");
    expect(parseCib(r.stdout)).toEqual(parseCib(readFileSync(join(fixtures, "remote_guest.xml"), "utf8")));
  });

  it("atrium cib export --format json prints the model tree", async () => {
    const r = await run(["cib", "export", "-x", "remote_guest.xml", "--format", "json"]);
    expect(r.code).toBe(0);
    const tree = JSON.parse(r.stdout);
    expect(tree.tag).toBe("cib");
    expect(tree.attrs.epoch).toBe("12");
    expect(tree.children[0].tag).toBe("configuration");
  });

  it("atrium cib export reports file, line and column of a parse error", async () => {
    writeFileSync(join(tmp, "bad.xml"), `<cib>\n  <configuration>\n</cib>\n`);
    const r = await run(["cib", "export", "--xml-file", "bad.xml"], tmp);
    expect(r.code).toBe(65);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `atrium cib export: Cannot parse XML at bad.xml, line 3, column 6: expected the closing tag "</configuration>"\n`,
    );
  });

  it("atrium cib export rejects a root other than cib, a missing file and bad options", async () => {
    writeFileSync(join(tmp, "notcib.xml"), `<configuration/>`);
    const notCib = await run(["cib", "export", "--xml-file", "notcib.xml"], tmp);
    expect(notCib.code).toBe(65);
    expect(notCib.stderr).toMatch(/expected root element "cib", got "configuration"/);
    const missing = await run(["cib", "export", "--xml-file", "nope.xml"], tmp);
    expect(missing.code).toBe(66);
    expect(missing.stderr).toBe(`atrium cib export: Cannot read CIB file "nope.xml": ENOENT\n`);
    expect((await run(["cib", "export"])).code).toBe(64);
    const fmt = await run(["cib", "export", "-x", "remote_guest.xml", "--format", "yaml"]);
    expect(fmt.code).toBe(64);
    expect(fmt.stderr).toMatch(/Cannot use format "yaml": expected "xml" or "json"/);
    const unknown = await run(["cib", "export", "--bogus"]);
    expect(unknown.code).toBe(64);
    const help = await run(["cib", "export", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: atrium cib export --xml-file FILE/);
  });
});
