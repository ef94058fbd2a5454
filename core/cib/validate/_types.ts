/** The finding type shared by every check (re-exported from `mod.ts`). */

/** `error`: the configuration is wrong; `warning`: it works but may not do what is meant. */
export type Severity = "error" | "warning";

/** One problem found in a CIB. */
export interface Finding {
  readonly severity: Severity;
  /** Stable SCREAMING_SNAKE code, e.g. `DUPLICATE_ID`. */
  readonly code: string;
  /** XPath-like location: `/cib/configuration/resources/primitive[@id='X']/...`. */
  readonly location: string;
  /** The offending value as written, or null when the problem is a missing thing. */
  readonly value: string | null;
  /** What was expected instead. */
  readonly expected: string;
  /** One sentence, sentence case, no trailing period. */
  readonly message: string;
}
