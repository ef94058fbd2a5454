/**
 * A deliberately small XML element model for the remote executor protocol: elements with
 * ordered attributes and child elements (text is ignored, as the protocol carries none).
 * The parser is bounded (size, depth, attribute and element counts) and refuses DOCTYPE, so a
 * hostile peer cannot make it expand entities or recurse without limit.
 *
 * @example
 * ```ts
 * const el = parseXml(`<lrmd_reply lrmd_rc="0"/>`);
 * el.attrs.get("lrmd_rc"); // "0"
 * serializeXml(el); // `<lrmd_reply lrmd_rc="0"/>`
 * ```
 */

/** One XML element: a name, attributes in document order, and child elements. */
export interface XmlElement {
  name: string;
  attrs: Map<string, string>;
  children: XmlElement[];
}

/** Limits applied by {@link parseXml}. */
export interface XmlLimits {
  /** Maximum nesting depth (default 32). */
  readonly maxDepth?: number;
  /** Maximum number of elements (default 100,000). */
  readonly maxElements?: number;
}

/** Build an element; `attrs` entries whose value is `undefined` are omitted. */
export function el(
  name: string,
  attrs: Readonly<Record<string, string | number | boolean | undefined>> = {},
  children: XmlElement[] = [],
): XmlElement {
  const m = new Map<string, string>();
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) m.set(k, String(v));
  return { name, attrs: m, children };
}

/** First child element named `name`, searching depth-first (like Pacemaker's `//name` XPath). */
export function findDescendant(root: XmlElement, name: string): XmlElement | undefined {
  for (const c of root.children) {
    if (c.name === name) return c;
    const d = findDescendant(c, name);
    if (d !== undefined) return d;
  }
  return undefined;
}

const ESCAPES: Record<string, string> = {
  "<": "&lt;",
  ">": "&gt;",
  "&": "&amp;",
  '"': "&quot;",
  "'": "&apos;",
  "\n": "&#10;",
  "\r": "&#13;",
  "\t": "&#9;",
};

function escapeAttr(v: string): string {
  // Control characters other than TAB/LF/CR are not allowed in XML 1.0: drop them.
  // deno-lint-ignore no-control-regex
  return v.replace(/[<>&"'\n\r\t]/g, (c) => ESCAPES[c]!).replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, "");
}

/** Serialize like Pacemaker's `dump_xml_unformatted()`: no declaration, no whitespace. */
export function serializeXml(e: XmlElement): string {
  let s = "<" + e.name;
  for (const [k, v] of e.attrs) s += " " + k + '="' + escapeAttr(v) + '"';
  if (e.children.length === 0) return s + "/>";
  s += ">";
  for (const c of e.children) s += serializeXml(c);
  return s + "</" + e.name + ">";
}

const NAME_START = /[A-Za-z_:]/;
const NAME_RE = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;

function decodeEntities(s: string, at: number): string {
  if (!s.includes("&")) return s;
  if (/&(?!(?:lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});)/.test(s)) {
    throw new SyntaxError(`Cannot parse XML: bare "&" or unknown entity near offset ${at}`);
  }
  return s.replace(/&(lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});/g, (_m, ent: string) => {
    switch (ent) {
      case "lt": return "<";
      case "gt": return ">";
      case "amp": return "&";
      case "quot": return '"';
      case "apos": return "'";
    }
    const code = ent[1] === "x" ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw new SyntaxError(`Cannot parse XML: character reference "&${ent};" out of range near offset ${at}`);
    }
    return String.fromCodePoint(code);
  });
}

/**
 * Parse one XML document into its root element. Throws `SyntaxError` naming the offset and
 * what was expected for anything malformed, for DOCTYPE, and for documents over the limits.
 */
