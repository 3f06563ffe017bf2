/**
 * The exit codes of jobs-cli besides 0. `health` exits 0, 1 or 2 for Healthy, Degraded or Unhealthy
 * (`HEALTH_EXIT_CODE`), so a failure to reach any stack gets a code of its own.
 */

/** Any other error: an AWS call that failed, a stack without an output it needs. */
export const ERROR_EXIT_CODE = 1;

/** A command line that cannot work (no command among them), or a value the ops core refused: nothing was sent. */
export const USAGE_EXIT_CODE = 2;

/** Nothing to talk to: no running npm start, and (without --local) no AWS stack that could be read. */
export const UNREACHABLE_EXIT_CODE = 3;

/** `drift` found a schedule that runs otherwise than declared; as `git diff --exit-code`, for a script to act on. */
export const DRIFT_EXIT_CODE = 1;
