import * as z from '#shared/runtime/zod-mini';
import { defineJob } from '#shared/jobs/define-job';
import { emailAddress, hasBody, messageContent } from '#shared/jobs/email-fields';

export const bulkEmailJob = defineJob({
  name: 'bulk-email',
  description: 'Fans a list of recipients out into one send-email job each, with deterministic job IDs.',
  payload: z
    .strictObject({ recipients: z.array(emailAddress).check(z.minLength(1), z.maxLength(5000)), ...messageContent })
    .check(z.refine(hasBody, { message: 'needs a text or an html body', path: ['text'] })),
  timeoutSeconds: 120,
  memoryMb: 256,
  batchSize: 1,
  maxConcurrency: 2,
  retry: { attempts: 4, backoff: { type: 'exponential', delaySeconds: 30, maxDelaySeconds: 900, jitter: 0.2 } },
  resources: { enqueues: ['send-email'] },
});
