import { describe, expect, it } from "vitest";
import { scanXml } from "../../../core/cib/_xml_fast.ts";
import { parseXmlDocument, XmlSyntaxError } from "../../../core/cib/xml.ts";

const DOC = `<?xml version="1.0" encoding="UTF-8"?>
<!-- before -->
<cib epoch="1" a='x&amp;y&#10;z&#x41;'>
  <x t="a\tb\nc" id="x1">te&lt;xt<![CDATA[ <&> ]]> more</x>
  <y/><!--k-->
  <z:q p="&quot;&apos;&gt;"/>
  <w><![CDATA[   ]]></w>
</cib>
<!-- after -->
`;

describe("scanXml (fast path)", () => {
  it("builds the tree the saxes path builds", () => {
    const fast = scanXml(DOC, 256);
    expect(fast).toBeDefined();
    // The same text with CRLF line ends is declined by the fast path, so saxes parses it and
    // (after its end-of-line normalization) must give the very same tree.
    const crlf = DOC.replace(/\n/g, "\r\n");
    expect(scanXml(crlf, 256)).toBeUndefined();
    expect(parseXmlDocument(crlf)).toEqual(fast);
    expect(fast!.root.attrs).toEqual({ epoch: "1", a: "x&y\nzA" });
    expect(fast!.prolog).toEqual([{ tag: "#comment", text: " before " }]);
    expect(fast!.epilog).toEqual([{ tag: "#comment", text: " after " }]);
    const x = fast!.root.children[0]!;
    expect(x).toEqual({ tag: "x", attrs: { t: "a b c", id: "x1" }, children: [{ tag: "#text", text: "te<xt <&>  more" }] });
    const w = fast!.root.children[4]!;
    expect(w).toEqual({ tag: "w", attrs: {}, children: [{ tag: "#text", text: "   " }] });
  });

  it("shares repeated names and values without mixing them up", () => {
    const doc = parseXmlDocument('<a><op id="o1" rc-code="7" on_node="n1"/><op id="o2" rc-code="0" on_node="n1"/><op id="o12" rc-code="7" on_node="n2"/></a>');
    expect(doc.root.children.map((c) => ("attrs" in c ? c.attrs : {}))).toEqual([
      { id: "o1", "rc-code": "7", on_node: "n1" },
      { id: "o2", "rc-code": "0", on_node: "n1" },
      { id: "o12", "rc-code": "7", on_node: "n2" },
    ]);
  });

  it.each([
    ["a carriage return", "<a>\r</a>"],
    ["a DOCTYPE", "<!DOCTYPE a><a/>"],
    ["a processing instruction", "<a><?pi x?></a>"],
    ["a duplicate attribute", '<a x="1" x="2"/>'],
    ["a double hyphen in a comment", "<a><!-- a -- b --></a>"],
    ["an undefined entity", "<a>&nbsp;</a>"],
    ["a mismatched closing tag", "<a><b></a></b>"],
    ["a missing closing tag", "<a><b/>"],
    ["text outside the root", "<a/>x"],
    ["two roots", "<a/><b/>"],
    ["no whitespace between attributes", '<a x="1"y="2"/>'],
    ["a < in an attribute value", '<a x="<"/>'],
    ["]]> in text", "<a>]]></a>"],
    ["an unquoted attribute value", "<a x=1/>"],
    ["a non-ASCII tag name", "<é/>"],
    ["a control character", "<a>\u0001</a>"],
    ["a character reference to a control character", "<a>&#1;</a>"],
  ])("declines %s (saxes decides)", (_what, text) => {
    expect(scanXml(text, 256)).toBeUndefined();
  });

  it("leaves errors and their positions to saxes", () => {
    let err: unknown;
    try {
      parseXmlDocument("<cib>\n  <a x=\"1\" x=\"2\"/>\n</cib>");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XmlSyntaxError);
    expect((err as XmlSyntaxError).line).toBe(2);
    expect((err as XmlSyntaxError).message).toMatch(/expected each attribute once, got "x" twice/);
  });

  it("declines nesting deeper than the limit", () => {
    const deep = "<a>".repeat(5) + "</a>".repeat(5);
    expect(scanXml(deep, 5)).toBeDefined();
    expect(scanXml(deep, 4)).toBeUndefined();
    expect(() => parseXmlDocument(deep, { maxDepth: 4 })).toThrow(XmlSyntaxError);
  });
});
