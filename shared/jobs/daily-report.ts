import { defineJob } from '@serverless-jobs/runtime/jobs';
import * as z from '@serverless-jobs/runtime/zod';
import { DAILY_REPORT } from '#shared/jobs/job-names';
import { reportJobCommon } from '#shared/jobs/report-settings';

export const dailyReportJob = defineJob({
  name: DAILY_REPORT,
  description: 'Orders, revenue, e-mails and job runs for the previous day; stored and e-mailed.',
  payload: z.strictObject({ date: z.optional(z.iso.date()) }),
  // A missed report is worth one catch-up, the latest: yesterday's figures, not a queue of stale days.
  schedules: [
    {
      name: 'daily',
      expression: 'cron(0 6 * * ? *)',
      timeZone: 'UTC',
      payload: {},
      overlap: 'skip',
      catchUp: { window: '2d', mode: 'latest' },
    },
  ],
  ...reportJobCommon,
});
