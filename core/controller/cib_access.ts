/**
 * The adapter from the CIB service (core/cib/service) to the controller's {@link CibAccess}.
 *
 * @example
 * ```ts
 * const ctl = new Controller({ cib: cibAccess(service), scheduler, nodeName, local });
 * ```
 * @module
 */
import type { Cib } from "../cib/model.ts";
import type { CibAccess } from "./types.ts";

/** What the adapter needs from the CIB service (`CibService` satisfies it). */
export interface CibServiceLike {
  get(): Cib;
  apply(edit: (cib: Cib) => Cib): Promise<unknown>;
  onChange(listener: (event: unknown) => void): () => void;
}

/** Adapt a CIB service. */
export function cibAccess(service: CibServiceLike): CibAccess {
  return {
    get: () => service.get(),
    apply: (edit) => service.apply(edit),
    onChange: (cb) => service.onChange(() => cb()),
  };
}
