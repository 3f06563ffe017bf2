import * as z from '#shared/runtime/zod-mini';
import { defineJob } from '#shared/jobs/define-job';
import { emailAddress } from '#shared/jobs/email-fields';

const reportSettings = z.object({
  recipients: z._default(z.array(emailAddress).check(z.minLength(1)), ['ops@example.com']),
  /** Zone a manual run (no schedule occurrence) counts its day or month in. */
  timeZone: z._default(z.string(), 'UTC'),
});

const common = {
  settings: reportSettings,
  timeoutSeconds: 120,
  memoryMb: 256,
  batchSize: 1,
  maxConcurrency: 2,
  retry: { attempts: 3, backoff: { type: 'exponential', delaySeconds: 60, maxDelaySeconds: 900, jitter: 0.2 } },
  resources: { tables: ['orders', 'reports'], enqueues: ['send-email'] },
} as const;

export const dailyReportJob = defineJob({
  name: 'daily-report',
  description: 'Orders, revenue, e-mails and job runs for the previous day; stored and e-mailed.',
  payload: z.strictObject({ date: z.optional(z.iso.date()) }),
  // A missed report is worth one catch-up, the latest: yesterday's figures, not a queue of stale days.
  schedules: [{ name: 'daily', expression: 'cron(0 6 * * ? *)', timeZone: 'UTC', payload: {}, overlap: 'skip', catchUp: { window: '2d', mode: 'latest' } }],
  ...common,
});

export const monthlyReportJob = defineJob({
  name: 'monthly-report',
  description: 'The same report for the previous month.',
  payload: z.strictObject({ month: z.optional(z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM'))) }),
  schedules: [{ name: 'monthly', expression: 'cron(0 0 1 * ? *)', timeZone: 'UTC', payload: {}, overlap: 'skip' }],
  ...common,
});
