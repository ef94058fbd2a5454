// Tests `atrium verify` (agents/atrium/cmd_verify.ts) in-process; it lives beside the
// validator's tests because the command is a thin shell around verifyCib.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runAtrium } from "../../../../agents/atrium/mod.ts";

const dir = fileURLToPath(new URL("../../../fixtures/verify/", import.meta.url));

async function verify(...args: string[]) {
  let out = "";
  let err = "";
  const rc = await runAtrium(["verify", ...args], {
    stdout: (t) => { out += t; },
    stderr: (t) => { err += t; },
    env: {},
    cwd: dir,
  });
  return { rc, out, err };
}

describe("atrium verify", () => {
  it("exits 0 and prints nothing for a valid CIB", async () => {
    const r = await verify("--xml-file", "valid.xml");
    expect(r).toEqual({ rc: 0, out: "", err: "" });
  });
  it("prints location, value and expectation and exits 78 for an invalid CIB", async () => {
    const r = await verify("--xml-file", "remote_port_invalid.xml");
    expect(r.rc).toBe(78);
    expect(r.out).toBe(
      "error: /cib/configuration/resources/primitive[@id='vm1']/meta_attributes[@id='vm1-meta']/nvpair[@name='remote-port']: " +
        'value "99999" is not a port (expected an integer 1-65535)\n',
    );
    expect(r.err).toContain("1 error(s)");
  });
  it("prints JSON with --json", async () => {
    const r = await verify("-x", "remote_connection_in_group.xml", "--json");
    expect(r.rc).toBe(78);
    const doc = JSON.parse(r.out) as { valid: boolean; findings: { code: string }[] };
    expect(doc.valid).toBe(false);
    expect(doc.findings.map((f) => f.code)).toEqual(["REMOTE_CONNECTION_IN_GROUP"]);
  });
  it("exits 66 when the file cannot be read", async () => {
    const r = await verify("--xml-file", "no-such-file.xml");
    expect(r.rc).toBe(66);
    expect(r.err).toContain('"no-such-file.xml"');
  });
  it("exits 65 with line and column when the XML does not parse", async () => {
    const r = await verify("--xml-file", "not_well_formed.xml");
    expect(r.rc).toBe(65);
    expect(r.err).toMatch(/line \d+, column \d+/);
  });
  it("exits 64 without --xml-file and on an unknown option", async () => {
    expect((await verify()).rc).toBe(64);
    expect((await verify("--bogus")).rc).toBe(64);
  });
});
