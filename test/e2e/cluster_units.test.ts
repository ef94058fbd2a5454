/**
 * The pure parts of atriumd's controller wiring, without root: quorum from the membership
 * stand-in and the implicit monitor of remote connections in the scheduler's view.
 */
import { describe, expect, it } from "vitest";
import { parseCib, serializeCib } from "../../core/cib/codec.ts";
import {
  IMPLICIT_CONNECTION_MONITOR,
  withConnectionMonitors,
  withConnectionRetry,
} from "../../agents/atriumd/_connection_monitor.ts";
import { hasQuorum, withQuorum } from "../../agents/atriumd/_membership.ts";

function cib(nodes: string, resources = "", status = ""): ReturnType<typeof parseCib> {
  return parseCib(
    `<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.9"><configuration><crm_config/>
    <nodes>${nodes}</nodes><resources>${resources}</resources><constraints/></configuration><status>${status}</status></cib>`,
  );
}
const member = (id: string) =>
  `<node_state id="${id}" uname="${id}" in_ccm="true" crmd="online" join="member" expected="member"/>`;

describe("membership stand-in: quorum", () => {
  it("has quorum alone only when it is the only cluster node", () => {
    expect(hasQuorum(cib(`<node id="n1" uname="n1"/>`, "", member("n1")))).toBe(true);
    expect(hasQuorum(cib(`<node id="n1" uname="n1"/><node id="n2" uname="n2"/>`, "", member("n1")))).toBe(
      false,
    );
    expect(hasQuorum(cib(`<node id="n1" uname="n1"/>`))).toBe(false);
    expect(hasQuorum(cib(""))).toBe(false);
  });

  it("does not count remote nodes as votes and sets have-quorum only when it changes", () => {
    const c = cib(`<node id="n1" uname="n1"/><node id="r1" uname="r1" type="remote"/>`, "", member("n1"));
    const q = withQuorum(c);
    expect(q.attrs["have-quorum"]).toBe("1");
    expect(withQuorum(q)).toBe(q);
    const lost = withQuorum(cib(`<node id="n1" uname="n1"/><node id="n2" uname="n2"/>`, "", member("n1")));
    expect(lost.attrs["have-quorum"]).toBe("0");
  });
});

describe("implicit monitor of remote connections", () => {
  const remote = (ops = "") =>
    `<primitive id="remote1" class="ocf" provider="pacemaker" type="remote">${ops}</primitive>`;
  const dummy = `<primitive id="d1" class="ocf" provider="pacemaker" type="Dummy"/>`;

  it("adds a 30 s monitor to a connection without one, and nothing else", () => {
    const c = cib(`<node id="n1" uname="n1"/>`, remote() + dummy);
    const v = serializeCib(withConnectionMonitors(c));
    expect(IMPLICIT_CONNECTION_MONITOR).toBe("30s");
    expect(v).toMatch(
      /<primitive id="remote1"[^>]*>\s*<operations>\s*<op id="remote1-monitor-interval-30s" name="monitor" interval="30s" timeout="30s"\/>/,
    );
    expect(v).toContain(`<primitive id="d1" class="ocf" provider="pacemaker" type="Dummy"/>`);
    // the stored document is untouched
    expect(serializeCib(c)).not.toContain("monitor");
  });

  it("keeps a configured monitor and returns the same document when nothing is missing", () => {
    const c = cib(
      `<node id="n1" uname="n1"/>`,
      remote(`<operations><op id="m" name="monitor" interval="5s"/></operations>`) + dummy,
    );
    expect(withConnectionMonitors(c)).toBe(c);
  });

  it("adds one beside a disabled or zero-interval monitor", () => {
    const c = cib(
      `<node id="n1" uname="n1"/>`,
      remote(
        `<operations><op id="p" name="monitor" interval="0"/><op id="m" name="monitor" interval="5s" enabled="false"/></operations>`,
      ),
    );
    const v = serializeCib(withConnectionMonitors(c));
    expect(v).toContain(`<op id="p" name="monitor" interval="0"/>`);
    expect(v).toContain(`interval="30s"`);
  });
});

describe("implicit reconnect_interval of remote connections", () => {
  it("gives a connection without reconnect_interval one of 5 s, leaving the stored document and other resources alone", () => {
    const c = cib(
      `<node id="n1" uname="n1"/>`,
      `<primitive id="remote1" class="ocf" provider="pacemaker" type="remote"><meta_attributes id="m"><nvpair id="m-ft" name="failure-timeout" value="60s"/></meta_attributes></primitive>` +
        `<primitive id="d1" class="ocf" provider="pacemaker" type="Dummy"/>`,
    );
    const v = serializeCib(withConnectionRetry(c));
    expect(v).toMatch(/<primitive id="remote1"[^]*<nvpair id="remote1-instance-implicit-reconnect-interval" name="reconnect_interval" value="5s"\/>/);
    expect(v).toContain(`<primitive id="d1" class="ocf" provider="pacemaker" type="Dummy"/>`);
    expect(serializeCib(c)).not.toContain("reconnect_interval");
  });

  it("keeps a configured reconnect_interval", () => {
    const c = cib(
      `<node id="n1" uname="n1"/>`,
      `<primitive id="remote1" class="ocf" provider="pacemaker" type="remote"><instance_attributes id="i"><nvpair id="i-ri" name="reconnect_interval" value="30s"/></instance_attributes></primitive>`,
    );
    expect(withConnectionRetry(c)).toBe(c);
  });
});
