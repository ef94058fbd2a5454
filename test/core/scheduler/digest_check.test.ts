import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCib } from "../../../core/cib/codec.ts";
import { digestOfParameters } from "../../../core/cib/op_digest.ts";
import { schedule } from "../../../core/scheduler/mod.ts";
import { cib, onlineState } from "./_fixtures.ts";

/** A primitive "a" with parameters, running on n1 with a start recorded with the given digests. */
function scenario(current: Record<string, string>, recorded: Record<string, string>,
  extra: { restartList?: string; restartDigest?: string; secureList?: string; secureDigest?: string; monitor?: string } = {}) {
  const nv = Object.entries(current).map(([k, v]) => `<nvpair id="a-${k}" name="${k}" value="${v}"/>`).join("");
  const attrs = [
    `op-digest="${digestOfParameters(recorded)}"`,
    extra.restartList !== undefined ? `op-force-restart="${extra.restartList}"` : "",
    extra.restartDigest !== undefined ? `op-restart-digest="${extra.restartDigest}"` : "",
    extra.secureList !== undefined ? `op-secure-params="${extra.secureList}"` : "",
    extra.secureDigest !== undefined ? `op-secure-digest="${extra.secureDigest}"` : "",
  ].join(" ");
  const start = `<lrm_rsc_op id="a_last_0" operation="start" interval="0" rc-code="0" op-status="0" call-id="2"
    crm_feature_set="3.16.2" transition-key="1:1:0:abc" ${attrs}/>`;
  return cib({
    nodes: ["n1", "n2"],
    resources: `<primitive id="a" class="ocf" provider="heartbeat" type="Dummy">
      <instance_attributes id="a-params">${nv}</instance_attributes>
      <meta_attributes id="a-meta"><nvpair id="a-st" name="resource-stickiness" value="100"/></meta_attributes>
      <operations><op id="a-mon" name="monitor" interval="10s" timeout="20s"/></operations></primitive>`,
    status: onlineState("1", "n1", `<lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy">${start}${extra.monitor ?? ""}</lrm_resource>`)
      + onlineState("2", "n2"),
  });
}

