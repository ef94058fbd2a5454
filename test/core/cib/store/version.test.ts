import { describe, expect, it } from "vitest";
import { checkVersion, compareVersions, formatVersion, parseVersion, sameVersion } from "../../../../core/cib/store/version.ts";

describe("CIB versions", () => {
  it("parses and formats admin_epoch.epoch.num_updates", () => {
    expect(parseVersion("1.22.333")).toEqual({ adminEpoch: 1, epoch: 22, numUpdates: 333 });
    expect(formatVersion({ adminEpoch: 0, epoch: 5, numUpdates: 3 })).toBe("0.5.3");
    for (const bad of ["", "1.2", "1.2.3.4", "a.b.c", "-1.0.0", "1.2.3 "]) {
      expect(() => parseVersion(bad)).toThrow(SyntaxError);
    }
    expect(() => parseVersion("x")).toThrow('Cannot parse CIB version "x": expected admin_epoch.epoch.num_updates');
  });

  it("orders by admin_epoch, then epoch, then num_updates", () => {
    const v = parseVersion;
    expect(compareVersions(v("1.0.0"), v("0.99.99"))).toBe(1);
    expect(compareVersions(v("0.5.9"), v("0.6.0"))).toBe(-1);
    expect(compareVersions(v("0.5.3"), v("0.5.3"))).toBe(0);
    expect(sameVersion(null, null)).toBe(true);
    expect(sameVersion(v("0.0.0"), null)).toBe(false);
  });

  it("checks version objects", () => {
    expect(checkVersion({ adminEpoch: 0, epoch: 1, numUpdates: 2, extra: 1 }, "v")).toEqual({ adminEpoch: 0, epoch: 1, numUpdates: 2 });
    expect(() => checkVersion({ adminEpoch: 0, epoch: 1 }, "next CIB version")).toThrow(/Cannot use next CIB version/);
    expect(() => checkVersion({ adminEpoch: 0, epoch: 1, numUpdates: 2 ** 53 }, "v")).toThrow(TypeError);
  });
});
