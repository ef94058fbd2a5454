/**
 * The netns launcher's pure logic: parameter validation, derived names, configuration, handle
 * reading, /proc/PID/stat parsing. No root needed; runs on Node and Deno.
 */
import { describe, expect, it } from "vitest";
import { conformance, type GuestHandle, isAtriumError, type PluginDefinition } from "../../../core/plugin/mod.ts";
import netnsPlugin, {
  DEFAULT_STATE_DIR,
  defaultBridgeAddress,
  defaultRemotedCommand,
  hostVethName,
  netnsName,
  parseGuestParams,
  parseIpv4Cidr,
  parseNetnsConfig,
  readGuestState,
} from "../../../plugins/netns/mod.ts";
import { parseProcStat } from "../../../plugins/netns/_proc.ts";

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return isAtriumError(e) ? e.code : (e as Error).name;
  }
  return "no error";
}

describe("parseGuestParams()", () => {
  it("fills in the bridge, the .254 bridge address and port 3121", () => {
    const p = parseGuestParams({ address: "10.214.0.11/24" });
    expect(p.address).toEqual({ address: "10.214.0.11", prefix: 24 });
    expect(p.bridge).toBe("atrium0");
    expect(p.bridgeAddress).toEqual({ address: "10.214.0.254", prefix: 24 });
    expect(p.port).toBe(3121);
    expect(p.remotedCommand).toBeUndefined();
  });

  it("takes bridge, bridge_address, port and remoted_command", () => {
    const p = parseGuestParams({
      address: "192.168.7.5/16",
      bridge: "br-x.1",
      bridge_address: "192.168.0.1/16",
      port: "4000",
      remoted_command: `["/bin/sleep","5"]`,
    });
    expect(p.bridge).toBe("br-x.1");
    expect(p.bridgeAddress.address).toBe("192.168.0.1");
    expect(p.port).toBe(4000);
    expect(p.remotedCommand).toEqual(["/bin/sleep", "5"]);
  });

  it("refuses bad addresses with LAUNCHER_BAD_PARAMS and says which value", () => {
    for (const address of ["", "10.214.0.11", "10.214.0.300/24", "10.214.0.11/33", "10.214.0.0/24", "10.214.0.255/24", "127.0.0.2/8", "fe80::1/64", "010.1.1.1/24", "1.2.3.4/24; rm -rf /"]) {
      expect(code(() => parseGuestParams({ address }))).toBe("LAUNCHER_BAD_PARAMS");
    }
    expect(code(() => parseGuestParams({}))).toBe("LAUNCHER_BAD_PARAMS");
    try {
      parseGuestParams({ address: "10.214.0.300/24" });
    } catch (e) {
      expect((e as Error).message).toBe(`Cannot use address "10.214.0.300/24": expected an IPv4 address with a prefix length, e.g. 10.214.0.11/24`);
    }
  });

  it("refuses other bad parameters", () => {
    const base = { address: "10.214.0.11/24" };
    expect(code(() => parseGuestParams({ ...base, bridge: "much-too-long-bridge" }))).toBe("LAUNCHER_BAD_PARAMS");
    expect(code(() => parseGuestParams({ ...base, bridge: "a/b" }))).toBe("LAUNCHER_BAD_PARAMS");
    expect(code(() => parseGuestParams({ ...base, bridge_address: "10.215.0.1/24" }))).toBe("LAUNCHER_BAD_PARAMS");
    expect(code(() => parseGuestParams({ ...base, bridge_address: "10.214.0.11/24" }))).toBe("LAUNCHER_BAD_PARAMS");
    expect(code(() => parseGuestParams({ ...base, port: "0" }))).toBe("LAUNCHER_BAD_PARAMS");
    expect(code(() => parseGuestParams({ ...base, port: "65536" }))).toBe("LAUNCHER_BAD_PARAMS");
    expect(code(() => parseGuestParams({ ...base, port: "31x" }))).toBe("LAUNCHER_BAD_PARAMS");
    expect(code(() => parseGuestParams({ ...base, remoted_command: "atrium-remoted --port 1" }))).toBe("LAUNCHER_BAD_PARAMS");
    expect(code(() => parseGuestParams({ ...base, remoted_command: "[]" }))).toBe("LAUNCHER_BAD_PARAMS");
    expect(code(() => parseGuestParams({ ...base, remoted_command: `["a", 1]` }))).toBe("LAUNCHER_BAD_PARAMS");
    expect(code(() => parseGuestParams({ ...base, adress: "x" }))).toBe("LAUNCHER_BAD_PARAMS");
  });

  it("computes the last host address of the subnet for the bridge", () => {
    expect(defaultBridgeAddress(parseIpv4Cidr("10.214.0.11/24", "a"))).toEqual({ address: "10.214.0.254", prefix: 24 });
    expect(defaultBridgeAddress(parseIpv4Cidr("172.16.3.1/20", "a"))).toEqual({ address: "172.16.15.254", prefix: 20 });
    expect(defaultBridgeAddress(parseIpv4Cidr("10.0.0.1/30", "a"))).toEqual({ address: "10.0.0.2", prefix: 30 });
  });
});

