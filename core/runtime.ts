/** Which runtime this code runs on; the only place core/ looks at runtime globals. */
export function currentRuntime(): "node" | "deno" {
  return typeof (globalThis as { Deno?: unknown }).Deno === "object" ? "deno" : "node";
}
