import { type DstNote, occurrencesBetween } from '@serverless-jobs/runtime/cron';
import { parseScheduleSyntax } from '@serverless-jobs/runtime/cron';
import { occurrenceJobId } from '@serverless-jobs/runtime/contracts';
import type { RunStatus } from '@serverless-jobs/runtime/runtime';
import { enqueueOccurrence, type OccurrenceSender } from '@serverless-jobs/runtime/schedules';
import { occurrenceTime } from '@serverless-jobs/runtime/schedules';
import type { WatchedSchedule } from '@serverless-jobs/runtime/schedules';
import { OpsInputError } from './errors.ts';

/** More than this many occurrences in one backfill is refused: narrow the range. */
export const MAX_BACKFILL = 1000;

export interface BackfillRange {
  readonly from: Date;
  readonly to: Date;
  readonly dryRun?: boolean;
}

export interface BackfilledOccurrence {
  readonly schedule: string;
  readonly id: string;
  readonly time: string;
  readonly dst?: DstNote;
  /** `enqueued` now, `would enqueue` in a dry run, or `exists`: the ledger has a run for it (with its status). */
  readonly result: 'enqueued' | 'would enqueue' | 'exists';
  readonly status?: RunStatus;
}

export interface BackfillResult {
  readonly job: string;
  readonly dryRun: boolean;
  readonly occurrences: readonly BackfilledOccurrence[];
}

/**
 * Every occurrence of the schedules in [from, to] (a past range), each enqueued at most once with its
 * deterministic job ID `<schedule>@<time>`: an occurrence with a run in the ledger, or one enqueued by an
 * earlier backfill, is left alone, so running it twice adds nothing. A DST gap follows the schedule's
 * `dstGap`; a rate schedule counts from its newest occurrence in the ledger.
 */
export async function backfill(
  schedules: readonly WatchedSchedule[],
  sender: OccurrenceSender,
  range: BackfillRange,
  now: number,
): Promise<BackfillResult> {
  const { from, to } = range;
  if (!(from.getTime() < to.getTime()))
    throw new OpsInputError(`--from must be before --to (given ${from.toISOString()} and ${to.toISOString()})`);
  if (to.getTime() > now)
    throw new OpsInputError(
      `--to must not be in the future: a backfill enqueues past occurrences (given ` +
        `${to.toISOString()}, now ${new Date(now).toISOString()})`,
    );
  const perSchedule = await Promise.all(
    schedules.map(async (s) => {
      const anchor = parseScheduleSyntax(s.expression).kind === 'rate' ? await rateAnchor(s, sender) : undefined;
      const spec = { expression: s.expression, timeZone: s.timeZone, dstGap: s.dstGap, anchor };
      const found = occurrencesBetween(spec, new Date(from.getTime() - 1), to, MAX_BACKFILL + 1).filter(
        (o) => o.dst !== 'gap-skipped',
      );
      return found.map((o) => ({ s, time: occurrenceTime(o.at.getTime()), dst: o.dst }));
    }),
  );
  const planned = perSchedule.flat();
  const job = schedules[0]?.job ?? '';
  if (planned.length > MAX_BACKFILL) {
    throw new OpsInputError(
      `${job}: the range holds more than ${MAX_BACKFILL} occurrences; narrow --from/--to (given ` +
        `${from.toISOString()} to ${to.toISOString()})`,
    );
  }
  const existing = await sender.ledger.records(
    job,
    planned.map((p) => occurrenceJobId(p.s.schedule, p.time)),
  );
  const occurrences: BackfilledOccurrence[] = [];
  for (const { s, time, dst } of planned) {
    const id = occurrenceJobId(s.schedule, time);
    const base = { schedule: s.schedule, id, time, ...(dst ? { dst } : {}) };
    const record = existing.get(id);
    if (record) {
      occurrences.push({ ...base, result: 'exists', status: record.status });
    } else if (range.dryRun) {
      occurrences.push({ ...base, result: 'would enqueue' });
    } else {
      const sent = await enqueueOccurrence(
        sender,
        s,
        time,
        `backfill ${from.toISOString()} to ${to.toISOString()}`,
        now,
      );
      occurrences.push({ ...base, result: sent ? 'enqueued' : 'exists' });
    }
  }
  return { job, dryRun: range.dryRun ?? false, occurrences };
}

/**
 * A rate's occurrences lie on the grid AWS anchored at the schedule's start, which only the runs show: its
 * newest occurrence in the ledger. Counting from `--from` instead would give IDs the real runs never had.
 */
async function rateAnchor(s: WatchedSchedule, sender: OccurrenceSender): Promise<Date> {
  const newest = await sender.ledger.latestOccurrence(s.job, s.schedule);
  if (newest === undefined) {
    throw new OpsInputError(
      `${s.job}/${s.schedule}: ${s.expression} has no occurrence in the ledger to count from, so its ` +
        `occurrence times are unknown; send the jobs with jobs send instead`,
    );
  }
  return new Date(newest);
}
