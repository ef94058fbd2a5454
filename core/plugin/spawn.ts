/**
 * The shared process runner offered to plugins: runs an agent in its own process group,
 * kills the whole group on timeout or abort (SIGTERM, then SIGKILL), caps output.
 * @module
 */
export {
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_OUTPUT_CAP_BYTES,
  groupAlive,
  killGroup,
  runProcess,
  type RunProcessOptions,
  type RunProcessResult,
} from "../executor/spawn.ts";
