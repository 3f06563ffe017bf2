import { durationMs, formatDuration } from '@serverless-jobs/runtime/runtime';
import { OpsInputError } from './errors.ts';

export { formatDuration };

/**
 * `30s`, `15m`, `2h`, `1d`, `1w` (or a plain number of seconds) in milliseconds; `what` names the option in the error.
 */
export function parseDuration(text: string, what: string): number {
  const ms = durationMs(text);
  if (ms === undefined)
    throw new OpsInputError(`${what} must be a duration such as 30s, 15m, 2h or 1d (given "${text}")`);
  return ms;
}
