import * as z from '@serverless-jobs/runtime/zod';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import { emailAddress, hasBody, messageContent } from '#shared/jobs/email-fields';
import { SEND_EMAIL } from '#shared/jobs/job-names';

export const sendEmailJob = defineJob({
  name: SEND_EMAIL,
  description: 'Sends one e-mail through SES.',
  payload: z
    .strictObject({ to: emailAddress, replyTo: z.optional(emailAddress), ...messageContent })
    .check(z.refine(hasBody, { message: 'needs a text or an html body', path: ['text'] })),
  timeoutSeconds: 30,
  memoryMb: 256,
  batchSize: 10,
  maxConcurrency: 10,
  retry: { attempts: 5, backoff: { type: 'exponential', delaySeconds: 15, maxDelaySeconds: 900, jitter: 0.3 } },
  resources: { sendsEmail: true },
});
