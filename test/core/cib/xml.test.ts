import { describe, expect, it } from "vitest";
import { parseXml, parseXmlDocument, serializeXml, XmlSyntaxError } from "../../../core/cib/xml.ts";
import type { CibElement } from "../../../core/cib/model.ts";

describe("parseXml()", () => {
  it("parseXml() keeps attribute order, decodes entities and drops whitespace between elements", () => {
    const root = parseXml(`<?xml version="1.0" encoding="UTF-8"?>
<cib z="1" a="&lt;&amp;&gt;&quot;&apos;" m="&#65;&#x42;">
  <configuration/>
</cib>`);
    expect(root.tag).toBe("cib");
    expect(Object.keys(root.attrs)).toEqual(["z", "a", "m"]);
    expect(root.attrs.a).toBe(`<&>"'`);
    expect(root.attrs.m).toBe("AB");
    expect(root.children).toEqual([{ tag: "configuration", attrs: {}, children: [] }]);
  });

  it("parseXml() keeps comments, significant text and CDATA as text", () => {
    const root = parseXml(
      `<a><!-- hi --><b> x &amp; y </b><c><![CDATA[<raw>]]> tail</c><d><![CDATA[ ]]></d></a>`,
    );
    expect(root.children[0]).toEqual({ tag: "#comment", text: " hi " });
    expect((root.children[1] as CibElement).children).toEqual([{ tag: "#text", text: " x & y " }]);
    expect((root.children[2] as CibElement).children).toEqual([{ tag: "#text", text: "<raw> tail" }]);
    expect((root.children[3] as CibElement).children).toEqual([{ tag: "#text", text: " " }]);
  });

  it("parseXmlDocument() keeps comments around the root", () => {
    const doc = parseXmlDocument(`<!-- a --><r/><!-- b -->`);
    expect(doc.prolog).toEqual([{ tag: "#comment", text: " a " }]);
    expect(doc.epilog).toEqual([{ tag: "#comment", text: " b " }]);
    expect(serializeXml(doc)).toBe(`<!-- a --><r/><!-- b -->`);
  });

  it("parseXml() keeps an attribute named __proto__ as a plain attribute", () => {
    const root = parseXml(`<a __proto__="x" b="y"/>`);
    expect(Object.keys(root.attrs)).toEqual(["__proto__", "b"]);
    expect(Object.getPrototypeOf(root.attrs)).toBe(Object.prototype);
    expect(serializeXml(root)).toBe(`<a __proto__="x" b="y"/>`);
  });

  it.each([
    [`<cib><configuration></cib>`, 1, /closing tag|close tag/],
    [`<cib>\n  <a b=c/>\n</cib>`, 2, /quoted attribute value/],
    [`<cib a="1" a="2"/>`, 1, /"a" twice/],
    [`<cib>&nbsp;</cib>`, 1, /predefined entity/],
    [``, 1, /root element/],
    [`<a/><b/>`, 1, /single root element/],
    [`<a>\n\n<b></a>`, 3, /closing tag/],
  ])("parseXml(%j) throws a SyntaxError with line and column", (text, line, what) => {
    let err: unknown;
    try {
      parseXml(text, { fileName: "f.xml" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SyntaxError);
    expect(err).toBeInstanceOf(XmlSyntaxError);
    const e = err as XmlSyntaxError;
    expect(e.line).toBe(line);
    expect(e.column).toBeGreaterThanOrEqual(1);
    expect(e.message).toMatch(new RegExp(`^Cannot parse XML at f\\.xml, line ${line}, column ${e.column}: `));
    expect(e.message).toMatch(what);
    expect(e.message).not.toMatch(/\.$/);
  });
});

describe("serializeXml()", () => {
  it("serializeXml() escapes attribute values so newlines and tabs survive a re-parse", () => {
    const el: CibElement = { tag: "nvpair", attrs: { id: "x", value: `a<b>&"c"\n\td\r'` }, children: [] };
    const text = serializeXml(el);
    expect(text).toBe(`<nvpair id="x" value="a&lt;b&gt;&amp;&quot;c&quot;&#10;&#9;d&#13;'"/>`);
    expect(parseXml(text)).toEqual(el);
  });

  it("serializeXml() pretty-prints with two spaces and keeps text-holding elements inline", () => {
    const root = parseXml(`<a x="1"><b><c/></b><d>t<e/></d><!--n--></a>`);
    expect(serializeXml(root, { pretty: true })).toBe(
      `<a x="1">\n  <b>\n    <c/>\n  </b>\n  <d>t<e/></d>\n  <!--n-->\n</a>\n`,
    );
    expect(parseXml(serializeXml(root, { pretty: true }))).toEqual(root);
    expect(serializeXml(root)).toBe(`<a x="1"><b><c/></b><d>t<e/></d><!--n--></a>`);
  });

  it("serializeXml() escapes text and keeps comments legal", () => {
    const el: CibElement = {
      tag: "a",
      attrs: {},
      children: [{ tag: "#text", text: "1 < 2 && ]]> \r" }, { tag: "#comment", text: "x--y-" }],
    };
    const text = serializeXml(el, { declaration: true });
    expect(text).toBe(`<?xml version="1.0"?><a>1 &lt; 2 &amp;&amp; ]]&gt; &#13;<!--x- -y- --></a>`);
    expect((parseXml(text).children[0] as { text: string }).text).toBe("1 < 2 && ]]> \r");
  });
});

describe("parseXml() limits", () => {
  it("parseXml() rejects nesting deeper than maxDepth (256 by default)", () => {
    const ok = "<a>".repeat(256) + "</a>".repeat(256);
    expect(() => parseXml(ok)).not.toThrow();
    const deep = "<a>".repeat(257) + "</a>".repeat(257);
    expect(() => parseXml(deep)).toThrow(
      /line 1, column \d+: expected at most 256 levels of element nesting/,
    );
    expect(() => parseXml("<a><b><c/></b></a>", { maxDepth: 2 })).toThrow(XmlSyntaxError);
    expect(() => parseXml(123 as unknown as string)).toThrow(TypeError);
  });
});
