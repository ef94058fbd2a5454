import { describe, expect, it } from "vitest";
import {
  cibVersion,
  compareCibVersions,
  formatCibVersion,
  parseCib,
  parseCibVersion,
  serializeCib,
  withVersion,
} from "../../../core/cib/codec.ts";
import { XmlSyntaxError } from "../../../core/cib/xml.ts";

describe("parseCib()", () => {
  it("parseCib() returns the tree as written, filling nothing in", () => {
    const cib = parseCib(`<cib epoch="2"><configuration><nodes/></configuration></cib>`);
    expect(cib).toEqual({
      tag: "cib",
      attrs: { epoch: "2" },
      children: [{ tag: "configuration", attrs: {}, children: [{ tag: "nodes", attrs: {}, children: [] }] }],
    });
  });

  it("parseCib() rejects a root other than cib", () => {
    expect(() => parseCib(`<configuration/>`, { fileName: "x.xml" })).toThrow(XmlSyntaxError);
    expect(() => parseCib(`<configuration/>`)).toThrow(/expected root element "cib", got "configuration"/);
  });

  it("serializeCib() writes pretty XML by default and compact on request", () => {
    const cib = parseCib(`<cib epoch="2"><configuration/></cib>`);
    expect(serializeCib(cib)).toBe(`<cib epoch="2">\n  <configuration/>\n</cib>\n`);
    expect(serializeCib(cib, { pretty: false })).toBe(`<cib epoch="2"><configuration/></cib>`);
  });
});

describe("cibVersion()", () => {
  it("cibVersion() counts missing counters as 0", () => {
    expect(cibVersion(parseCib(`<cib epoch="5"/>`))).toEqual({ adminEpoch: 0, epoch: 5, numUpdates: 0 });
    expect(cibVersion(parseCib(`<cib admin_epoch="1" epoch="2" num_updates="3"/>`))).toEqual({
      adminEpoch: 1,
      epoch: 2,
      numUpdates: 3,
    });
  });

  it.each([["epoch", "x"], ["num_updates", "-1"], ["admin_epoch", "1.5"], ["epoch", ""]])(
    "cibVersion() rejects %s=%j with a SyntaxError naming attribute and value",
    (attr, value) => {
      const cib = parseCib(`<cib ${attr}="${value}"/>`);
      expect(() => cibVersion(cib)).toThrow(SyntaxError);
      expect(() => cibVersion(cib)).toThrow(
        `Cannot parse CIB ${attr} "${value}": expected a non-negative integer`,
      );
    },
  );

  it("withVersion() sets counters in place, appends missing ones and shares children", () => {
    const cib = parseCib(`<cib epoch="1" validate-with="pacemaker-3.0"><configuration/></cib>`);
    const next = withVersion(cib, { adminEpoch: 0, epoch: 9, numUpdates: 2 });
    expect(Object.keys(next.attrs)).toEqual(["epoch", "validate-with", "admin_epoch", "num_updates"]);
    expect(cibVersion(next)).toEqual({ adminEpoch: 0, epoch: 9, numUpdates: 2 });
    expect(next.children).toBe(cib.children);
    expect(cib.attrs.epoch).toBe("1");
    expect(() => withVersion(cib, { adminEpoch: 0, epoch: -1, numUpdates: 0 })).toThrow(RangeError);
    expect(() => withVersion(cib, { adminEpoch: 0, epoch: 1.5, numUpdates: 0 })).toThrow(RangeError);
  });

  it("compareCibVersions() orders by admin_epoch, epoch, num_updates", () => {
    const v = (a: number, e: number, n: number) => ({ adminEpoch: a, epoch: e, numUpdates: n });
    expect(compareCibVersions(v(0, 2, 0), v(0, 1, 9))).toBeGreaterThan(0);
    expect(compareCibVersions(v(0, 2, 0), v(1, 0, 0))).toBeLessThan(0);
    expect(compareCibVersions(v(1, 2, 3), v(1, 2, 3))).toBe(0);
    expect(formatCibVersion(v(0, 5, 2))).toBe("0.5.2");
    expect(parseCibVersion("0.5.2")).toEqual(v(0, 5, 2));
    expect(() => parseCibVersion("0.5")).toThrow(SyntaxError);
  });
});
