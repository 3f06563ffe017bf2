import { messageGroupOf } from '../jobs/fairness.ts';
import type { CatchUpPolicy, DstGapPolicy, JobDeclaration } from '../jobs/job-declaration.ts';
import { durationMs } from '../runtime/duration.ts';
import type { ScheduledOccurrence } from '../runtime/run-ledger.ts';

/** One schedule as the watchdog and backfill see it: plain data, carried to the watchdog in its environment. */
export interface WatchedSchedule {
  readonly job: string;
  readonly schedule: string;
  readonly expression: string;
  readonly timeZone: string;
  readonly dstGap: DstGapPolicy;
  readonly catchUp: CatchUpPolicy;
  readonly lateAfter: string;
  readonly payload: unknown;
  /** The job's run retention: a PENDING or SKIPPED marker expires with the runs. */
  readonly ledgerRetentionDays: number;
  /** The payload's key where the job declares fairness: catch-up and backfill send in its group. */
  readonly messageGroupId?: string;
}

const optionalGroup = (group: string | undefined): { messageGroupId?: string } =>
  group === undefined ? {} : { messageGroupId: group };

/** Every schedule of `jobs` (the watchdog's own excepted, by the caller), after cdk.json overrides. */
export function watchedSchedules(jobs: readonly JobDeclaration[]): WatchedSchedule[] {
  return jobs.flatMap((job) =>
    job.schedules.map((s) => ({
      job: job.name,
      schedule: s.name,
      expression: s.expression,
      timeZone: s.timeZone,
      dstGap: s.dstGap,
      catchUp: s.catchUp,
      lateAfter: s.lateAfter,
      payload: s.payload,
      ledgerRetentionDays: job.ledgerRetentionDays,
      ...optionalGroup(messageGroupOf(job, s.payload)),
    })),
  );
}

export const lateAfterMs = (s: WatchedSchedule): number => durationMs(s.lateAfter) ?? 300_000;
export const catchUpWindowMs = (s: WatchedSchedule): number => durationMs(s.catchUp.window) ?? 0;

export const occurrenceOf = (s: WatchedSchedule, time: string): ScheduledOccurrence => ({
  schedule: s.schedule,
  time,
  timeZone: s.timeZone,
});
