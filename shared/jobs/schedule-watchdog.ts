import * as z from '#shared/runtime/zod-mini';
import { defineJob } from '#shared/jobs/define-job';
import type { JobDeclaration } from '#shared/jobs/job-declaration';

export const SCHEDULE_WATCHDOG = 'schedule-watchdog';

/**
 * The watchdog of every other job's schedules (ARCHITECTURE.md, Health): every 5 minutes it compares each
 * schedule's occurrences with the ledger, publishes MissedOccurrences, LateOccurrences, DuplicateOccurrences and
 * DstSkippedOccurrences per job, and enqueues catch-up and DST-shifted occurrences. It may enqueue exactly
 * the jobs that have schedules.
 */
export function defineScheduleWatchdog(watched: readonly JobDeclaration[]) {
  return defineJob({
    name: SCHEDULE_WATCHDOG,
    description: 'Every 5 minutes: each schedule against the run ledger (missed, late, duplicate, DST), and catch-up.',
    payload: z.strictObject({}),
    settings: z.object({
      /** An occurrence with no run this many minutes after its time is missed. */
      missedAfterMinutes: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(1440)), 10),
    }),
    timeoutSeconds: 120,
    memoryMb: 256,
    batchSize: 1,
    maxConcurrency: 2,
    retry: { attempts: 2, backoff: { type: 'fixed', delaySeconds: 30, jitter: 0.2 } },
    // Its own occurrences are not watched; one it misses is covered by the next, which checks from where it stopped.
    schedules: [{ name: 'every-5-minutes', expression: 'rate(5 minutes)', payload: {}, overlap: 'skip', catchUp: { window: '5m', mode: 'none' } }],
    resources: { enqueues: watched.filter((job) => job.schedules.length > 0).map((job) => job.name) },
  });
}
