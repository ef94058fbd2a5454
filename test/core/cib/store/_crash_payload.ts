/** Shared by the crash writer and its test: the CIB text each version is written with. */
import type { CibVersion } from "../../../../core/cib/model.ts";

/** The version after `v`: num_updates + 1, with an epoch bump every 10th write. */
export function nextVersion(v: CibVersion | null): CibVersion {
  if (v === null) return { adminEpoch: 0, epoch: 1, numUpdates: 0 };
  if ((v.numUpdates + 1) % 10 === 0) return { adminEpoch: v.adminEpoch, epoch: v.epoch + 1, numUpdates: 0 };
  return { adminEpoch: v.adminEpoch, epoch: v.epoch, numUpdates: v.numUpdates + 1 };
}

/** A CIB of 1 to ~300 KB whose every byte depends on the version. */
export function payload(v: CibVersion): string {
  const tag = `${v.adminEpoch}.${v.epoch}.${v.numUpdates}`;
  const n = ((v.epoch * 131 + v.numUpdates * 7919) % 3000) + 10;
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`<nvpair id="p${i}-${tag}" name="n${i}" value="${tag}:${(i * 2654435761) % 1000003}"/>`);
  return `<cib admin_epoch="${v.adminEpoch}" epoch="${v.epoch}" num_updates="${v.numUpdates}"><configuration><crm_config><cluster_property_set id="s">${parts.join("")}</cluster_property_set></crm_config></configuration><status/></cib>\n`;
}
