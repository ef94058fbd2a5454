/**
 * The child of crash.node_only.test.ts (bundled to .mjs by the test): opens the FileStore in
 * argv[2], keeping argv[3] versions, and writes versions in a loop, printing "ready X" once
 * open and "ack X" after each write resolved, until it is killed.
 */
import process from "node:process";
import { FileStore } from "../../../../core/cib/store/mod.ts";
import { formatVersion } from "../../../../core/cib/store/version.ts";
import { nextVersion, payload } from "./_crash_payload.ts";

async function main(): Promise<void> {
  const store = await FileStore.open(process.argv[2]!, { keep: Number(process.argv[3] ?? 5) });
  let cur = (await store.read())?.version ?? null;
  process.stdout.write(`ready ${cur ? formatVersion(cur) : "-"}\n`);
  for (;;) {
    const next = nextVersion(cur);
    await store.write(payload(next), { expected: cur, next });
    process.stdout.write(`ack ${formatVersion(next)}\n`);
    cur = next;
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(3);
});
