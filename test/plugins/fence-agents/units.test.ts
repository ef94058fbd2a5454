/** Unit tests of the fence-agents plugin: arguments, masking, meta-data parsing, configuration. */
import { describe, expect, it } from "vitest";
import {
  fenceAgentFeatures,
  fenceArguments,
  fenceFailureReason,
  isPacemakerFenceParam,
  maskParams,
  maskSecrets,
  parseFenceAgentsConfig,
  parseHostMap,
  parseFenceMetadata,
  renderStdin,
} from "../../../plugins/fence-agents/mod.ts";

describe("isPacemakerFenceParam", () => {
  it("matches Pacemaker's own parameters only", () => {
    for (const p of ["provides", "stonith-timeout", "pcmk_host_map", "pcmk_host_list", "pcmk_delay_max", "pcmk_reboot_action", "pcmk_off_timeout", "pcmk_on_retries", "pcmk_host_argument"]) {
      expect(isPacemakerFenceParam(p), p).toBe(true);
    }
    for (const p of ["ipaddr", "login", "pcmk_unrecognized", "xpcmk_host_map", "pcmk_host_mapx", "pcmk_a_b_action", "plug"]) {
      expect(isPacemakerFenceParam(p), p).toBe(false);
    }
  });
});

describe("fenceArguments", () => {
  const params = {
    ipaddr: "10.0.0.1",
    passwd: "s3cret",
    pcmk_host_map: "node1:1",
    pcmk_reboot_retries: "4",
    "CRM_meta_timeout": "20000",
    crm_feature_set: "3.16.2",
    action: "ignored",
  };

  it("builds action, nodename, the host argument and the device parameters", () => {
    const a = fenceArguments({ agent: "fence_x", action: "off", target: "node1", params, hostArgument: "plug" });
    expect([...a]).toEqual([
      ["action", "off"],
      ["nodename", "node1"],
      ["plug", "1"],
      ["ipaddr", "10.0.0.1"],
      ["passwd", "s3cret"],
    ]);
    expect(renderStdin(a)).toBe("action=off\nnodename=node1\nplug=1\nipaddr=10.0.0.1\npasswd=s3cret\n");
  });

  it("defaults the host argument to port and honours pcmk_host_argument, none and fixed values", () => {
    expect(fenceArguments({ agent: "fence_x", action: "on", target: "n", params: {} }).get("port")).toBe("n");
    const custom = fenceArguments({ agent: "fence_x", action: "on", target: "n", params: { pcmk_host_argument: "uuid" }, hostArgument: "plug" });
    expect(custom.get("uuid")).toBe("n");
    expect(custom.has("plug")).toBe(false);
    expect(custom.has("pcmk_host_argument")).toBe(false);
    const none = fenceArguments({ agent: "fence_x", action: "on", target: "n", params: { pcmk_host_argument: "none" } });
    expect([...none.keys()]).toEqual(["action", "nodename"]);
    const fixed = fenceArguments({ agent: "fence_x", action: "on", target: "n", params: { port: "7" } });
    expect(fixed.get("port")).toBe("7");
    const dynamic = fenceArguments({ agent: "fence_x", action: "on", target: "n", params: { port: "dynamic" } });
    expect(dynamic.get("port")).toBe("n");
  });

  it("substitutes a pcmk_<action>_action alias and omits target arguments without a target", () => {
    const a = fenceArguments({ agent: "fence_x", action: "reboot", target: "n", params: { pcmk_reboot_action: "off" } });
    expect(a.get("action")).toBe("off");
    const l = fenceArguments({ agent: "fence_x", action: "list", params: { ipaddr: "h" } });
    expect([...l]).toEqual([["action", "list"], ["ipaddr", "h"]]);
  });

  it("passes the pcmk_host_map alias as the host argument, nodename stays the node", () => {
    const a = fenceArguments({ agent: "fence_x", action: "off", target: "Node2", params: { pcmk_host_map: "node1:1;node2=2 node3:a\\:b" }, hostArgument: "plug" });
    expect([...a]).toEqual([["action", "off"], ["nodename", "Node2"], ["plug", "2"]]);
    expect([...parseHostMap("node1:1;node2=2 node3:a\\:b\tnode4:4")]).toEqual([["node1", "1"], ["node2", "2"], ["node3", "a:b"], ["node4", "4"]]);
    expect(parseHostMap("garbage").size).toBe(0);
  });

  it("passes nodeid when known", () => {
    const a = fenceArguments({ agent: "fence_x", action: "off", target: "n", targetNodeId: "3", params: {} });
    expect(a.get("nodeid")).toBe("3");
  });

  it("refuses values that would break the line protocol", () => {
    const a = fenceArguments({ agent: "fence_x", action: "off", params: { ipaddr: "h\naction=on" } });
    expect(() => renderStdin(a)).toThrow(RangeError);
    expect(() => renderStdin(new Map([["a=b", "c"]]))).toThrow(/invalid name/);
  });
});

