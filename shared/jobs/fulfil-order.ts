import * as z from '@serverless-jobs/runtime/zod';
import { defineCallback, defineJob } from '@serverless-jobs/runtime/jobs';
import { durationMs } from '@serverless-jobs/runtime/runtime';
import { orderId } from '#shared/domain/order';
import { domainTables } from '#shared/domain/tables';
import { sendEmailJob } from '#shared/jobs/send-email';
import { FULFIL_ORDER } from '#shared/jobs/job-names';

const duration = z.string().check(z.refine((text) => (durationMs(text) ?? 0) > 0, 'must be a duration such as 24h'));

/** What the payment callback carries: `jobs-cli callback fulfil-order <job ID> --data '{"paymentId":"…"}'`. */
export const paymentCallback = defineCallback(
  'payment',
  z.strictObject({ paymentId: z.string().check(z.minLength(1), z.maxLength(128)) }),
);

/**
 * Order fulfilment, a durable job: reserve the order, wait for its payment (a callback), then ship it and e-mail the
 * confirmation; with no payment in time, cancel it and e-mail the customer. Each step's effect happens once.
 */
export const fulfilOrderJob = defineJob({
  name: FULFIL_ORDER,
  description:
    'Reserves an order, waits up to a day for its payment, then ships it or cancels it, e-mailing either way.',
  payload: z.strictObject({ orderId }),
  settings: z.object({ paymentTimeout: z._default(duration, '24h') }),
  durable: { executionTimeout: '2d', retentionDays: 14, callbacks: [paymentCallback] },
  timeoutSeconds: 60,
  memoryMb: 256,
  batchSize: 10,
  maxConcurrency: 5,
  retry: { attempts: 4, backoff: { type: 'exponential', delaySeconds: 5, maxDelaySeconds: 300, jitter: 0.2 } },
  resources: { tables: [{ table: domainTables.orders, access: ['read', 'write'] }], enqueues: [sendEmailJob] },
});
