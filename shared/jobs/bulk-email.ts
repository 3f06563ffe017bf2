import * as z from '@serverless-jobs/runtime/zod';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import { emailAddress, hasBody, messageContent } from '#shared/jobs/email-fields';
import { sendEmailJob } from '#shared/jobs/send-email';
import { BULK_EMAIL } from '#shared/jobs/job-names';

export const bulkEmailJob = defineJob({
  name: BULK_EMAIL,
  description: 'Fans a list of recipients out into one send-email job each, with deterministic job IDs.',
  payload: z
    .strictObject({ recipients: z.array(emailAddress).check(z.minLength(1), z.maxLength(5000)), ...messageContent })
    .check(z.refine(hasBody, { message: 'needs a text or an html body', path: ['text'] })),
  timeoutSeconds: 120,
  memoryMb: 256,
  batchSize: 1,
  maxConcurrency: 2,
  retry: { attempts: 4, backoff: { type: 'exponential', delaySeconds: 30, maxDelaySeconds: 900, jitter: 0.2 } },
  resources: { enqueues: [sendEmailJob] },
});
