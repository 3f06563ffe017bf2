import { z } from 'zod';
import { defineJob } from '#shared/jobs/define-job';

export const processOrderJob = defineJob({
  name: 'process-order',
  description: 'Moves an order from PENDING to PROCESSED with the run, then e-mails its confirmation.',
  payload: z.object({ orderId: z.string().min(1).max(128).regex(/^[\w-]+$/, 'must be letters, digits, _ or -') }).strict(),
  timeoutSeconds: 30,
  memoryMb: 256,
  batchSize: 10,
  maxConcurrency: 5,
  retry: { attempts: 5, backoff: { type: 'exponential', delaySeconds: 10, maxDelaySeconds: 600, jitter: 0.2 } },
  resources: { tables: ['orders'], enqueues: ['send-email'] },
});