describe("definition changes", () => {
  it("leaves a resource alone when its digests match", () => {
    expect(schedule(scenario({ ip: "1" }, { ip: "1" })).summary).toEqual([]);
  });

  it("restarts a resource whose parameters changed and whose agent cannot reload", () => {
    expect(schedule(scenario({ ip: "2" }, { ip: "1" })).summary)
      .toEqual([{ action: "restart", resource: "a", from: "n1", to: "n1" }]);
  });

  it("reloads when only reloadable parameters changed", () => {
    const t = schedule(scenario({ ip: "1", level: "2" }, { ip: "1", level: "1" },
      { restartList: " ip ", restartDigest: digestOfParameters({ ip: "1" }) }));
    expect(t.summary).toEqual([{ action: "reload", resource: "a", from: "n1", to: "n1" }]);
  });

  it("restarts when a parameter that needs a restart changed, even if the agent can reload", () => {
    const t = schedule(scenario({ ip: "2", level: "1" }, { ip: "1", level: "1" },
      { restartList: " ip ", restartDigest: digestOfParameters({ ip: "1" }) }));
    expect(t.summary).toEqual([{ action: "restart", resource: "a", from: "n1", to: "n1" }]);
  });

  it("ignores a change to private parameters only (sanitized input)", () => {
    const t = schedule(scenario({ ip: "1", passwd: "****" }, { ip: "1", passwd: "secret" },
      { secureList: " passwd ", secureDigest: digestOfParameters({ ip: "1" }) }));
    expect(t.summary).toEqual([]);
  });

  it("does not restart for a changed recurring monitor digest (it is only rescheduled)", () => {
    const mon = `<lrm_rsc_op id="a_monitor_10000" operation="monitor" interval="10000" rc-code="0" op-status="0" call-id="3"
      transition-key="2:1:0:abc" op-digest="${digestOfParameters({ CRM_meta_timeout: "99999" })}"/>`;
    expect(schedule(scenario({}, {}, { monitor: mon })).summary).toEqual([]);
  });

  it("does not check history that a later stop closed", () => {
    const stopped = cib({
      nodes: ["n1"],
      resources: `<primitive id="a" class="ocf" provider="heartbeat" type="Dummy" >
        <instance_attributes id="a-params"><nvpair id="a-ip" name="ip" value="2"/></instance_attributes></primitive>`,
      status: onlineState("1", "n1", `<lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy">
        <lrm_rsc_op id="a_start_0" operation="start" interval="0" rc-code="0" op-status="0" call-id="2" transition-key="1:1:0:abc"
          op-digest="${digestOfParameters({ ip: "1" })}"/>
        <lrm_rsc_op id="a_last_0" operation="stop" interval="0" rc-code="0" op-status="0" call-id="3" transition-key="1:1:0:abc"
          op-digest="${digestOfParameters({ ip: "1" })}"/></lrm_resource>`),
    });
    expect(schedule(stopped).summary).toEqual([{ action: "start", resource: "a", from: null, to: "n1" }]);
  });

  it("restarts instead of reloading while a start is pending", () => {
    const pending = `<lrm_rsc_op id="a_start_0" operation="start" interval="0" rc-code="193" op-status="-1" call-id="-1"
      transition-key="3:1:0:abc" op-digest="${digestOfParameters({ ip: "1", level: "1" })}" op-force-restart=" ip "
      op-restart-digest="${digestOfParameters({ ip: "1" })}"/>`;
    const t = schedule(scenario({ ip: "1", level: "2" }, { ip: "1", level: "1" },
      { restartList: " ip ", restartDigest: digestOfParameters({ ip: "1" }), monitor: pending }));
    expect(t.summary).toEqual([{ action: "restart", resource: "a", from: "n1", to: "n1" }]);
  });

  it("leaves alone history recorded without op-digest (deliberate difference from Pacemaker)", () => {
    const c = cib({
      nodes: ["n1"],
      resources: `<primitive id="a" class="ocf" provider="heartbeat" type="Dummy">
        <instance_attributes id="a-params"><nvpair id="a-ip" name="ip" value="2"/></instance_attributes></primitive>`,
      status: onlineState("1", "n1", `<lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy">
        <lrm_rsc_op id="a_last_0" operation="start" interval="0" rc-code="0" op-status="0" call-id="2" transition-key="1:1:0:abc"/>
        </lrm_resource>`),
    });
    expect(schedule(c).summary).toEqual([]);
  });

  it("treats a #default value as unset", () => {
    expect(schedule(scenario({ ip: "1", target_role: "#default" }, { ip: "1" })).summary).toEqual([]);
  });
});

const corpus = join(import.meta.dirname, "..", "..", "..", "..", "shared", "conformance", "scheduler", "cases");
const haveCorpus = existsSync(corpus);
if (!haveCorpus) console.log(`digest_check corpus cases skipped: ${corpus} not found`);

describe.skipIf(!haveCorpus)("definition changes in the Pacemaker 2.1.5 corpus", () => {
  const run = (name: string) => {
    const c = parseCib(readFileSync(join(corpus, name, "cib.xml"), "utf8"));
    const expected = JSON.parse(readFileSync(join(corpus, name, "expected.json"), "utf8")) as { summary: unknown[] };
    return { t: schedule(c), expected };
  };
  const pick = (s: readonly unknown[]) => s.filter((e) => {
    const a = (e as { action: string }).action;
    return a === "restart" || a === "reload";
  });

  it.each(["params-1", "params-2", "params-4", "params-5", "bug-5025-1", "bug-5025-3", "remote-reconnect-delay"])(
    "%s: restarts and reloads match crm_simulate", (name) => {
      const { t, expected } = run(name);
      const sort = (x: unknown[]) => x.map((e) => JSON.stringify(e)).sort();
      expect(pick(expected.summary).length).toBeGreaterThan(0);
      expect(sort(pick(t.summary as unknown[]))).toEqual(sort(pick(expected.summary)));
    });

  it("params-0: unchanged parameters give no restart", () => {
    const { t } = run("params-0");
    expect(pick(t.summary as unknown[])).toEqual([]);
  });
});
