import type { BackoffPolicy } from '../jobs/job-declaration.ts';

/** SQS refuses a visibility timeout above 12 hours. */
export const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Seconds to wait before attempt `attempt + 1`, after attempt `attempt` (1-based) failed.
 * Pure: `random` is injected, so a test can pin the jitter.
 */
export function backoffSeconds(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const max = Math.min(policy.maxDelaySeconds ?? 900, MAX_VISIBILITY_SECONDS);
  const base = policy.type === 'fixed' ? policy.delaySeconds : policy.delaySeconds * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(base, max);
  const jitter = Math.min(Math.max(policy.jitter ?? 0.2, 0), 1);
  // Jitter only shortens the wait, so the cap holds and retries of one burst spread out.
  return Math.max(0, Math.round(capped * (1 - jitter * random())));
}
