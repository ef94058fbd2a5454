/**
 * `atrium cib export --xml-file F [--format xml|json]`: read a CIB, parse it into the model and
 * write it back from the model: pretty XML (the default), or the model tree as JSON. Exit 66
 * when the file cannot be read, 65 when it is not a well-formed CIB (the message names the
 * file, line and column).
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command, CommandIo } from "../_command.ts";
import { Exit } from "../_command.ts";
import { formatOptions, parseCommandArgs } from "../../core/cli/parse_args.ts";
import { parseCib, serializeCib } from "../../core/cib/codec.ts";
import { XmlSyntaxError } from "../../core/cib/xml.ts";
import { quote } from "../../core/errors.ts";

const OPTIONS = {
  "xml-file": { type: "string", short: "x", description: "The CIB file to read" },
  format: {
    type: "string",
    default: "xml",
    description: "Output format: xml (pretty, the default) or json (the model tree)",
  },
  help: { type: "boolean", short: "h", description: "Show this help" },
} as const;

const USAGE = `Usage: atrium cib export --xml-file FILE [--format xml|json]\n\n` +
  `Parse a CIB into Atrium's model and write it back from the model.\n\n${formatOptions(OPTIONS)}\n`;

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs(args, OPTIONS, {
    command: "atrium cib export",
    allowPositionals: false,
  });
  if (values.help === true) {
    io.stdout(USAGE);
    return Exit.OK;
  }
  const file = values["xml-file"];
  if (file === undefined || file === "") {
    io.stderr(`atrium cib export: missing --xml-file FILE\n\n${USAGE}`);
    return Exit.USAGE;
  }
  const format = values.format ?? "xml";
  if (format !== "xml" && format !== "json") {
    io.stderr(`atrium cib export: Cannot use format ${quote(format)}: expected "xml" or "json"\n`);
    return Exit.USAGE;
  }
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), "utf8");
  } catch (e) {
    const code = (e as { code?: string }).code ?? (e instanceof Error ? e.message : String(e));
    io.stderr(`atrium cib export: Cannot read CIB file ${quote(file)}: ${code}\n`);
    return Exit.NOINPUT;
  }
  try {
    const cib = parseCib(text, { fileName: file });
    io.stdout(format === "json" ? JSON.stringify(cib, null, 2) + "\n" : serializeCib(cib, { pretty: true }));
    return Exit.OK;
  } catch (e) {
    if (e instanceof XmlSyntaxError) {
      io.stderr(`atrium cib export: ${e.message}\n`);
      return Exit.DATAERR;
    }
    throw e;
  }
}

/** `atrium cib export`. */
export const cibExportCommand: Command = {
  path: ["cib", "export"],
  summary: "Parse a CIB file and write it back from the model (XML or JSON)",
  run,
};
