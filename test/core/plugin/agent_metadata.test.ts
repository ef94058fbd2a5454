import { describe, expect, it } from "vitest";
import { isTrueValue, readAgentMetadata } from "../../../core/plugin/mod.ts";

const XML = `<?xml version="1.0"?>
<resource-agent name="Demo" version="0.9">
  <version>1.1</version>
  <shortdesc lang="en"> Demo agent </shortdesc>
  <shortdesc lang="de">Second</shortdesc>
  <parameters>
    <parameter name="state" unique-group="s">
      <shortdesc><![CDATA[ state file ]]></shortdesc>
      <content type="string" default="/run/x"/>
    </parameter>
    <parameter name="">
      <content type="string"/>
    </parameter>
    <parameter name="quiet" required="yes">
      <shortdesc>  </shortdesc>
    </parameter>
  </parameters>
  <actions>
    <action name="start" timeout="20s"/>
    <action timeout="5s"/>
    <action name="monitor" interval="10s" depth="0"/>
  </actions>
</resource-agent>`;

describe("readAgentMetadata", () => {
  it("returns the document as written: root, version text, first shortdesc, named parameters and actions", () => {
    const raw = readAgentMetadata(XML, 'agent "ocf:demo:Demo"');
    expect(raw.root).toEqual({ name: "Demo", version: "0.9" });
    expect(raw.versionText).toBe("1.1");
    expect(raw.shortdesc).toBe("Demo agent");
    expect(raw.parameters).toEqual([
      { name: "state", attrs: { name: "state", "unique-group": "s" }, type: "string", default: "/run/x", shortdesc: "state file" },
      { name: "quiet", attrs: { name: "quiet", required: "yes" } },
    ]);
    expect(raw.actions).toEqual([
      { name: "start", timeout: "20s" },
      { name: "monitor", interval: "10s", depth: "0" },
    ]);
  });

  it("throws SyntaxError naming the agent for malformed XML, a wrong root and an empty text", () => {
    expect(() => readAgentMetadata("<resource-agent>", 'fence agent "fence_x"')).toThrow(
      /^Cannot parse meta-data of fence agent "fence_x": /,
    );
    expect(() => readAgentMetadata("<agent/>", 'agent "lsb:x"')).toThrow(SyntaxError);
    expect(() => readAgentMetadata("<agent/>", 'agent "lsb:x"')).toThrow(/root element is <agent>/);
    expect(() => readAgentMetadata("", 'agent "lsb:x"')).toThrow(/root element/);
  });
});

describe("isTrueValue", () => {
  it("accepts Pacemaker's true words in any case and rejects the rest", () => {
    for (const v of ["1", "true", "YES", " on ", "y"]) expect(isTrueValue(v)).toBe(true);
    for (const v of [undefined, "", "0", "false", "no", "enabled"]) expect(isTrueValue(v)).toBe(false);
  });
});
