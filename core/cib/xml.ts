/**
 * XML at the edge: text <-> the order-preserving {@link CibElement} tree of `model.ts`.
 *
 * Parsing uses a fast scanner (`_xml_fast.ts`) for well-formed text and falls back to `saxes`
 * (strict, namespaces off, positions tracked) for anything it declines, including every error.
 * Entities and character references are decoded; whitespace-only text between elements is
 * dropped; comments are kept as `#comment` nodes; CDATA sections become (merged) `#text`; the
 * XML declaration is accepted.
 * Any error is an {@link XmlSyntaxError} (a `SyntaxError`) naming the line, the column and what
 * was expected.
 *
 * Serializing escapes `&`, `<`, `>` and `"` in attribute values and writes newlines, carriage
 * returns and tabs inside attribute values as `&#10;`, `&#13;` and `&#9;` so they survive a
 * re-parse; empty elements self-close; `pretty` indents by two spaces (elements holding text
 * are written inline so their text is unchanged).
 *
 * @example
 * ```ts
 * const root = parseXml('<cib epoch="1"><configuration/></cib>');
 * serializeXml(root, { pretty: true }); // '<cib epoch="1">\n  <configuration/>\n</cib>\n'
 * ```
 */
import { SaxesParser } from "saxes";
import type { CibComment, CibElement, CibNode, CibText } from "./model.ts";
import { scanXml } from "./_xml_fast.ts";

/**
 * A parse failure with its position: the line and column (both 1-based, in characters) of the
 * character where the error was detected.
 */
export class XmlSyntaxError extends SyntaxError {
  override readonly name = "XmlSyntaxError";
  readonly line: number;
  readonly column: number;
  readonly fileName?: string;

  constructor(message: string, line: number, column: number, fileName?: string) {
    super(message);
    this.line = line;
    this.column = column;
    if (fileName !== undefined) this.fileName = fileName;
  }
}

/** A parsed document: the root element plus comments outside it. */
export interface XmlDocument {
  /** Comments before the root element. */
  readonly prolog: readonly CibComment[];
  readonly root: CibElement;
  /** Comments after the root element. */
  readonly epilog: readonly CibComment[];
}

/** Options for {@link parseXml} and {@link parseXmlDocument}. */
export interface ParseXmlOptions {
  /** Named in error messages (e.g. the file the text came from). */
  readonly fileName?: string;
  /**
   * The deepest element nesting accepted (default 256, libxml2's limit, which Pacemaker's own
   * parser inherits). Deeper documents are a syntax error, so nothing downstream recurses
   * without bound.
   */
  readonly maxDepth?: number;
}

/** The default {@link ParseXmlOptions.maxDepth}. */
export const DEFAULT_MAX_DEPTH = 256;

interface Frame {
  readonly tag: string;
  readonly attrs: Record<string, string>;
  readonly children: CibNode[];
  /** Pending character data not yet turned into a node. */
  text: string;
  /** Pending text includes a CDATA section (kept even when whitespace-only). */
  cdata: boolean;
}

const WS_ONLY = /^[ \t\r\n]*$/;

/** Saxes wording -> "expected ..." wording for the most common failures. */
const EXPECTATIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^unclosed tag: (.+)$/, 'expected a closing tag "</$1>" before the end of the text'],
  [/^unexpected close tag/, "expected the closing tag of the open element"],
  [/^unmatched closing tag: (.+)$/, 'expected no closing tag "</$1>" here: no such element is open'],
  [/^document must contain a root element/, "expected a root element"],
  [/^nesting deeper than (\d+) levels$/, "expected at most $1 levels of element nesting"],
  [/^text data outside of root node/, "expected only whitespace or comments outside the root element"],
  [/^documents may contain only one root/, "expected a single root element"],
  [/^attribute without value/, 'expected "=" and a quoted value after the attribute name'],
  [/^unquoted attribute value/, "expected a quoted attribute value"],
  [/^duplicate attribute: (.+)$/, 'expected each attribute once, got "$1" twice'],
  [/^no whitespace between attributes/, "expected whitespace between attributes"],
  [/^disallowed character in tag name/, "expected a valid tag name"],
  [/^disallowed character$/, "expected a character allowed here (write < as &lt; and & as &amp;)"],
  [/^malformed character entity$/, "expected a valid character reference"],
  [/^disallowed character in attribute name/, "expected a valid attribute name"],
  [
    /^undefined entity(?::? ?(.*))$/,
    "expected a predefined entity (amp, lt, gt, quot, apos) or a character reference",
  ],
];

