import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildExecResult, buildRequest, parseRequest, parseServerMessage, parseXml, RemoteMessageError, serializeXml,
} from "../../../core/remote/mod.ts";

const CAPTURES = join(import.meta.dirname ?? ".", "../../../../shared/reference/captures");
const haveCaptures = existsSync(CAPTURES);
if (!haveCaptures) console.log(`skipping capture tests: ${CAPTURES} is absent`);

describe("xml", () => {
  it("round-trips attributes in order with escaping", () => {
    const x = parseXml(`<?xml version="1.0"?><a z="1" b="&lt;&amp;&quot;&#10;x"><c/><!-- c --><d e='f'></d></a>`);
    expect([...x.attrs.keys()]).toEqual(["z", "b"]);
    expect(x.attrs.get("b")).toBe('<&"\nx');
    expect(serializeXml(x)).toBe('<a z="1" b="&lt;&amp;&quot;&#10;x"><c/><d e="f"/></a>');
  });
  it("refuses DOCTYPE, bad nesting, bare ampersands and deep documents", () => {
    expect(() => parseXml(`<!DOCTYPE a [<!ENTITY x "y">]><a/>`)).toThrow(/DOCTYPE/);
    expect(() => parseXml(`<a><b></a>`)).toThrow(/does not match/);
    expect(() => parseXml(`<a x="&"/>`)).toThrow(/bare "&"/);
    expect(() => parseXml("<a>".repeat(100) + "</a>".repeat(100))).toThrow(/deeper than 32/);
    expect(() => parseXml(`<a/><b/>`)).toThrow(/after the root/);
  });
  it("skips comments, CDATA and processing instructions, and names the unterminated one with its offset", () => {
    const x = parseXml(`<?pi a?><!-- c --><a><?pi?><![CDATA[<b/>]]><!-- <c/> --><d/></a><!-- end -->`);
    expect(x.children.map((c) => c.name)).toEqual(["d"]);
    expect(() => parseXml(`<?xml version="1.0"`)).toThrow("Cannot parse XML: unterminated processing instruction at offset 0");
    expect(() => parseXml(`<!-- x`)).toThrow("Cannot parse XML: unterminated comment at offset 0");
    expect(() => parseXml(`<a><!-- x</a>`)).toThrow("Cannot parse XML: unterminated comment at offset 3");
    expect(() => parseXml(`<a><![CDATA[x</a>`)).toThrow("Cannot parse XML: unterminated CDATA section at offset 3");
    expect(() => parseXml(`<a><?pi </a>`)).toThrow("Cannot parse XML: unterminated processing instruction at offset 3");
  });
});

describe("requests", () => {
  it("builds the exec request the real client sends", () => {
    const x = buildRequest({
      op: "lrmd_rsc_exec",
      exec: { rscId: "probe-dummy", action: "start", intervalMs: 0, timeoutMs: 20000, startDelayMs: 0, userdata: "u", params: { state: "/tmp/s", "1x": "digit" } },
    }, { token: "T", timeoutMs: 20000 });
    expect(serializeXml(x)).toBe(
      '<lrmd_command __name__="lrmd_command" t="lrmd" lrmd_async_id="T" lrmd_op="lrmd_rsc_exec" lrmd_timeout="20000" lrmd_callopt="0">' +
        '<lrmd_calldata><lrmd_rsc lrmd_origin="lrmd_api_exec" lrmd_rsc_id="probe-dummy" lrmd_rsc_action="start" lrmd_rsc_userdata_str="u" lrmd_rsc_interval="0" lrmd_timeout="20000" lrmd_rsc_start_delay="0">' +
        '<attributes state="/tmp/s"><param name="1x" value="digit"/></attributes></lrmd_rsc></lrmd_calldata></lrmd_command>',
    );
    const back = parseRequest(parseXml(serializeXml(x)));
    expect(back.op).toBe("lrmd_rsc_exec");
    if (back.op === "lrmd_rsc_exec") expect(back.exec.params).toEqual({ state: "/tmp/s", "1x": "digit" });
  });
  it("rejects bad fields with the rc to answer", () => {
    const bad = (xml: string) => {
      try {
        parseRequest(parseXml(xml));
      } catch (e) {
        return e as RemoteMessageError;
      }
      throw new Error("accepted");
    };
    expect(bad(`<lrmd_command lrmd_op="lrmd_rsc_exec" lrmd_remote_msg_id="3"><lrmd_calldata><lrmd_rsc lrmd_rsc_id="a" lrmd_rsc_action="start" lrmd_rsc_interval="soon"/></lrmd_calldata></lrmd_command>`).message)
      .toMatch(/attribute "lrmd_rsc_interval" is "soon", expected an integer/);
    expect(bad(`<lrmd_command lrmd_op="lrmd_rsc_exec"><lrmd_calldata><lrmd_rsc lrmd_rsc_action="start"/></lrmd_calldata></lrmd_command>`).rc).toBe(-22);
    expect(bad(`<lrmd_command lrmd_op="lrmd_rsc_info"><lrmd_calldata><lrmd_rsc/></lrmd_calldata></lrmd_command>`).rc).toBe(-19);
    expect(bad(`<lrmd_command lrmd_op="lrmd_rsc_cancel"><lrmd_calldata><lrmd_rsc lrmd_rsc_id="a" lrmd_rsc_action="monitor" lrmd_rsc_interval="-5"/></lrmd_calldata></lrmd_command>`).message)
      .toMatch(/expected 0\.\.4294967295/);
    expect(bad(`<cib/>`).message).toMatch(/expected <lrmd_command>/);
    expect(bad(`<lrmd_ipc_proxy lrmd_op="ipc_fwd" lrmd_ipc_op="bogus"/>`).message).toMatch(/not one of/);
  });
  it("keeps unknown operations as such", () => {
    expect(parseRequest(parseXml(`<lrmd_command lrmd_op="lrmd_bogus_op" lrmd_remote_msg_id="18"/>`))).toMatchObject({ op: "unknown", name: "lrmd_bogus_op", msgId: 18 });
  });
});

describe.runIf(haveCaptures)("captured traffic of the real daemon and client", () => {
  const dirs = haveCaptures ? readdirSync(CAPTURES).filter((d) => !d.includes(".")) : [];
  it("parses every captured message with the validating parsers", () => {
    let n = 0;
    for (const d of dirs) {
      for (const f of readdirSync(join(CAPTURES, d)).filter((f) => f.endsWith(".xml"))) {
        const x = parseXml(readFileSync(join(CAPTURES, d, f), "utf8"));
        if (f.includes("-c2s-")) {
          const r = parseRequest(x);
          expect(r.op === "unknown" ? r.name : r.op).toBe(x.attrs.get("lrmd_op"));
        } else {
          const m = parseServerMessage(x);
          expect(m.kind).not.toBe("other");
        }
        n++;
      }
    }
    expect(n).toBeGreaterThan(100);
  });
  it("rebuilds a captured completion notify byte for byte", () => {
    const f = join(CAPTURES, "e2e-dummy/012-s2c-notify-lrmd_rsc_exec.xml");
    const text = readFileSync(f, "utf8");
    const m = parseServerMessage(parseXml(text));
    if (m.kind !== "exec_result") throw new Error("not a result");
    const x = buildExecResult(m.result);
    x.attrs.set("lrmd_remote_msg_id", "0");
    x.attrs.set("lrmd_remote_msg_type", "notify");
    expect(serializeXml(x)).toBe(text.trim());
  });
});
