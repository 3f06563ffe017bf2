import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { envelopeMessage, SqsJobQueue } from '@serverless-jobs/runtime/adapters';
import { chunk } from '@serverless-jobs/runtime/runtime';
import { type FairnessPolicy, fairnessKeyOf, type JobDeclaration, messageGroupOf } from '@serverless-jobs/runtime/jobs';
import type { Clock } from '@serverless-jobs/runtime/runtime';
import type { OutgoingJob } from '@serverless-jobs/runtime/runtime';
import { describeIssues } from '@serverless-jobs/runtime/runtime';
import * as z from '@serverless-jobs/runtime/zod';
import { OpsInputError } from './errors.ts';
import type { ScheduleControl, SendEntry, SendResult } from './ops-types.ts';

/** SQS's longest DelaySeconds; anything later goes through a one-time schedule. */
export const MAX_SQS_DELAY_SECONDS = 900;
/** The longest delay accepted: a year, far more than any job here needs. */
export const MAX_DELAY_SECONDS = 366 * 24 * 3600;
const ID_PATTERN = /^[^\u0000-\u001f\u007f]{1,512}$/;
/** Invalid entries named in one error; the count of the rest follows. */
const SHOWN_PROBLEMS = 5;

export interface JobSenderOptions {
  readonly sqs: SQSClient;
  readonly clock: Clock;
  readonly schedules: ScheduleControl;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  /** Called after each batch with the entries handled so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Why a payload's fairness key cannot be one, if it cannot. */
function keyError(policy: FairnessPolicy, payload: unknown): string | undefined {
  try {
    fairnessKeyOf(policy, payload);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Every problem of every entry, `entry 2: field "orderId": … (given "a b")`; empty when all are valid. A lone entry
 * (`send --data`) has no number to name: `field "orderId": …`.
 */
export function entryProblems(job: JobDeclaration, entries: readonly SendEntry[]): string[] {
  const problems: string[] = [];
  entries.forEach((entry, index) => {
    const where = entries.length === 1 ? '' : `entry ${index + 1}: `;
    const parsed = z.safeParse(job.payload, entry.payload);
    if (!parsed.success) problems.push(`${where}${describeIssues(parsed.error.issues, entry.payload)}`);
    if (entry.id !== undefined && !ID_PATTERN.test(entry.id)) {
      problems.push(
        `${where}field "id": must be 1-512 characters without control characters (given ` +
          `${JSON.stringify(entry.id.slice(0, 80))})`,
      );
    }
    const keyProblem = job.fairness && keyError(job.fairness, entry.payload);
    if (keyProblem) problems.push(`${where}${keyProblem}`);
    const delay = entry.delaySeconds;
    if (delay !== undefined && (!Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_SECONDS)) {
      problems.push(
        `${where}field "delaySeconds": must be a whole number from 0 to ${MAX_DELAY_SECONDS} (given ${delay})`,
      );
    }
  });
  return problems;
}

/**
 * Validates every entry first and sends nothing if one is invalid; then sends in SQS batches of 10
 * (DelaySeconds up to 900 s) and creates a one-time schedule for each entry delayed longer.
 */
export async function sendJobs(
  job: JobDeclaration,
  entries: readonly SendEntry[],
  options: JobSenderOptions,
): Promise<SendResult> {
  if (entries.length === 0) throw new OpsInputError(`send ${job.name}: nothing to send (given 0 entries)`);
  const problems = entryProblems(job, entries);
  if (problems.length > 0) {
    const more = problems.length > SHOWN_PROBLEMS ? `; and ${problems.length - SHOWN_PROBLEMS} more` : '';
    const count = entries.length === 1 ? '' : `, ${problems.length} invalid`;
    throw new OpsInputError(
      `send ${job.name}: nothing sent${count}: ${problems.slice(0, SHOWN_PROBLEMS).join('; ')}${more}`,
    );
  }
  const outgoing: OutgoingJob[] = entries.map((entry) => ({
    id: entry.id ?? randomUUID(),
    payload: entry.payload,
    delaySeconds: entry.delaySeconds,
    messageGroupId: messageGroupOf(job, entry.payload),
  }));
  const now = () => options.clock.now();
  const queue = new SqsJobQueue(options.sqs, {
    ownQueueUrl: options.queueUrl,
    deadLetterQueueUrl: options.dlqUrl,
    queueUrlOf: () => options.queueUrl,
    now,
  });
  const direct = outgoing.filter((entry) => (entry.delaySeconds ?? 0) <= MAX_SQS_DELAY_SECONDS);
  const later = outgoing.filter((entry) => (entry.delaySeconds ?? 0) > MAX_SQS_DELAY_SECONDS);
  let done = 0;
  for (const group of chunk(direct, 10)) {
    await queue.send(job.name, group);
    done += group.length;
    options.onProgress?.(done, outgoing.length);
  }
  const scheduled: string[] = [];
  for (const entry of later) {
    const at = new Date(now() + (entry.delaySeconds ?? 0) * 1000);
    const { body } = envelopeMessage(job.name, { id: entry.id, payload: entry.payload }, at.getTime());
    scheduled.push(await options.schedules.sendAt(job.name, body, at));
    options.onProgress?.(++done, outgoing.length);
  }
  return { job: job.name, ids: outgoing.map((entry) => entry.id), queued: direct.length, scheduled };
}