function describe(raw: string): string {
  const m = raw.replace(/\.$/, "");
  for (const [re, expectation] of EXPECTATIONS) {
    if (re.test(m)) return `${m.replace(re, expectation)}`;
  }
  return m;
}

/** Copy saxes' null-prototype attribute record into a plain object, keeping order. */
function copyAttrs(src: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in src) {
    if (k === "__proto__") {
      Object.defineProperty(out, k, { value: src[k], enumerable: true, writable: true, configurable: true });
    } else {
      out[k] = src[k]!;
    }
  }
  return out;
}

function flushText(f: Frame): void {
  if (f.text.length === 0) return;
  if (f.cdata || !WS_ONLY.test(f.text)) f.children.push({ tag: "#text", text: f.text });
  f.text = "";
  f.cdata = false;
}

/**
 * Parse XML text into a document (root element plus outside comments).
 *
 * @throws {XmlSyntaxError} when the text is not well-formed XML
 */
export function parseXmlDocument(text: string, options: ParseXmlOptions = {}): XmlDocument {
  if (typeof text !== "string") {
    throw new TypeError(`Cannot parse XML: expected a string, got ${typeof text}`);
  }
  const fileName = options.fileName;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  // Fast path for well-formed CIB-like text; saxes decides everything else (and reports errors).
  const fast = scanXml(text, maxDepth);
  if (fast !== undefined) return fast;
  const parser = new SaxesParser({ xmlns: false, position: true });
  const prolog: CibComment[] = [];
  const epilog: CibComment[] = [];
  let root: CibElement | undefined;
  const top: Frame = { tag: "", attrs: {}, children: [], text: "", cdata: false };
  const stack: Frame[] = [top];
  let cur: Frame = top;
  /** The tag of the element closed last (saxes reports a mismatched close right after it). */
  let lastClosed: string | undefined;

  parser.on("error", (err: Error) => {
    const raw = err.message.replace(/^\d+:\d+: /, "");
    const detail = /^unexpected close tag/.test(raw) && lastClosed !== undefined
      ? `expected the closing tag "</${lastClosed}>"`
      : describe(raw);
    const where = fileName !== undefined ? `${fileName}, line ${parser.line}` : `line ${parser.line}`;
    throw new XmlSyntaxError(
      `Cannot parse XML at ${where}, column ${Math.max(1, parser.column)}: ${detail}`,
      parser.line,
      Math.max(1, parser.column),
      fileName,
    );
  });
  parser.on("text", (t: string) => {
    if (cur !== top) cur.text += t;
  });
  parser.on("cdata", (t: string) => {
    cur.text += t;
    cur.cdata = true;
  });
  parser.on("comment", (t: string) => {
    const node: CibComment = { tag: "#comment", text: t };
    if (cur === top) (root === undefined ? prolog : epilog).push(node);
    else {
      flushText(cur);
      cur.children.push(node);
    }
  });
  parser.on("opentag", (tag) => {
    if (stack.length > maxDepth) {
      parser.fail(`nesting deeper than ${maxDepth} levels`);
    }
    flushText(cur);
    const f: Frame = {
      tag: tag.name,
      attrs: copyAttrs(tag.attributes as Record<string, string>),
      children: [],
      text: "",
      cdata: false,
    };
    stack.push(f);
    cur = f;
  });
  parser.on("closetag", () => {
    const f = stack.pop()!;
    lastClosed = f.tag;
    flushText(f);
    const el: CibElement = { tag: f.tag, attrs: f.attrs, children: f.children };
    cur = stack[stack.length - 1]!;
    if (cur === top) root = el;
    else cur.children.push(el);
  });
  parser.write(text).close();
  if (root === undefined) {
    throw new XmlSyntaxError(`Cannot parse XML at line 1, column 1: expected a root element`, 1, 1, fileName);
  }
  return { prolog, root, epilog };
}

