/**
 * A fast, strict scanner for the common subset of XML found in CIBs, used by `xml.ts` before
 * falling back to `saxes`.
 *
 * It builds exactly the tree `parseXmlDocument` builds (same attribute order, same text and
 * comment nodes, entities decoded, literal tabs and newlines in attribute values turned into
 * spaces, whitespace-only text dropped unless it holds CDATA). It never reports errors itself:
 * on anything malformed or merely unusual (a carriage return, a DOCTYPE, a processing
 * instruction other than the XML declaration, a non-ASCII name, a surrogate, a control
 * character, too deep a nesting) it returns `undefined`, and the caller re-parses the text with
 * `saxes`, which then accepts it or reports the error with its exact position. So this scanner
 * may only ever accept well-formed input, and must decline whatever it is unsure about.
 */
import type { CibComment, CibElement, CibNode } from "./model.ts";

/** The result of a successful scan (the shape of `XmlDocument`). */
export interface FastDocument {
  readonly prolog: CibComment[];
  readonly root: CibElement;
  readonly epilog: CibComment[];
}

/** Characters that make the whole text go to the slow path (CR needs end-of-line handling). */
const SLOW_CHARS = /[\x00-\x08\x0B\x0C\x0D\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
const XML_DECL =
  /^<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.[0-9]+\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(?:yes|no)\3)?[ \t\n]*\?>/;

/** Thrown internally to abandon the fast path. */
const BAIL = Symbol("bail");

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 9;
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
}

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 58 ||
    c === 45 || c === 46;
}

