import { createHash } from 'node:crypto';

/**
 * What the starter hands a durable job's execution: the contract between the two functions of a durable job.
 * The same for every start of one run, so that a second start of the same name is the same execution.
 */
export interface DurableStart {
  readonly jobId: string;
  readonly payload: unknown;
  /** The execution's name, also its owner token in the ledger. */
  readonly executionName: string;
  /** ISO time the message was enqueued. */
  readonly enqueuedAt?: string;
  /** The run's X-Ray trace header. */
  readonly traceHeader?: string;
}

const NAME = /^[A-Za-z0-9_-]{1,60}$/;

/**
 * The execution's name: the job ID itself where Lambda takes it as a name (letters, digits, `-`, `_`), else
 * `sj-` and a hash of it; with `_r<n>` after it for the n-th redrive from the DLQ, since a name stays taken for
 * the closed execution's retention.
 */
export function executionName(jobId: string, redrives = 0): string {
  const base = NAME.test(jobId) ? jobId : `sj-${createHash('sha256').update(jobId).digest('hex').slice(0, 40)}`;
  return redrives > 0 ? `${base}_r${redrives}` : base;
}
