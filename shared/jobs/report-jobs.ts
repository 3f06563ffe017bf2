import * as z from '@serverless-jobs/runtime/zod';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import { emailAddress } from '#shared/jobs/email-fields';
import { domainTables } from '#shared/domain/tables';
import { sendEmailJob } from '#shared/jobs/send-email';
import { DAILY_REPORT, MONTHLY_REPORT } from '#shared/jobs/job-names';

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
  resources: { tables: [domainTables.orders, domainTables.reports], enqueues: [sendEmailJob] },
} as const;

export const dailyReportJob = defineJob({
  name: DAILY_REPORT,
  description: 'Orders, revenue, e-mails and job runs for the previous day; stored and e-mailed.',
  payload: z.strictObject({ date: z.optional(z.iso.date()) }),
  // A missed report is worth one catch-up, the latest: yesterday's figures, not a queue of stale days.
  schedules: [{ name: 'daily', expression: 'cron(0 6 * * ? *)', timeZone: 'UTC', payload: {}, overlap: 'skip', catchUp: { window: '2d', mode: 'latest' } }],
  ...common,
});

export const monthlyReportJob = defineJob({
  name: MONTHLY_REPORT,
  description: 'The same report for the previous month.',
  payload: z.strictObject({ month: z.optional(z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM'))) }),
  schedules: [{ name: 'monthly', expression: 'cron(0 0 1 * ? *)', timeZone: 'UTC', payload: {}, overlap: 'skip' }],
  ...common,
});
