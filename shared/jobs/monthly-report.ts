import { defineJob } from '@serverless-jobs/runtime/jobs';
import * as z from '@serverless-jobs/runtime/zod';
import { MONTHLY_REPORT } from '#shared/jobs/job-names';
import { reportJobCommon } from '#shared/jobs/report-settings';

export const monthlyReportJob = defineJob({
  name: MONTHLY_REPORT,
  description: 'The same report for the previous month.',
  payload: z.strictObject({
    month: z.optional(z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM'))),
  }),
  schedules: [{ name: 'monthly', expression: 'cron(0 0 1 * ? *)', timeZone: 'UTC', payload: {}, overlap: 'skip' }],
  ...reportJobCommon,
});