/**
 * Parse XML text and return its root element (comments outside the root are dropped).
 *
 * @throws {XmlSyntaxError} when the text is not well-formed XML
 * @example
 * ```ts
 * parseXml('<nvpair id="a" name="n" value="v"/>').attrs.value; // "v"
 * ```
 */
export function parseXml(text: string, options: ParseXmlOptions = {}): CibElement {
  return parseXmlDocument(text, options).root;
}

/** Options for {@link serializeXml}. */
export interface SerializeXmlOptions {
  /** Indent nested elements by two spaces, one element per line (default false). */
  readonly pretty?: boolean;
  /** Start with `<?xml version="1.0"?>` (default false). */
  readonly declaration?: boolean;
}

const ATTR_RE = /[&<>"\n\r\t]/g;
const ATTR_MAP: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "\n": "&#10;",
  "\r": "&#13;",
  "\t": "&#9;",
};
const ATTR_TEST = /[&<>"\n\r\t]/;
const TEXT_RE = /[&<>\r]/g;
const TEXT_TEST = /[&<>\r]/;

/** Escape an attribute value for a double-quoted attribute. */
export function escapeAttr(value: string): string {
  return ATTR_TEST.test(value) ? value.replace(ATTR_RE, (c) => ATTR_MAP[c]!) : value;
}

/** Escape character data. */
export function escapeText(value: string): string {
  return TEXT_TEST.test(value) ? value.replace(TEXT_RE, (c) => ATTR_MAP[c] ?? "&#13;") : value;
}

function commentText(text: string): string {
  // "--" is not allowed inside a comment, nor a trailing "-": keep the text readable and legal.
  let t = text.replace(/--/g, "- -");
  if (t.endsWith("-")) t += " ";
  return t;
}

function hasText(el: CibElement): boolean {
  for (const c of el.children) if (c.tag === "#text") return true;
  return false;
}

function openTag(el: CibElement): string {
  let s = "<" + el.tag;
  const attrs = el.attrs;
  for (const k in attrs) {
    if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
    const v = attrs[k];
    if (v === undefined) continue;
    s += " " + k + '="' + escapeAttr(String(v)) + '"';
  }
  return s;
}

function writeNode(n: CibNode, out: string[], indent: string | undefined): void {
  if (n.tag === "#text") {
    out.push(escapeText((n as CibText).text));
    return;
  }
  if (n.tag === "#comment") {
    if (indent !== undefined) out.push(indent);
    out.push("<!--" + commentText((n as CibComment).text) + "-->");
    if (indent !== undefined) out.push("\n");
    return;
  }
  const el = n as CibElement;
  if (indent !== undefined) out.push(indent);
  const open = openTag(el);
  if (el.children.length === 0) {
    out.push(open + "/>");
  } else {
    out.push(open + ">");
    if (indent !== undefined && !hasText(el)) {
      out.push("\n");
      const inner = indent + "  ";
      for (const c of el.children) writeNode(c, out, inner);
      out.push(indent);
    } else {
      for (const c of el.children) writeNode(c, out, undefined);
    }
    out.push("</" + el.tag + ">");
  }
  if (indent !== undefined) out.push("\n");
}

/**
 * Serialize an element tree (or a whole document) to XML text.
 *
 * @example
 * ```ts
 * serializeXml({ tag: "op", attrs: { id: "m", name: "monitor" }, children: [] });
 * // '<op id="m" name="monitor"/>'
 * ```
 */
export function serializeXml(node: CibElement | XmlDocument, options: SerializeXmlOptions = {}): string {
  const out: string[] = [];
  const indent = options.pretty ? "" : undefined;
  if (options.declaration) out.push(options.pretty ? '<?xml version="1.0"?>\n' : '<?xml version="1.0"?>');
  if ("root" in node) {
    for (const c of node.prolog) writeNode(c, out, indent);
    writeNode(node.root, out, indent);
    for (const c of node.epilog) writeNode(c, out, indent);
  } else {
    writeNode(node, out, indent);
  }
  return out.join("");
}
