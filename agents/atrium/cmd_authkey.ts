/**
 * `atrium authkey generate [--bytes 4096] [--out F] [--force]`: write a random Pacemaker
 * remote authkey (mode 0600). Refuses to overwrite unless `--force`; never prints the key.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import process from "node:process";
import { dirname, resolve } from "node:path";
import { type Command, Exit } from "../_command.ts";
import { formatOptions, parseCommandArgs } from "../../core/cli/parse_args.ts";
import { DEFAULT_AUTHKEY } from "../../core/remote/authkey.ts";

const OPTIONS = {
  bytes: { type: "string", description: "Key length in bytes (default 4096, as the Pacemaker tutorials)" },
  out: { type: "string", short: "o", description: `Where to write it (default ${DEFAULT_AUTHKEY})` },
  force: { type: "boolean", description: "Replace an existing file" },
  help: { type: "boolean", short: "h", description: "Show this help" },
} as const;

/** Fill `n` random bytes (getRandomValues takes at most 65,536 at a time). */
export function randomKey(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

export const authkeyGenerateCommand: Command = {
  path: ["authkey", "generate"],
  summary: "Write a random Pacemaker remote authkey (mode 0600)",
  run(args, io) {
    const { values } = parseCommandArgs(args, OPTIONS, { command: "atrium authkey generate", allowPositionals: false });
    if (values.help) {
      io.stdout(`Usage: atrium authkey generate [--bytes N] [--out FILE] [--force]\n\n${formatOptions(OPTIONS)}\n`);
      return Promise.resolve(Exit.OK);
    }
    const bytesText = values.bytes ?? "4096";
    if (!/^[0-9]+$/.test(bytesText) || Number(bytesText) < 1 || Number(bytesText) > 1048576) {
      io.stderr(`atrium authkey generate: Cannot use --bytes "${bytesText}": expected an integer 1..1048576\n`);
      return Promise.resolve(Exit.USAGE);
    }
    const n = Number(bytesText);
    const out = resolve(io.cwd, values.out ?? DEFAULT_AUTHKEY);
    if (existsSync(out) && !values.force) {
      io.stderr(`atrium authkey generate: Cannot write "${out}": the file exists (use --force to replace it)\n`);
      return Promise.resolve(Exit.ERROR);
    }
    const key = randomKey(n);
    const tmp = `${out}.tmp-${process.pid}-${Date.now()}`;
    try {
      mkdirSync(dirname(out), { recursive: true, mode: 0o750 });
      // Create with 0600 from the start, then move into place (atomic replace with --force).
      const fd = openSync(tmp, "wx", 0o600);
      try {
        let off = 0;
        while (off < key.length) off += writeSync(fd, key, off, key.length - off);
      } finally {
        closeSync(fd);
      }
      if (!values.force && existsSync(out)) throw Object.assign(new Error("the file appeared meanwhile"), { code: "EEXIST" });
      renameSync(tmp, out);
    } catch (e) {
      try {
        if (existsSync(tmp)) unlinkSync(tmp);
      } catch { /* ignore */ }
      io.stderr(`atrium authkey generate: Cannot write "${out}": ${(e as Error).message}\n`);
      return Promise.resolve(Exit.ERROR);
    } finally {
      key.fill(0);
    }
    io.stdout(`Wrote a ${n}-byte key to ${out} (mode 0600). Copy it to every cluster and remote node.\n`);
    return Promise.resolve(Exit.OK);
  },
};
