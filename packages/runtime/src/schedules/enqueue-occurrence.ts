import { occurrenceJobId } from '../contracts/envelope.ts';
import type { OutgoingJob } from '../runtime/job-queue.ts';
import { DAY_MS } from '../runtime/runtime-deps.ts';
import type { OccurrenceLedger } from './occurrence-ledger.ts';
import { occurrenceOf, type WatchedSchedule } from './watched-schedule.ts';

export interface OccurrenceSender {
  readonly ledger: OccurrenceLedger;
  /** Sends to the job's queue (SqsJobQueue.send). */
  readonly send: (job: string, jobs: readonly OutgoingJob[]) => Promise<void>;
  /**
   * The clock the runs in the ledger are stamped with, for the PENDING run's times. On AWS it is the schedules'
   * clock too; npm start's virtual clock may run ahead of it. @default the schedules' `now`
   */
  readonly recordedAt?: () => number;
}

/**
 * Enqueues one occurrence of `s` at most once: a PENDING run is written first, only where the occurrence has
 * none, and only then is the message sent, with the occurrence's own time in its job ID. Returns whether it
 * was sent; false when the occurrence already has a run (it ran, runs, was skipped, or was enqueued before).
 * A send that fails takes its PENDING run back, so the next watchdog check or backfill enqueues the occurrence
 * again, and throws an error that names the occurrence and the send's error. The occurrence stays PENDING only
 * when taking the run back fails too (the error says so), or when the sender dies between the two steps.
 */
export async function enqueueOccurrence(
  sender: OccurrenceSender,
  s: WatchedSchedule,
  time: string,
  reason: string,
  now: number,
): Promise<boolean> {
  const occurrence = occurrenceOf(s, time);
  const stamped = sender.recordedAt?.() ?? now;
  const marker = { now: stamped, reason, expiresAt: stamped + s.ledgerRetentionDays * DAY_MS };
  const marked = await sender.ledger.markPending(s.job, occurrence, marker);
  if (!marked) return false;
  const id = occurrenceJobId(s.schedule, time);
  try {
    await sender.send(s.job, [
      { id, payload: s.payload, occurrence, waitTurn: true, messageGroupId: s.messageGroupId },
    ]);
  } catch (error) {
    const failed = `${s.job}: sending ${id} failed: ${String(error)}`;
    try {
      await sender.ledger.unmarkPending(s.job, occurrence, marker);
    } catch (unmarkError) {
      throw new AggregateError(
        [error, unmarkError],
        `${failed}; taking back its PENDING run failed too, so it stays PENDING: ${String(unmarkError)}`,
      );
    }
    throw new Error(`${failed} (its PENDING run was taken back, so it can be enqueued again)`, { cause: error });
  }
  return true;
}
