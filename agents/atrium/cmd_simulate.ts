import { readFileSync, writeFileSync, renameSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "../_command.ts";
import { Exit } from "../_command.ts";
import { parseCommandArgs, formatOptions } from "../../core/cli/parse_args.ts";
import { parseCib, serializeCib } from "../../core/cib/codec.ts";
import { schedule } from "../../core/scheduler/mod.ts";
import { toConformance } from "../../core/scheduler/conformance.ts";
import { applyTransition } from "../../core/scheduler/apply.ts";
import { formatExplain, formatScores, formatStatus, formatSummary } from "../../core/scheduler/text_output.ts";

const OPTIONS = {
  "xml-file": { type: "string", short: "x", description: "CIB to simulate (a file with configuration and status)" },
  json: { type: "boolean", description: "Print the conformance JSON (summary, final, nodes) only" },
  "show-scores": { type: "boolean", short: "s", description: "Print allocation scores" },
  "save-output": { type: "string", short: "O", description: "Write the CIB as it is after the transition to this file" },
  now: { type: "string", short: "t", description: "Effective time (ISO 8601); empty: the CIB's execution-date, else the clock" },
  explain: { type: "string", description: "Print the score contributions of this resource per node" },
  help: { type: "boolean", short: "h", description: "Show this help" },
} as const;

/** `atrium simulate`: run the scheduler on a CIB file and show what it would do (like crm_simulate -S). */
export const simulateCommand: Command = {
  path: ["simulate"],
  summary: "Show what the scheduler decides for a CIB file (like crm_simulate -S)",
  run(args, io) {
    const { values } = parseCommandArgs(args, OPTIONS, { command: "atrium simulate", allowPositionals: false });
    if (values.help) {
      io.stdout(`Usage: atrium simulate --xml-file FILE [OPTIONS]\n\n${formatOptions(OPTIONS)}\n`);
      return Promise.resolve(Exit.OK);
    }
    const file = values["xml-file"];
    if (!file) {
      io.stderr(`atrium simulate: missing --xml-file FILE\n`);
      return Promise.resolve(Exit.USAGE);
    }
    let text: string;
    try {
      text = readFileSync(resolve(io.cwd, file), "utf8");
    } catch (e) {
      io.stderr(`atrium simulate: Cannot read CIB file "${file}": ${(e as Error).message}\n`);
      return Promise.resolve(Exit.NOINPUT);
    }
    const cib = parseCib(text, { fileName: file });
    const now = values.now;
    const t = schedule(cib, now ? { now } : {});
    if (values.json) {
      io.stdout(JSON.stringify(toConformance(t), null, 1) + "\n");
    } else {
      io.stdout(formatStatus("Current cluster status", t.nodesBefore, t.current) + "\n");
      if (values["show-scores"]) io.stdout(formatScores(t) + "\n");
      io.stdout(formatSummary(t) + "\n");
      io.stdout(formatStatus("Revised Cluster Status", t.nodes, t.placement));
    }
    if (values.explain !== undefined) {
      const ex = formatExplain(t, values.explain);
      if (ex === undefined) {
        io.stderr(`atrium simulate: Cannot explain resource "${values.explain}": no such resource\n`);
        return Promise.resolve(Exit.DATAERR);
      }
      if (!values.json) io.stdout("\n" + ex); else io.stderr(ex);
    }
    if (values["save-output"]) {
      const out = resolve(io.cwd, values["save-output"]);
      writeFileSync(out + ".tmp", serializeCib(applyTransition(cib, t)));
      renameSync(out + ".tmp", out);
    }
    return Promise.resolve(Exit.OK);
  },
};
