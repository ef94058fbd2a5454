// Tiny XML -> CibElement reader for these tests only (the rules module must not depend on the
// CIB codec). Whitespace-only text is dropped, like Pacemaker's parser does.
import { SaxesParser } from "saxes";
import type { CibElement, CibNode } from "../../../../core/cib/model.ts";

interface Building {
  tag: string;
  attrs: Record<string, string>;
  children: CibNode[];
}

/** Parse XML text into a CibElement tree. */
export function xml(text: string): CibElement {
  const parser = new SaxesParser();
  const stack: Building[] = [];
  let root: Building | undefined;
  parser.on("opentag", (node) => {
    const el: Building = {
      tag: node.name,
      attrs: { ...(node.attributes as Record<string, string>) },
      children: [],
    };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.on("comment", (c) => {
    stack[stack.length - 1]?.children.push({ tag: "#comment", text: c });
  });
  parser.on("text", (t) => {
    if (t.trim() !== "") stack[stack.length - 1]?.children.push({ tag: "#text", text: t });
  });
  parser.write(text).close();
  if (!root) throw new Error("no root element");
  return root;
}

/** Every element of a tree, depth first. */
export function* walk(el: CibElement): Generator<CibElement> {
  yield el;
  for (const c of el.children) if (c.tag !== "#text" && c.tag !== "#comment") yield* walk(c as CibElement);
}

/** The element with this id (and tag, when given). */
export function byId(root: CibElement, id: string, tag?: string): CibElement {
  for (const el of walk(root)) if (el.attrs.id === id && (tag === undefined || el.tag === tag)) return el;
  throw new Error(`no element with id ${id}`);
}

/** A resolver for id-ref over a tree, as Pacemaker's //tag[@id='x'] search. */
export function resolver(root: CibElement): (id: string, tag: string) => CibElement | undefined {
  return (id, tag) => {
    for (const el of walk(root)) if (el.attrs.id === id && el.tag === tag) return el;
    return undefined;
  };
}
