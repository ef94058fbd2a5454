/**
 * The one domain error class of Atrium. Every error a caller is expected to catch and act on
 * carries a stable `code` (SCREAMING_SNAKE_CASE, never reworded once released), and, where a
 * plugin was involved, the plugin's name and the hook that failed.
 *
 * Argument and parse failures use the built-in classes (`TypeError`, `RangeError`,
 * `SyntaxError`) instead, as Deno std does. Agent and fence outcomes are results, not errors.
 *
 * @example
 * ```ts
 * throw new AtriumError("CIB_VERSION_CONFLICT", `Cannot write CIB: read version "0.5.2" is stale, current is "0.5.3"`);
 * ```
 */
export class AtriumError extends Error {
  override readonly name = "AtriumError";
  readonly code: string;
  readonly plugin?: string;
  readonly hook?: string;
  /** Structured details: a location (XPath or field path), the value, what was expected. */
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    message: string,
    options: {
      cause?: unknown;
      plugin?: string;
      hook?: string;
      details?: Record<string, unknown>;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.plugin !== undefined) this.plugin = options.plugin;
    if (options.hook !== undefined) this.hook = options.hook;
    if (options.details !== undefined) this.details = options.details;
  }
}

/** True when `e` is an {@link AtriumError}, optionally with the given code. */
export function isAtriumError(e: unknown, code?: string): e is AtriumError {
  return e instanceof AtriumError && (code === undefined || e.code === code);
}

/** Quote a value for an error message: `"x"`, with long values shortened. */
export function quote(value: unknown, max = 80): string {
  const s = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(s.length > max ? s.slice(0, max) + "…" : s);
}
