import * as z from '@serverless-jobs/runtime/zod';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import { orderId } from '#shared/domain/order';
import { domainTables } from '#shared/domain/tables';
import { sendEmailJob } from '#shared/jobs/send-email';
import { PROCESS_ORDER } from '#shared/jobs/job-names';

export const processOrderJob = defineJob({
  name: PROCESS_ORDER,
  description: 'Moves an order from PENDING to PROCESSED with the run, then e-mails its confirmation.',
  payload: z.strictObject({ orderId }),
  timeoutSeconds: 30,
  memoryMb: 256,
  batchSize: 10,
  maxConcurrency: 5,
  retry: { attempts: 5, backoff: { type: 'exponential', delaySeconds: 10, maxDelaySeconds: 600, jitter: 0.2 } },
  resources: { tables: [{ table: domainTables.orders, access: ['read', 'write'] }], enqueues: [sendEmailJob] },
});
