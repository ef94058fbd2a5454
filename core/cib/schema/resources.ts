/**
 * Resources: `primitive`, `template`, `group`, `clone`, `master` (the pre-2.0 promotable
 * clone), `operations` and `op`; bundles are in `bundle.ts`. Also the values of the remote and
 * guest node settings (`remote-node`, `remote-port`, ... meta attributes; the `server`, `port`,
 * `reconnect_interval` parameters of `ocf:pacemaker:remote`).
 */
import * as v from "valibot";
import {
  Bool,
  Duration,
  element,
  Id,
  oneOf,
  Port,
  requireAny,
  requireUnless,
  requireWhen,
  Role,
  Str,
} from "./_common.ts";

/** `<primitive id class provider type template>`: class and type unless a template is named. */
export const PrimitiveSchema = element(
  "primitive",
  v.pipe(
    v.looseObject({
      id: Id,
      class: v.optional(Str),
      provider: v.optional(Str),
      type: v.optional(Str),
      template: v.optional(Id),
      description: v.optional(Str),
    }),
    requireUnless("template", ["class", "type"]),
    requireWhen("class", "ocf", ["provider"]),
  ),
);

/** `<template id class provider type>`. */
export const TemplateSchema = element(
  "template",
  v.pipe(
    v.looseObject({ id: Id, class: Str, provider: v.optional(Str), type: Str, description: v.optional(Str) }),
    requireWhen("class", "ocf", ["provider"]),
  ),
);

const containerAttrs = v.looseObject({ id: Id, description: v.optional(Str) });

/** `<group id>`. */
export const GroupSchema = element("group", containerAttrs);
/** `<clone id>`. */
export const CloneSchema = element("clone", containerAttrs);
/** `<master id>` (promotable clone, schemas before 3.0). */
export const MasterSchema = element("master", containerAttrs);

/** `<operations id>` or `<operations id-ref>`. */
export const OperationsSchema = element(
  "operations",
  v.looseObject({ id: v.optional(Id), "id-ref": v.optional(Id) }),
);

/** `<op id name interval timeout ...>` (or `<op id-ref>`). */
export const OpSchema = element(
  "op",
  v.pipe(
    v.looseObject({
      id: v.optional(Id),
      "id-ref": v.optional(Id),
      name: v.optional(Str),
      interval: v.optional(Duration),
      timeout: v.optional(Duration),
      "start-delay": v.optional(Duration),
      "interval-origin": v.optional(Str),
      enabled: v.optional(Bool),
      "record-pending": v.optional(Bool),
      role: v.optional(Role),
      requires: v.optional(oneOf(["nothing", "quorum", "fencing", "unfencing"])),
      "on-fail": v.optional(
        oneOf(["ignore", "block", "stop", "restart", "standby", "fence", "restart-container", "demote"]),
      ),
      description: v.optional(Str),
    }),
    requireAny(["id", "id-ref"]),
    v.check(
      (a) => a["id-ref"] !== undefined || (a.name !== undefined && a.interval !== undefined),
      'the attributes "name" and "interval" (or "id-ref")',
    ),
  ),
);

export type PrimitiveOut = v.InferOutput<typeof PrimitiveSchema>;
export type TemplateOut = v.InferOutput<typeof TemplateSchema>;
export type GroupOut = v.InferOutput<typeof GroupSchema>;
export type CloneOut = v.InferOutput<typeof CloneSchema>;
export type MasterOut = v.InferOutput<typeof MasterSchema>;
export type OperationsOut = v.InferOutput<typeof OperationsSchema>;
export type OpOut = v.InferOutput<typeof OpSchema>;

/** The guest node meta attributes of a primitive (values as strings). */
export const GuestNodeMetaSchema = v.looseObject({
  "remote-node": Str,
  "remote-addr": v.optional(Str),
  "remote-port": v.optional(Port),
  "remote-connect-timeout": v.optional(Duration),
  "remote-allow-migrate": v.optional(Bool),
});
export type GuestNodeMetaOut = v.InferOutput<typeof GuestNodeMetaSchema>;

/** The parameters of an `ocf:pacemaker:remote` connection primitive. */
export const RemoteConnectionSchema = v.looseObject({
  server: v.optional(Str),
  port: v.optional(Port),
  reconnect_interval: v.optional(Duration),
});
export type RemoteConnectionOut = v.InferOutput<typeof RemoteConnectionSchema>;

/** Value forms of well-known meta attributes (checked on each `meta_attributes` nvpair). */
export const metaValueSchemas: Readonly<Record<string, v.GenericSchema<string>>> = {
  "remote-port": Port,
  "remote-connect-timeout": Duration,
  "remote-allow-migrate": Bool,
};

/** Value forms of the `ocf:pacemaker:remote` parameters (checked on its `instance_attributes`). */
export const remoteParamSchemas: Readonly<Record<string, v.GenericSchema<string>>> = {
  port: Port,
  reconnect_interval: Duration,
};

/** The schemas of this area by tag. */
export const resourceSchemas = {
  primitive: PrimitiveSchema,
  template: TemplateSchema,
  group: GroupSchema,
  clone: CloneSchema,
  master: MasterSchema,
  operations: OperationsSchema,
  op: OpSchema,
} as const;