describe("secret masking", () => {
  it("masks secret parameters and their values in text", () => {
    const p = { passwd: "hunter2", snmp_priv_passwd: "p2", api_secret: "xyz", password: "pw", login: "admin", passwd_script: "/bin/pw" };
    expect(maskParams(p)).toEqual({ passwd: "****", snmp_priv_passwd: "****", api_secret: "****", password: "****", login: "admin", passwd_script: "/bin/pw" });
    expect(maskSecrets("login admin with hunter2 failed (xyz)", p)).toBe("login admin with **** failed (****)");
  });
});

describe("fenceFailureReason", () => {
  it("takes the last error line of stderr", () => {
    expect(fenceFailureReason("noise\nERROR:root:Failed: Unable to connect\nmore\n")).toBe("ERROR:root:Failed: Unable to connect");
    expect(fenceFailureReason("just this\n")).toBe("just this");
    expect(fenceFailureReason("\n\n")).toBeUndefined();
  });
});

const XML = `<?xml version="1.0" ?>
<resource-agent name="fence_t" shortdesc="Test agent">
<parameters>
  <parameter name="action" unique="0" required="1"><content type="string" default="reboot"/></parameter>
  <parameter name="port" unique="0" required="1" deprecated="1"><content type="string"/></parameter>
  <parameter name="plug" unique="0" required="1"><content type="string"/><shortdesc lang="en">Plug</shortdesc></parameter>
  <parameter name="ipaddr" unique="0" required="1"><content type="string"/></parameter>
</parameters>
<actions>
  <action name="on" automatic="0"/>
  <action name="off"/>
  <action name="reboot" on_target="1"/>
  <action name="monitor" timeout="20s"/>
</actions>
</resource-agent>`;

describe("parseFenceMetadata", () => {
  it("reads parameters, actions and the fencer's features", () => {
    const md = parseFenceMetadata(XML, "fence_t");
    expect(md.agent).toEqual({ class: "stonith", type: "fence_t" });
    expect(md.shortdesc).toBe("Test agent");
    expect(md.parameters.map((p) => [p.name, p.required])).toEqual([["action", false], ["port", false], ["plug", false], ["ipaddr", true]]);
    expect(md.actions.find((a) => a.name === "monitor")?.timeoutMs).toBe(20_000);
    expect(md.actions.map((a) => a.name)).toEqual(["on", "off", "reboot", "monitor", "stop", "start"]);
    const f = fenceAgentFeatures(md);
    expect(f).toEqual({
      supportsList: false,
      supportsStatus: false,
      supportsReboot: true,
      supportsOn: true,
      automaticUnfencing: false,
      onTargetActions: ["reboot"],
      hostArgument: "port",
    });
  });

  it("sees automatic (and the deprecated required) unfencing", () => {
    for (const attr of ['automatic="1"', 'required="1"']) {
      const md = parseFenceMetadata(XML.replace('automatic="0"', attr), "fence_t");
      expect(fenceAgentFeatures(md).automaticUnfencing, attr).toBe(true);
    }
  });

  it("throws SyntaxError for bad XML", () => {
    expect(() => parseFenceMetadata("<resource-agent><x></resource-agent>", "fence_t")).toThrow(SyntaxError);
    expect(() => parseFenceMetadata("<other/>", "fence_t")).toThrow(/fence agent "fence_t"/);
    expect(() => parseFenceMetadata("", "fence_t")).toThrow(SyntaxError);
  });
});

describe("parseFenceAgentsConfig", () => {
  it("accepts the documented fields and names a bad one", () => {
    expect(parseFenceAgentsConfig(undefined)).toEqual({});
    expect(parseFenceAgentsConfig({ directory: "/opt/fence", retryDelayMs: 0 })).toEqual({ directory: "/opt/fence", retryDelayMs: 0 });
    expect(() => parseFenceAgentsConfig({ directory: 3 })).toThrow(/directory 3/);
    expect(() => parseFenceAgentsConfig("x")).toThrow(TypeError);
    expect(() => parseFenceAgentsConfig({ retryDelayMs: -1 })).toThrow(/retryDelayMs/);
  });
});
