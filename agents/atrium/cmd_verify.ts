/**
 * `atrium verify --xml-file F [--json]`: check a CIB as crm_verify does. Exit 0 when there is
 * nothing to report, 78 (CRM_EX_CONFIG) when there are errors or warnings, 66 when the file
 * cannot be read, 65 when it is not well-formed XML (the message gives line and column).
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command, CommandIo } from "../_command.ts";
import { Exit } from "../_command.ts";
import { formatOptions, parseCommandArgs } from "../../core/cli/parse_args.ts";
import { parseCib } from "../../core/cib/codec.ts";
import { XmlSyntaxError } from "../../core/cib/xml.ts";
import { type Finding, formatFinding, verifyCib } from "../../core/cib/validate/mod.ts";

const OPTIONS = {
  "xml-file": { type: "string", short: "x", description: "The CIB file to check" },
  json: { type: "boolean", description: "Print the findings as JSON" },
  help: { type: "boolean", short: "h", description: "Show this help" },
} as const;

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs(args, OPTIONS, { command: "atrium verify", allowPositionals: false });
  if (values.help === true) {
    io.stdout(`Usage: atrium verify --xml-file FILE [--json]\n\nCheck a CIB for configuration errors and warnings (as crm_verify does).\n\n${formatOptions(OPTIONS)}\n`);
    return Exit.OK;
  }
  const file = values["xml-file"];
  if (file === undefined || file === "") {
    io.stderr(`atrium verify: missing --xml-file FILE\n`);
    return Exit.USAGE;
  }
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), "utf8");
  } catch (e) {
    const code = (e as { code?: string }).code ?? "error";
    io.stderr(`atrium verify: Cannot read CIB file ${JSON.stringify(file)}: ${code}\n`);
    return Exit.NOINPUT;
  }
  let findings: Finding[];
  try {
    findings = verifyCib(parseCib(text, { fileName: file }));
  } catch (e) {
    if (e instanceof XmlSyntaxError || e instanceof SyntaxError) {
      const pos = e instanceof XmlSyntaxError ? ` (line ${e.line}, column ${e.column})` : "";
      const already = pos !== "" && e.message.includes(`line ${(e as XmlSyntaxError).line}`);
      io.stderr(`atrium verify: Cannot parse CIB file ${JSON.stringify(file)}: ${e.message}${already ? "" : pos}\n`);
      return Exit.DATAERR;
    }
    throw e;
  }
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.length - errors;
  if (values.json === true) {
    io.stdout(JSON.stringify({ valid: findings.length === 0, errors, warnings, findings }, null, 2) + "\n");
  } else {
    for (const f of findings) io.stdout(formatFinding(f) + "\n");
    if (errors > 0) io.stderr(`atrium verify: ${errors} error(s), ${warnings} warning(s): configuration not valid\n`);
    else if (warnings > 0) io.stderr(`atrium verify: ${warnings} warning(s): configuration may not be valid\n`);
  }
  return findings.length === 0 ? Exit.OK : Exit.CONFIG;
}

/** `atrium verify`: the CIB checker. */
export const verifyCommand: Command = {
  path: ["verify"],
  summary: "Check a CIB for configuration errors (like crm_verify)",
  run,
};