describe("derived names", () => {
  it("keeps plain node names and bounds the namespace name", () => {
    expect(netnsName("guest1")).toBe("atrium-g-guest1");
    const long = netnsName("g".repeat(200));
    expect(long.length).toBeLessThanOrEqual(48);
    expect(long).toMatch(/^atrium-g-g+-[0-9a-f]{8}$/);
  });

  it("sanitizes names and never lets two node names share a namespace", () => {
    const a = netnsName("web/1"), b = netnsName("web_1"), c = netnsName("../x");
    expect(a).toMatch(/^atrium-g-web_1-[0-9a-f]{8}$/);
    expect(b).toBe("atrium-g-web_1");
    expect(a).not.toBe(b);
    expect(c).not.toContain("/");
    expect(() => netnsName("")).toThrow(TypeError);
  });

  it("gives 15-byte host veth names, distinct per namespace", () => {
    const a = hostVethName("atrium-guest1"), b = hostVethName("atrium-guest2");
    expect(a).toMatch(/^atv[0-9a-f]{12}$/);
    expect(a.length).toBe(15);
    expect(a).not.toBe(b);
  });
});

describe("parseNetnsConfig()", () => {
  it("gives the defaults for no configuration", () => {
    const s = parseNetnsConfig(undefined);
    expect(s.stateDir).toBe(DEFAULT_STATE_DIR);
    expect(s.remotedCommand).toBeUndefined();
    expect(s.waitForListen).toBe(true);
  });

  it("takes every field and refuses bad ones with TypeError", () => {
    const s = parseNetnsConfig({ remotedCommand: ["/x", "-v"], stateDir: "/srv/g/", waitForListen: false, commandTimeoutMs: 5000, runSize: "16m", env: { A: "1" } });
    expect(s).toEqual({ remotedCommand: ["/x", "-v"], stateDir: "/srv/g", waitForListen: false, commandTimeoutMs: 5000, runSize: "16m", env: { A: "1" } });
    for (const bad of [[], "x", { remotedCommand: [] }, { remotedCommand: "x" }, { stateDir: "rel" }, { waitForListen: 1 }, { commandTimeoutMs: 5 }, { runSize: "1m;x" }, { env: { A: 1 } }, { other: 1 }]) {
      expect(() => parseNetnsConfig(bad)).toThrow(TypeError);
    }
  });

  it("never echoes env values in its error", () => {
    expect(() => parseNetnsConfig({ env: { TOKEN: "s3cret", B: 2 } })).toThrow(/^(?!.*s3cret)/);
  });

  it("points the default command at this installation's dist/atrium-remoted.mjs", () => {
    const node = defaultRemotedCommand("node");
    expect(node).toHaveLength(2);
    expect(node[1]).toMatch(/\/dist\/atrium-remoted\.mjs$/);
    expect(defaultRemotedCommand("deno").slice(1, 3)).toEqual(["run", "-A"]);
  });

  it("is applied by the plugin's setup and undone by its teardown", async () => {
    const def: PluginDefinition = netnsPlugin;
    const teardown = await def.setup!({ stateDir: "/srv/x" }, conformance.testContext());
    expect(typeof teardown).toBe("function");
    expect(def.launchers?.[0]?.name).toBe("netns");
    await expect(def.setup!({ stateDir: 3 }, conformance.testContext())).rejects.toThrow(TypeError);
    if (teardown) await teardown();
  });
});

describe("readGuestState()", () => {
  const state = { netns: "atrium-g-g1", hostVeth: "atv0123456789ab", bridge: "atrium0", address: "10.214.0.11", prefix: 24, port: 3121, pid: 1234, startTime: "5678", stateDir: "/var/lib/atrium/guests/atrium-g-g1" };

  it("reads a handle back after a JSON round trip", () => {
    const h = JSON.parse(JSON.stringify({ launcher: "netns", resource: "c1", node: "g1", state }));
    expect(readGuestState(h)).toEqual(state);
  });

  it("refuses handles that are not this launcher's or are tampered with", () => {
    const bad = [
      { launcher: "kvm", resource: "c1", node: "g1", state },
      { launcher: "netns", resource: "c1", node: "g1", state: null },
      { launcher: "netns", resource: "c1", node: "g1", state: { ...state, netns: "../etc" } },
      { launcher: "netns", resource: "c1", node: "g1", state: { ...state, pid: 1 } },
      { launcher: "netns", resource: "c1", node: "g1", state: { ...state, stateDir: "/var/../etc" } },
      { launcher: "netns", resource: "c1", node: "g1", state: { ...state, port: "3121" } },
    ];
    for (const h of bad) expect(code(() => readGuestState(h as unknown as GuestHandle))).toBe("LAUNCHER_BAD_HANDLE");
  });
});

describe("parseProcStat()", () => {
  it("reads state, process group and start time even with odd command names", () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = "S";
    fields[2] = "777";
    fields[19] = "123456";
    expect(parseProcStat(`42 (a) b (c)) ${fields.join(" ")}`)).toEqual({ state: "S", pgid: 777, startTime: "123456" });
    expect(parseProcStat("garbage")).toBeUndefined();
  });
});

describe("guestMac()", () => {
  it("is a stable locally administered unicast address per guest", async () => {
    const { guestMac } = await import("../../../plugins/netns/_guest.ts");
    const p = parseGuestParams({ address: "10.214.0.11/24" });
    const a = guestMac("atrium-g-guest1", p);
    expect(a).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    expect(guestMac("atrium-g-guest1", p)).toBe(a);
    expect(guestMac("atrium-g-guest2", p)).not.toBe(a);
  });
});
