import type { EmailSender } from '#shared/domain/email';
import type { PayloadOf } from '@serverless-jobs/runtime/jobs';
import type { sendEmailJob } from '#shared/jobs/send-email';
import type { JobContext } from '@serverless-jobs/runtime/runtime';

export type SendEmailPayload = PayloadOf<typeof sendEmailJob>;

/** Sends one e-mail; the run ledger makes a redelivery of the same job ID a no-op. */
export async function sendEmail(payload: SendEmailPayload, ctx: JobContext, sender: EmailSender): Promise<void> {
  const { messageId } = await sender.send(payload);
  ctx.logger.debug('E-mail sent', { messageId, to: payload.to });
}
