/**
 * CIB version triples (admin_epoch, epoch, num_updates): checking, ordering and the
 * `admin.epoch.num` text form Pacemaker prints.
 *
 * @example
 * ```ts
 * compareVersions(parseVersion("0.5.3"), { adminEpoch: 0, epoch: 6, numUpdates: 0 }); // -1
 * ```
 */
import { quote } from "../../errors.ts";
import type { CibVersion } from "../model.ts";

/** `admin.epoch.num`, e.g. `0.5.3`. */
export function formatVersion(v: CibVersion): string {
  return `${v.adminEpoch}.${v.epoch}.${v.numUpdates}`;
}

function isCount(n: unknown): n is number {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

/** Throw a TypeError unless `v` is a version of three non-negative safe integers; `what` names it. */
export function checkVersion(v: unknown, what: string): CibVersion {
  const o = v as Partial<CibVersion> | null;
  if (typeof o !== "object" || o === null || !isCount(o.adminEpoch) || !isCount(o.epoch) || !isCount(o.numUpdates)) {
    throw new TypeError(`Cannot use ${what} ${quote(v)}: expected {adminEpoch, epoch, numUpdates} of non-negative integers`);
  }
  return { adminEpoch: o.adminEpoch, epoch: o.epoch, numUpdates: o.numUpdates };
}

/** Parse `admin.epoch.num`; throws SyntaxError. */
export function parseVersion(text: string): CibVersion {
  const m = /^(\d{1,15})\.(\d{1,15})\.(\d{1,15})$/.exec(text);
  if (!m) throw new SyntaxError(`Cannot parse CIB version ${quote(text)}: expected admin_epoch.epoch.num_updates`);
  return { adminEpoch: Number(m[1]), epoch: Number(m[2]), numUpdates: Number(m[3]) };
}

/** Order versions as Pacemaker does: admin_epoch, then epoch, then num_updates. */
export function compareVersions(a: CibVersion, b: CibVersion): -1 | 0 | 1 {
  const d = a.adminEpoch - b.adminEpoch || a.epoch - b.epoch || a.numUpdates - b.numUpdates;
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

/** True when both are null or equal versions. */
export function sameVersion(a: CibVersion | null, b: CibVersion | null): boolean {
  if (a === null || b === null) return a === b;
  return compareVersions(a, b) === 0;
}
