import * as z from '../runtime/zod-mini.ts';
import { defineJob } from '../jobs/define-job.ts';
import type { JobDeclaration } from '../jobs/job-declaration.ts';

export const SCHEDULE_WATCHDOG = 'schedule-watchdog';

/**
 * The watchdog of every other job's schedules: every 5 minutes it compares each
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
    schedules: [
      {
        name: 'every-5-minutes',
        expression: 'rate(5 minutes)',
        payload: {},
        overlap: 'skip',
        catchUp: { window: '5m', mode: 'none' },
      },
    ],
    resources: { enqueues: watched.filter((job) => job.schedules.length > 0) },
  });
}

/**
 * The app's jobs and the framework's own: the schedule watchdog joins when any job has a schedule. The CDK
 * constructs, the CLI and the local dashboard all list jobs through this, so the watchdog is declared once.
 */
export function withScheduleWatchdog(jobs: readonly JobDeclaration[]): readonly JobDeclaration[] {
  return jobs.some((job) => job.schedules.length > 0) ? [...jobs, defineScheduleWatchdog(jobs)] : jobs;
}
