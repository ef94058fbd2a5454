/** Findings and helpers shared by the conformance checks. */
import { silentLogger } from "./_context.ts";
import { currentRuntime } from "../runtime.ts";
import type { AgentMetadata, ClusterEvent, PluginContext } from "./types.ts";

/** One observation: a named check that passed or failed, and why. */
export interface Finding {
  readonly check: string;
  readonly ok: boolean;
  readonly message: string;
}

/** The failed findings only. */
export function failures(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => !f.ok);
}

/** Findings as text, one per line (`PASS`/`FAIL check: message`), for test output. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.ok ? "PASS" : "FAIL"} ${f.check}: ${f.message}`).join("\n");
}

/** A context for driving a plugin outside a host: silent logger, a signal that never aborts. */
export function testContext(signal: AbortSignal = new AbortController().signal): PluginContext {
  return Object.freeze({ log: silentLogger, signal, runtime: currentRuntime() });
}

/** A collector the checks share. */
export class Findings {
  readonly list: Finding[] = [];
  pass(check: string, message: string): void {
    this.list.push({ check, ok: true, message });
  }
  fail(check: string, message: string): void {
    this.list.push({ check, ok: false, message });
  }
  expect(check: string, ok: boolean, message: string): boolean {
    this.list.push({ check, ok, message });
    return ok;
  }
  /** Run `f`; a throw or a timeout is a failure of `check`, and gives undefined. */
  async run<T>(check: string, timeoutMs: number, f: () => T | Promise<T>): Promise<{ value: T } | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not settle within ${timeoutMs}ms`)), timeoutMs);
      });
      const value = await Promise.race([Promise.resolve().then(f), timeout]);
      return { value };
    } catch (e) {
      this.fail(check, `threw: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Check that `m` looks like parsed agent metadata for `agent`. */
export function checkMetadataShape(f: Findings, check: string, m: unknown): m is AgentMetadata {
  if (typeof m !== "object" || m === null) return f.expect(check, false, `returned ${typeof m}, expected an object`);
  const md = m as Partial<AgentMetadata>;
  const problems: string[] = [];
  if (!Array.isArray(md.parameters)) problems.push("parameters is not an array");
  else if (md.parameters.some((p) => typeof p?.name !== "string" || typeof p.required !== "boolean")) {
    problems.push("a parameter lacks a string name or a boolean required");
  }
  if (!Array.isArray(md.actions)) problems.push("actions is not an array");
  else if (md.actions.some((a) => typeof a?.name !== "string")) problems.push("an action lacks a string name");
  if (md.xml !== undefined && (typeof md.xml !== "string" || !/<resource-agent[\s>]/.test(md.xml))) {
    problems.push("xml is not a <resource-agent> document");
  }
  return f.expect(check, problems.length === 0, problems.length === 0 ? "metadata parses" : problems.join("; "));
}

/** Sample events of every kind, for notifier checks. */
export function sampleEvents(): ClusterEvent[] {
  const timestamp = "2026-01-01T00:00:00.000000Z";
  return [
    { kind: "node", sequence: 1, timestamp, node: "node1", nodeId: "1", desc: "member" },
    { kind: "fencing", sequence: 2, timestamp, node: "node2", task: "reboot", rc: 0, desc: "OK" },
    {
      kind: "resource", sequence: 3, timestamp, node: "node1", resource: "rsc1", task: "monitor", interval: 10000,
      rc: 0, status: "done", desc: "ok", targetRc: 0,
    },
    { kind: "attribute", sequence: 4, timestamp, node: "node1", attribute: { name: "pingd", value: "100" } },
  ];
}
