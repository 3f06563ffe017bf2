import type { bulkEmailJob } from '#shared/jobs/bulk-email';
import type { PayloadOf } from '@serverless-jobs/runtime/jobs';
import type { JobContext } from '@serverless-jobs/runtime/runtime';

export type BulkEmailPayload = PayloadOf<typeof bulkEmailJob>;

/** The send-email job ID of one recipient: the same on every retry, so nobody is e-mailed twice. */
export function recipientJobId(bulkJobId: string, recipient: string): string {
  return `${bulkJobId}/${recipient.trim().toLowerCase()}`;
}

/** One send-email job per distinct recipient, sent 10 to an SQS batch. */
export async function fanOut(payload: BulkEmailPayload, ctx: JobContext): Promise<void> {
  const { recipients, ...message } = payload;
  const jobs = new Map<string, { id: string; payload: unknown }>();
  for (const to of recipients) {
    const id = recipientJobId(ctx.jobId, to);
    if (!jobs.has(id)) jobs.set(id, { id, payload: { ...message, to } });
  }
  await ctx.enqueueMany('send-email', [...jobs.values()]);
  ctx.logger.info('Bulk e-mail fanned out', { recipients: recipients.length, jobs: jobs.size });
}