function isXmlChar(cp: number): boolean {
  return cp === 9 || cp === 10 || cp === 13 || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Decode entity and character references in `s` (which contains "&"); throws BAIL on anything odd. */
function decodeEntities(s: string): string {
  let out = "";
  let from = 0;
  let amp = s.indexOf("&");
  while (amp !== -1) {
    const semi = s.indexOf(";", amp + 1);
    if (semi === -1) throw BAIL;
    const name = s.slice(amp + 1, semi);
    let rep: string;
    switch (name) {
      case "amp": rep = "&"; break;
      case "lt": rep = "<"; break;
      case "gt": rep = ">"; break;
      case "quot": rep = '"'; break;
      case "apos": rep = "'"; break;
      default: {
        let cp: number;
        if (/^#[0-9]{1,7}$/.test(name)) cp = parseInt(name.slice(1), 10);
        else if (/^#x[0-9A-Fa-f]{1,6}$/.test(name)) cp = parseInt(name.slice(2), 16);
        else throw BAIL;
        if (!isXmlChar(cp)) throw BAIL;
        rep = String.fromCodePoint(cp);
      }
    }
    out += s.slice(from, amp) + rep;
    from = semi + 1;
    amp = s.indexOf("&", from);
  }
  return out + s.slice(from);
}

/**
 * A small cache of recently seen names and short values, so the many repeated attribute names,
 * tags and values of a CIB share one string each (less garbage, smaller trees).
 */
class Interner {
  private readonly map = new Map<number, string>();

  constructor(private readonly src: string) {}

  get(start: number, end: number): string {
    const len = end - start;
    const s = this.src;
    const key = len * 16777216 + s.charCodeAt(start) * 65536 + (s.charCodeAt(end - 1) & 255) * 256 +
      (s.charCodeAt(start + (len >> 1)) & 255);
    const hit = this.map.get(key);
    if (hit !== undefined && s.startsWith(hit, start)) return hit;
    const str = s.slice(start, end);
    this.map.set(key, str);
    return str;
  }
}

function isWsOnly(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isWs(s.charCodeAt(i))) return false;
  return true;
}

/**
 * Scan `text` into a document, or return `undefined` when the slow (saxes) path must decide.
 *
 * @param maxDepth the deepest element nesting accepted here (deeper goes to the slow path)
 */
export function scanXml(text: string, maxDepth: number): FastDocument | undefined {
  if (SLOW_CHARS.test(text)) return undefined;
  try {
    return scan(text, maxDepth);
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
}

function scan(s: string, maxDepth: number): FastDocument {
  const n = s.length;
  let i = 0;
  if (s.startsWith("<?xml")) {
    const m = XML_DECL.exec(s);
    if (m === null) throw BAIL;
    i = m[0].length;
  }
  const prolog: CibComment[] = [];
  const epilog: CibComment[] = [];
  let root: CibElement | undefined;
  const names = new Interner(s);
  const values = new Interner(s);
  /** Open elements; their children arrays are filled in place. */
  const stack: CibElement[] = [];
  let cur: CibElement | undefined;
  // Pending character data of `cur` (only the innermost open element can have any: it is
  // flushed whenever a child opens).
  let text = "";
  let cdata = false;
  const flush = (el: CibElement): void => {
    if (text.length === 0) return;
    if (cdata || !isWsOnly(text)) (el.children as CibNode[]).push({ tag: "#text", text });
    text = "";
    cdata = false;
  };
  const close = (el: CibElement): void => {
    if (cur === undefined) root = el;
    else (cur.children as CibNode[]).push(el);
  };

  while (i < n) {
    const lt = s.indexOf("<", i);
    const end = lt === -1 ? n : lt;
    if (end > i) {
      // Character data.
      const raw = s.slice(i, end);
      if (cur === undefined) {
        if (!isWsOnly(raw)) throw BAIL;
      } else {
        if (raw.includes("]]>")) throw BAIL;
        text += raw.includes("&") ? decodeEntities(raw) : raw;
      }
    }
    if (lt === -1) break;
    i = lt + 1;
    const c = s.charCodeAt(i);
    if (c === 47) {
      // Closing tag.
      if (cur === undefined) throw BAIL;
      const el: CibElement = cur;
      if (!s.startsWith(el.tag, i + 1)) throw BAIL;
      let j = i + 1 + el.tag.length;
      while (j < n && isWs(s.charCodeAt(j))) j++;
      if (s.charCodeAt(j) !== 62) throw BAIL;
      i = j + 1;
      flush(el);
      stack.pop();
      cur = stack.length > 0 ? stack[stack.length - 1] : undefined;
      close(el);
    } else if (c === 33) {
      if (s.startsWith("!--", i)) {
        const end = s.indexOf("-->", i + 3);
        if (end === -1) throw BAIL;
        const body = s.slice(i + 3, end);
        if (body.includes("--") || body.endsWith("-")) throw BAIL;
        const node: CibComment = { tag: "#comment", text: body };
        if (cur === undefined) (root === undefined ? prolog : epilog).push(node);
        else {
          flush(cur);
          (cur.children as CibNode[]).push(node);
        }
        i = end + 3;
      } else if (s.startsWith("![CDATA[", i)) {
        if (cur === undefined) throw BAIL;
        const end = s.indexOf("]]>", i + 8);
        if (end === -1) throw BAIL;
        text += s.slice(i + 8, end);
        cdata = true;
        i = end + 3;
      } else {
        throw BAIL;
      }
    } else if (isNameStart(c)) {
      // Opening tag.
      if (cur === undefined && root !== undefined) throw BAIL;
      if (stack.length >= maxDepth) throw BAIL;
      let j = i + 1;
      while (j < n && isNameChar(s.charCodeAt(j))) j++;
      const tag = names.get(i, j);
      const attrs: Record<string, string> = {};
      let selfClose = false;
      for (;;) {
        let k = j;
        while (k < n && isWs(s.charCodeAt(k))) k++;
        const d = s.charCodeAt(k);
        if (d === 62) { j = k + 1; break; }
        if (d === 47) {
          if (s.charCodeAt(k + 1) !== 62) throw BAIL;
          j = k + 2;
          selfClose = true;
          break;
        }
        // An attribute: needs whitespace before it.
        if (k === j || !isNameStart(d)) throw BAIL;
        let e = k + 1;
        while (e < n && isNameChar(s.charCodeAt(e))) e++;
        const name = names.get(k, e);
        while (e < n && isWs(s.charCodeAt(e))) e++;
        if (s.charCodeAt(e) !== 61) throw BAIL;
        e++;
        while (e < n && isWs(s.charCodeAt(e))) e++;
        const q = s.charCodeAt(e);
        if (q !== 34 && q !== 39) throw BAIL;
        const end = s.indexOf(q === 34 ? '"' : "'", e + 1);
        if (end === -1) throw BAIL;
        let value = end - e - 1 <= 24 ? values.get(e + 1, end) : s.slice(e + 1, end);
        if (value.includes("<")) throw BAIL;
        if (value.includes("\n") || value.includes("\t")) value = value.replace(/[\n\t]/g, " ");
        if (value.includes("&")) value = decodeEntities(value);
        if (name === "__proto__" || Object.prototype.hasOwnProperty.call(attrs, name)) throw BAIL;
        attrs[name] = value;
        j = end + 1;
      }
      if (cur !== undefined) flush(cur);
      const el: CibElement = { tag, attrs, children: [] };
      i = j;
      if (selfClose) close(el);
      else {
        stack.push(el);
        cur = el;
      }
    } else {
      // Processing instructions, stray "<" and anything else: the slow path decides.
      throw BAIL;
    }
  }
  if (cur !== undefined || root === undefined) throw BAIL;
  return { prolog, root, epilog };
}
