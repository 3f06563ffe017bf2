import { occurrenceJobId } from '#shared/runtime/envelope';
import type { OutgoingJob } from '#shared/runtime/job-queue';
import { DAY_MS } from '#shared/runtime/runtime-deps';
import type { OccurrenceLedger } from '#shared/schedules/occurrence-ledger';
import { occurrenceOf, type WatchedSchedule } from '#shared/schedules/watched-schedule';

export interface OccurrenceSender {
  readonly ledger: OccurrenceLedger;
  /** Sends to the job's queue (SqsJobQueue.send). */
  readonly send: (job: string, jobs: readonly OutgoingJob[]) => Promise<void>;
}

/**
 * Enqueues one occurrence of `s` at most once: a PENDING run is written first, only where the occurrence has
 * none, and only then is the message sent, with the occurrence's own time in its job ID. Returns whether it
 * was sent; false when the occurrence already has a run (it ran, runs, was skipped, or was enqueued before).
 * A send that fails takes its PENDING run back, so the next watchdog check or backfill enqueues the occurrence
 * again; the error is thrown on. Only a sender that dies between the two steps leaves the occurrence PENDING.
 */
export async function enqueueOccurrence(sender: OccurrenceSender, s: WatchedSchedule, time: string, reason: string, now: number): Promise<boolean> {
  const occurrence = occurrenceOf(s, time);
  const marker = { now, reason, expiresAt: now + s.ledgerRetentionDays * DAY_MS };
  const marked = await sender.ledger.markPending(s.job, occurrence, marker);
  if (!marked) return false;
  try {
    await sender.send(s.job, [{ id: occurrenceJobId(s.schedule, time), payload: s.payload, occurrence, waitTurn: true }]);
  } catch (error) {
    await sender.ledger.unmarkPending(s.job, occurrence, marker).catch((unmarkError: unknown) => {
      throw new AggregateError([error, unmarkError], `${s.job}: sending ${occurrence.schedule}@${time} failed, and its PENDING run stays in the ledger: ${String(unmarkError)}`);
    });
    throw error;
  }
  return true;
}
