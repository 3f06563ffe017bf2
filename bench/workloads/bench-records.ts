import type { SQSRecord } from 'aws-lambda';
import type { OutgoingEmail } from '#shared/domain/email';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

/** The text of every benchmark e-mail: a short transactional message, as send-email mostly carries. */
const TEXT =
  'Hello Ada,\n\nyour order o-1042 has shipped and should arrive on Thursday. Track it in your ' +
  'account.\n\nThanks,\nThe shop';

/** `count` send-email messages with job IDs `<prefix>-<n>`, as the event source mapping delivers them. */
export function sendEmailRecords(prefix: string, count: number, sentAt: number): SQSRecord[] {
  return Array.from({ length: count }, (_, n) => {
    const id = `${prefix}-${n}`;
    const payload: OutgoingEmail = {
      to: `customer-${n}@example.com`,
      subject: `Your order ${n} has shipped`,
      text: TEXT,
    };
    return sqsRecordFactory(
      { id, job: 'send-email', enqueuedAt: new Date(sentAt).toISOString(), payload },
      { sentAt, attributes: { jobId: id } },
    );
  });
}

/** Runs `batches` with at most `concurrency` at once, as Lambda runs a mapping's concurrent invocations. */
export async function runConcurrently<T>(
  batches: readonly T[],
  concurrency: number,
  run: (batch: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < batches.length) await run(batches[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, lane));
}
