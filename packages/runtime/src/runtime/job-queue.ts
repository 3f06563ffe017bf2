import type { IncomingRecord } from '../contracts/envelope.ts';
import type { ScheduledOccurrence } from './run-ledger.ts';

export interface OutgoingJob {
  readonly id: string;
  readonly payload: unknown;
  readonly delaySeconds?: number;
  readonly resume?: unknown;
  /** A scheduled occurrence (catch-up, backfill, a buffered one): the envelope names its schedule and time. */
  readonly occurrence?: ScheduledOccurrence;
  /** See JobEnvelope.waitTurn. */
  readonly waitTurn?: boolean;
  /** The X-Ray trace header the message carries (AWSTraceHeader), so the job's run joins the sender's trace. */
  readonly traceHeader?: string;
  /** The key of a job that declares `fairness` (see messageGroupOf): SQS fair queues share out by it. */
  readonly messageGroupId?: string;
}

export interface DeadLetter {
  readonly record: IncomingRecord;
  readonly jobId: string;
  readonly reason: string;
  readonly attempts: number;
  /** The fence of the DEAD record, so that a redrive of this copy may claim the run again. */
  readonly fence?: number;
  readonly at: number;
  /** The run's trace header: the copy stays in the job's trace, as a copy SQS moves keeps its AWSTraceHeader. */
  readonly traceHeader?: string;
}

export interface VisibilityChange {
  readonly receiptHandle: string;
  readonly seconds: number;
}

/** The runtime's view of SQS: its own queue, its DLQ, and the queues of the jobs it may enqueue. */
export interface JobQueue {
  /** Sends jobs in batches of 10; throws if any entry still fails after retries. */
  send(job: string, jobs: readonly OutgoingJob[]): Promise<void>;
  deadLetter(letter: DeadLetter): Promise<void>;
  changeVisibility(changes: readonly VisibilityChange[]): Promise<void>;
}
