/**
 * ACLs are opaque to Atrium: `<acls>` with any attributes and content is kept as written and
 * its subtree is not checked.
 */
import * as v from "valibot";
import { element } from "./_common.ts";

/** `<acls>` (any content). */
export const AclsSchema = element("acls", v.looseObject({}));
export type AclsOut = v.InferOutput<typeof AclsSchema>;

/** Tags whose subtree the structural walk does not enter. */
export const opaqueTags: ReadonlySet<string> = new Set(["acls"]);
