/**
 * Bundles: `bundle` with one container runtime (`docker`, `podman`, `rkt`), `network` with
 * `port-mapping`s, and `storage` with `storage-mapping`s.
 */
import * as v from "valibot";
import { Bool, element, Id, NonNegInt, Port, requireAny, Str } from "./_common.ts";

/** `<bundle id description>`. */
export const BundleSchema = element("bundle", v.looseObject({ id: Id, description: v.optional(Str) }));

const runtimeAttrs = v.looseObject({
  image: Str,
  replicas: v.optional(NonNegInt),
  "replicas-per-host": v.optional(NonNegInt),
  masters: v.optional(NonNegInt),
  "promoted-max": v.optional(NonNegInt),
  "run-command": v.optional(Str),
  network: v.optional(Str),
  options: v.optional(Str),
});

/** `<docker image replicas ...>`. */
export const DockerSchema = element("docker", runtimeAttrs);
/** `<podman image replicas ...>`. */
export const PodmanSchema = element("podman", runtimeAttrs);
/** `<rkt image replicas ...>`. */
export const RktSchema = element("rkt", runtimeAttrs);

/** `<network ip-range-start control-port host-interface host-netmask add-host>`. */
export const NetworkSchema = element(
  "network",
  v.looseObject({
    "ip-range-start": v.optional(Str),
    "control-port": v.optional(Port),
    "host-interface": v.optional(Str),
    "host-netmask": v.optional(NonNegInt),
    "add-host": v.optional(Bool),
  }),
);

/** `<port-mapping id port internal-port range>`. */
export const PortMappingSchema = element(
  "port-mapping",
  v.pipe(
    v.looseObject({
      id: Id,
      port: v.optional(Port),
      "internal-port": v.optional(Port),
      range: v.optional(v.pipe(Str, v.regex(/^\s*\d+\s*-\s*\d+\s*$/, "a port range N-M"))),
    }),
    requireAny(["port", "range"]),
  ),
);

/** `<storage>`. */
export const StorageSchema = element("storage", v.looseObject({}));

/** `<storage-mapping id source-dir|source-dir-root target-dir options>`. */
export const StorageMappingSchema = element(
  "storage-mapping",
  v.pipe(
    v.looseObject({
      id: Id,
      "source-dir": v.optional(Str),
      "source-dir-root": v.optional(Str),
      "target-dir": Str,
      options: v.optional(Str),
    }),
    requireAny(["source-dir", "source-dir-root"]),
  ),
);

export type BundleOut = v.InferOutput<typeof BundleSchema>;
export type DockerOut = v.InferOutput<typeof DockerSchema>;
export type PodmanOut = v.InferOutput<typeof PodmanSchema>;
export type RktOut = v.InferOutput<typeof RktSchema>;
export type NetworkOut = v.InferOutput<typeof NetworkSchema>;
export type PortMappingOut = v.InferOutput<typeof PortMappingSchema>;
export type StorageMappingOut = v.InferOutput<typeof StorageMappingSchema>;

/** The schemas of this area by tag. */
export const bundleSchemas = {
  bundle: BundleSchema,
  docker: DockerSchema,
  podman: PodmanSchema,
  rkt: RktSchema,
  network: NetworkSchema,
  "port-mapping": PortMappingSchema,
  storage: StorageSchema,
  "storage-mapping": StorageMappingSchema,
} as const;