export function parseXml(text: string, limits: XmlLimits = {}): XmlElement {
  const maxDepth = limits.maxDepth ?? 32;
  const maxElements = limits.maxElements ?? 100_000;
  let i = 0;
  let count = 0;
  const n = text.length;
  const fail = (what: string): never => {
    throw new SyntaxError(`Cannot parse XML: ${what} at offset ${i}`);
  };
  const skipWs = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const readName = (): string => {
    NAME_RE.lastIndex = i;
    const m = NAME_RE.exec(text);
    if (m === null) return fail("expected a name");
    i += m[0].length;
    return m[0];
  };
  // Move past the next `close` at or after `from`; `what` names the construct it ends.
  const skipPast = (from: number, close: string, what: string) => {
    const end = text.indexOf(close, from);
    if (end < 0) fail(`unterminated ${what}`);
    i = end + close.length;
  };
  // Skip prolog: declaration, comments, whitespace.
  const skipMisc = () => {
    for (;;) {
      skipWs();
      if (text.startsWith("<?", i)) {
        skipPast(i + 2, "?>", "processing instruction");
      } else if (text.startsWith("<!--", i)) {
        skipPast(i + 4, "-->", "comment");
      } else if (text.startsWith("<!", i) && !text.startsWith("<![CDATA[", i)) {
        fail("DOCTYPE and declarations are not accepted");
      } else return;
    }
  };
  const parseElement = (depth: number): XmlElement => {
    if (depth > maxDepth) fail(`element nesting deeper than ${maxDepth}`);
    if (++count > maxElements) fail(`more than ${maxElements} elements`);
    if (text[i] !== "<") fail('expected "<"');
    i++;
    if (!NAME_START.test(text[i] ?? "")) fail("expected an element name");
    const name = readName();
    const attrs = new Map<string, string>();
    for (;;) {
      const before = i;
      skipWs();
      if (text.startsWith("/>", i)) {
        i += 2;
        return { name, attrs, children: [] };
      }
      if (text[i] === ">") {
        i++;
        break;
      }
      if (i === before) fail('expected whitespace, ">" or "/>"');
      const an = readName();
      skipWs();
      if (text[i] !== "=") fail(`expected "=" after attribute ${JSON.stringify(an)}`);
      i++;
      skipWs();
      const q = text[i];
      if (q !== '"' && q !== "'") fail(`expected a quoted value for attribute ${JSON.stringify(an)}`);
      const end = text.indexOf(q!, i + 1);
      if (end < 0) fail(`unterminated value of attribute ${JSON.stringify(an)}`);
      const raw = text.slice(i + 1, end);
      if (raw.includes("<")) fail(`"<" in the value of attribute ${JSON.stringify(an)}`);
      if (attrs.has(an)) fail(`duplicate attribute ${JSON.stringify(an)}`);
      attrs.set(an, decodeEntities(raw, i));
      i = end + 1;
    }
    const children: XmlElement[] = [];
    for (;;) {
      const lt = text.indexOf("<", i);
      if (lt < 0) fail(`missing end tag of ${JSON.stringify(name)}`);
      i = lt;
      if (text.startsWith("</", i)) {
        i += 2;
        const en = readName();
        if (en !== name) fail(`end tag ${JSON.stringify(en)} does not match ${JSON.stringify(name)}`);
        skipWs();
        if (text[i] !== ">") fail('expected ">"');
        i++;
        return { name, attrs, children };
      }
      if (text.startsWith("<!--", i)) {
        skipPast(i + 4, "-->", "comment");
      } else if (text.startsWith("<![CDATA[", i)) {
        skipPast(i + 9, "]]>", "CDATA section");
      } else if (text.startsWith("<?", i)) {
        skipPast(i + 2, "?>", "processing instruction");
      } else if (text.startsWith("<!", i)) {
        fail("declarations are not accepted inside elements");
      } else {
        children.push(parseElement(depth + 1));
      }
    }
  };
  skipMisc();
  if (i >= n) fail("expected a root element, found end of text");
  const root = parseElement(1);
  skipMisc();
  if (i < n) fail("unexpected content after the root element");
  return root;
}
