import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  compareFeatureSet, digestOfParameters, escapeDigestValue, filterForDigest, isFencingParam, opDigest, operationDigests,
} from "../../../core/cib/op_digest.ts";

const EMPTY = "f2317cad3d54cec5d7d7aa7d0bf35cf8";
const md5 = (s: string): string => createHash("md5").update(s).digest("hex");

describe("digestOfParameters()", () => {
  it("gives Pacemaker's digest of the empty parameter set", () => {
    expect(digestOfParameters({})).toBe(EMPTY);
    expect(opDigest({}, 0, 20000)).toBe(EMPTY);
  });

  it("hashes the sorted <parameters/> element with a leading space and trailing newline", () => {
    expect(digestOfParameters({ b: "2", a: "1" })).toBe(md5(' <parameters a="1" b="2"/>\n'));
    expect(digestOfParameters(new Map([["b", "2"], ["a", "1"]]))).toBe(digestOfParameters({ a: "1", b: "2" }));
  });

  it("reproduces a recorded op-digest (corpus novell-239087, Filesystem fs_1)", () => {
    expect(digestOfParameters({ fstype: "reiserfs", directory: "/mnt/share1", device: "/dev/drbd0" }))
      .toBe("e38fc095cd72534897b21e24a8484122");
  });
});

describe("escapeDigestValue()", () => {
  it("escapes markup, quotes, tabs and line breaks as Pacemaker does", () => {
    expect(escapeDigestValue(`a<b>&"'`)).toBe("a&lt;b&gt;&amp;&quot;&apos;");
    expect(escapeDigestValue("x\ty\nz\r")).toBe("x    y\\nz\\r");
    expect(escapeDigestValue("\u0001\u007f")).toBe("\\001\\177");
  });

  it("copies the rest verbatim from the first multi-byte character on", () => {
    expect(escapeDigestValue("<é<")).toBe("&lt;é<");
  });
});

describe("filterForDigest()", () => {
  it("drops meta-attributes and bookkeeping attributes, keeping the timeout of recurring ops", () => {
    const rec = filterForDigest(new Map([["ip", "1"], ["CRM_meta_interval", "10000"], ["CRM_meta_timeout", "20000"],
      ["CRM_meta_name", "monitor"], ["crm_feature_set", "3.0"], ["pcmk_external_ip", "x"]]));
    expect([...rec]).toEqual([["ip", "1"], ["CRM_meta_timeout", "20000"]]);
    const once = filterForDigest(new Map([["ip", "1"], ["CRM_meta_interval", "0"], ["CRM_meta_timeout", "20000"]]));
    expect([...once]).toEqual([["ip", "1"]]);
  });

  it("reproduces a recurring op-digest with its timeout (corpus group-dependents, start-delay 10s)", () => {
    // The controller recorded timeout + start-delay (15s + 10s).
    expect(opDigest({}, 1000, 25000)).toBe("0ad0b2a2266d4bea9b5308241154336d");
    expect(opDigest({}, 1000, 15000)).not.toBe("0ad0b2a2266d4bea9b5308241154336d");
  });
});

describe("operationDigests()", () => {
  it("reproduces op-digest and op-restart-digest with op-force-restart (corpus cancel-behind-moving-remote)", () => {
    const d = operationDigests({ params: { reconnect_interval: "60", server: "172.17.1.67" }, intervalMs: 0,
      timeoutMs: 60000, secureParams: "", forceRestart: "  server  ", featureSet: "3.4.1" });
    expect(d.all).toBe("90f91ffc0e5f5b76991055c3501e646f");
    expect(d.restart).toBe("adac0b64b4daabca849bc8fc952aed7f");
  });

  it("gives the empty restart digest when no listed parameter is set (corpus params-4)", () => {
    const d = operationDigests({ params: { ip: "127.0.0.20" }, intervalMs: 0, timeoutMs: 20000, forceRestart: " dummy " });
    expect(d.restart).toBe(EMPTY);
    expect(d.all).toBe(digestOfParameters({ ip: "127.0.0.20" }));
  });

  it("reproduces an old-style secure digest of a fencing device (corpus bundle-order-fencing)", () => {
    const params = { action: "reboot", ipaddr: "172.16.0.1", ipport: "6230", lanplus: "true", login: "admin",
      passwd: "password", pcmk_host_list: "controller-1", privlvl: "administrator" };
    const d = operationDigests({ params, intervalMs: 0, timeoutMs: 20000, secureParams: " passwd  password ",
      featureSet: "3.0.12", fencing: true });
    expect(d.all).toBe("bc0ef483fd42598086833dcc7d9d16a0");
    expect(d.secure).toBe("dd2f06ba4e4b068af99defcb12eeac50");
  });

  it("keeps every parameter for restart when no op-force-restart is recorded", () => {
    const d = operationDigests({ params: { a: "1" }, intervalMs: 0, timeoutMs: 20000 });
    expect(d.restart).toBe(d.all);
  });

  it("lets the op's own parameters override the resource's", () => {
    const d = operationDigests({ params: { a: "1", b: "2" }, opParams: { a: "9" }, intervalMs: 0, timeoutMs: 1 });
    expect(d.all).toBe(digestOfParameters({ a: "9", b: "2" }));
  });

  it("removes private parameters from the secure digest (current feature sets keep the timeout)", () => {
    const d = operationDigests({ params: { user: "u", passwd: "p", ip: "x" }, intervalMs: 5000, timeoutMs: 30000,
      featureSet: "3.16.0" });
    expect(d.secure).toBe(digestOfParameters({ ip: "x", CRM_meta_timeout: "30000" }));
    const old = operationDigests({ params: { user: "u", passwd: "p", ip: "x" }, intervalMs: 5000, timeoutMs: 30000,
      featureSet: "3.0.10" });
    expect(old.secure).toBe(digestOfParameters({ ip: "x" }));
  });
});

describe("helpers", () => {
  it("recognizes Pacemaker's fencing parameters", () => {
    for (const n of ["pcmk_host_list", "pcmk_reboot_action", "pcmk_monitor_timeout", "pcmk_off_retries", "provides", "stonith-timeout"]) {
      expect(isFencingParam(n)).toBe(true);
    }
    for (const n of ["pcmk_foo", "ipaddr", "pcmk_reboot_delay", "passwd"]) expect(isFencingParam(n)).toBe(false);
  });

  it("compares feature sets numerically", () => {
    expect(compareFeatureSet("3.0.12", "3.16.0")).toBeLessThan(0);
    expect(compareFeatureSet("3.16.0", "3.16")).toBe(0);
    expect(compareFeatureSet("3.17.4", "3.16.0")).toBeGreaterThan(0);
  });
});
